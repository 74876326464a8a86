import { describe, expect, it } from 'vitest';
import { createMetrics, storeCommandCounter } from '../../src/observability/metrics.js';

async function series(metrics: ReturnType<typeof createMetrics>) {
  const { values } = await metrics.storeCommands.get();
  return values.map(({ labels, value }) => ({ ...labels, value }));
}

describe('the store command counter', () => {
  it('labels a command by its name and its target collection', async () => {
    const metrics = createMetrics();
    const count = storeCommandCounter(metrics, new Set(['recovery_links']));
    count('insert', { insert: 'recovery_links', documents: [] });
    count('insert', { insert: 'recovery_links', documents: [] });
    count('getMore', { getMore: 42n, collection: 'recovery_links' });
    expect(await series(metrics)).toEqual([
      { command: 'insert', collection: 'recovery_links', value: 2 },
      { command: 'getMore', collection: 'recovery_links', value: 1 },
    ]);
  });

  it('counts collections outside the store and unknown command names as other', async () => {
    const metrics = createMetrics();
    const count = storeCommandCounter(metrics, new Set(['recovery_links']));
    for (let i = 0; i < 100; i++) count('find', { find: `someone_elses_${i}` });
    count('someFutureCommand', { someFutureCommand: 'recovery_links' });
    count('ping', { ping: 1 });
    expect(await series(metrics)).toEqual([
      { command: 'find', collection: 'other', value: 100 },
      { command: 'other', collection: 'recovery_links', value: 1 },
      { command: 'ping', collection: 'other', value: 1 },
    ]);
  });
});
