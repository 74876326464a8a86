import type { Db, MongoClient } from 'mongodb';
import type { StoreMaintenance } from '../../recovery/index.js';
import type { Logger } from '../../logger.js';
import { purgeableCollections, type MongoCollections } from './collections.js';
import { isNotImplemented, type UnlessUnreachable } from './errors.js';

/** The MongoDB store's indexes, purge, readiness and closing. */
export class MongoMaintenance implements StoreMaintenance {
  constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
    private readonly collections: MongoCollections,
    /** Operations under way (counted by unlessUnreachable), for close. */
    private readonly inFlight: ReadonlySet<Promise<unknown>>,
    private readonly unlessUnreachable: UnlessUnreachable,
    /** True when the server removes what is due itself; else purgeExpired does. */
    readonly expiresByItself: boolean,
  ) {}

  /**
   * For servers without TTL indexes (FerretDB v1): deletes what is due, a bounded batch per
   * collection. Safe in every replica at once: deleting a deleted document is a no-op.
   */
  purgeExpired(now: Date, batchSize: number): Promise<number> {
    return this.unlessUnreachable(async () => {
      let purged = 0;
      for (const collection of purgeableCollections(this.collections)) {
        const due = await collection
          .find({ purgeAt: { $lte: now } }, { projection: { _id: 1 } })
          .limit(batchSize)
          .toArray();
        if (due.length === 0) continue;
        const result = await collection.deleteMany({
          _id: { $in: due.map((document) => document._id) },
          purgeAt: { $lte: now },
        });
        purged += result.deletedCount;
      }
      return purged;
    });
  }

  ping(): Promise<void> {
    return this.unlessUnreachable(async () => {
      await this.db.command({ ping: 1 });
    });
  }

  /**
   * The service drains its requests before it closes the store, but an operation can
   * outlive its request (a response cut off, the sweeper): closing under it would fail it
   * with MongoClientClosedError. Each ends within MONGODB_TIMEOUT, so wait that long at most.
   */
  async close(): Promise<void> {
    if (this.inFlight.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled(this.inFlight),
        new Promise((resolve) => (timer = setTimeout(resolve, this.client.options.socketTimeoutMS))),
      ]);
      clearTimeout(timer);
    }
    await this.client.close();
  }
}

/**
 * Idempotent: createIndex with an identical specification is a no-op on the server.
 * Answers whether the server expires documents itself (TTL indexes).
 */
export async function ensureIndexes(collections: MongoCollections, logger: Logger): Promise<boolean> {
  // For the admin's audit query only; no request of the hot paths filters on these.
  await collections.legacyLinks.createIndex({ identityId: 1, createdAt: -1 }, { name: 'identityId_createdAt' });
  await collections.claims.createIndex({ identityId: 1, at: -1 }, { name: 'identityId_at' });
  await collections.failures.createIndex({ identityId: 1, at: -1 }, { name: 'identityId_at' });
  try {
    // Every document carries the instant it may go; the server deletes it then.
    for (const collection of purgeableCollections(collections)) {
      await collection.createIndex({ purgeAt: 1 }, { expireAfterSeconds: 0, name: 'purgeAt_ttl' });
    }
    return true;
  } catch (error) {
    if (!isNotImplemented(error)) throw error;
    logger.info('this server has no TTL indexes: the service purges what is due itself (STORE_SWEEP_INTERVAL)');
    return false;
  }
}
