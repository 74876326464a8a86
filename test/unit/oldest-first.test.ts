import { describe, expect, it } from 'vitest';
import { OldestFirst } from '../../src/stores/oldest-first.js';

describe('oldest first', () => {
  it('answers the oldest key still present, skipping the ones gone, across many evictions', () => {
    const queue = new OldestFirst<number>();
    const present = new Set<number>();
    for (let i = 0; i < 10_000; i++) {
      queue.added(i);
      present.add(i);
    }
    present.delete(0);
    present.delete(2);
    expect(queue.takeOldest((key) => present.has(key))).toBe(1);
    present.delete(1);
    expect(queue.takeOldest((key) => present.has(key))).toBe(3);
    // Evicting and adding forever keeps answering in order.
    for (let i = 10_000; i < 50_000; i++) {
      const oldest = queue.takeOldest((key) => present.has(key))!;
      expect(oldest).toBe(i - 10_000 + 3 + 1);
      present.delete(oldest);
      queue.added(i);
      present.add(i);
    }
    expect(new OldestFirst<number>().takeOldest(() => true)).toBeUndefined();
  });
});
