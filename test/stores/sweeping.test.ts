import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { MongoRecoveryStore, openStore, sweepUnlessExpiresByItself } from '../../src/stores/index.js';
import { openScratchDatabase } from '../support/mongo.js';

/** On a server without TTL indexes (FerretDB v1) the service itself deletes what is due. */
describe('the store opened from configuration on the test database', () => {
  it('purges documents past their retention by itself, whether by TTL or by its sweeper', async () => {
    const database = await openScratchDatabase();
    const parsed = parseConfig({ MONGODB_URI: database.uri, MONGODB_DB: database.name, STORE_SWEEP_INTERVAL: '1s' });
    if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
    const logger = pino({ level: 'silent' });
    const store = await openStore(parsed.config.store, parsed.config.retention, logger);
    // As the app does: the sweeper is its opener's, stopped before the store closes.
    const stopSweeping = sweepUnlessExpiresByItself(store, parsed.config.retention.sweepIntervalMilliseconds, logger);
    try {
      const slots = database.db.collection<{ _id: string; purgeAt: Date }>('rate_limit_slots');
      await slots.insertMany([
        { _id: 'due', purgeAt: new Date(Date.now() - 1_000) },
        { _id: 'kept', purgeAt: new Date(Date.now() + 3_600_000) },
      ]);
      if (!(store as MongoRecoveryStore).expiresByItself) {
        // The sweeper runs every second here; wait for it, bounded.
        for (let i = 0; i < 100 && (await slots.countDocuments({ _id: 'due' })) > 0; i++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(await slots.countDocuments({ _id: 'due' })).toBe(0);
      } else {
        // A real MongoDB deletes with its TTL monitor, once a minute: the index is what we check.
        expect((await slots.indexes()).find((index) => index.name === 'purgeAt_ttl')).toBeDefined();
      }
      expect(await slots.countDocuments({ _id: 'kept' })).toBe(1);
    } finally {
      stopSweeping();
      await store.close();
      await database.drop();
    }
  });
});
