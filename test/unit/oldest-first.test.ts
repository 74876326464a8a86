import { describe, expect, it } from 'vitest';
import { OldestFirst } from '../../src/stores/memory/oldest-first.js';

describe('oldest first', () => {
  it('answers the oldest key still present, skipping the ones gone, across many evictions', () => {
    const present = new Set<number>();
    const queue = new OldestFirst<number>((key) => present.has(key), 10_000);
    for (let i = 0; i < 10_000; i++) {
      queue.added(i);
      present.add(i);
    }
    present.delete(0);
    present.delete(2);
    expect(queue.takeOldest()).toBe(1);
    present.delete(1);
    expect(queue.takeOldest()).toBe(3);
    // Evicting and adding forever keeps answering in order.
    for (let i = 10_000; i < 50_000; i++) {
      const oldest = queue.takeOldest()!;
      expect(oldest).toBe(i - 10_000 + 3 + 1);
      present.delete(oldest);
      queue.added(i);
      present.add(i);
    }
    expect(new OldestFirst<number>(() => true, 1).takeOldest()).toBeUndefined();
  });

  it('stays bounded when keys leave elsewhere and nothing is ever evicted', () => {
    const present = new Set<number>();
    const queue = new OldestFirst<number>((key) => present.has(key), 1_000);
    for (let i = 0; i < 100_000; i++) {
      queue.added(i);
      present.add(i);
      present.delete(i - 10); // purged by someone else: at most 10 live at a time
    }
    expect(queue.queued).toBeLessThanOrEqual(2 * 1_000);
    expect(queue.takeOldest()).toBe(99_990);
  });
});
