import { randomUUID } from 'node:crypto';
import { MongoClient, UUID, type Db } from 'mongodb';
import { inject } from 'vitest';
import { pino } from 'pino';
import type { Identity } from '../../src/recovery/index.js';
import { MongoRecoveryStore } from '../../src/stores/index.js';
import type { MongoStoreOptions } from '../../src/stores/mongo/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Connection string of the real MongoDB wire-protocol server started by global-setup. */
    mongodbUri: string;
  }
}

export interface ScratchDatabase {
  readonly uri: string;
  readonly name: string;
  readonly db: Db;
  drop(): Promise<void>;
}

/** A database of its own for one test file or case, so test files can run in parallel. */
export async function openScratchDatabase(uri = inject('mongodbUri')): Promise<ScratchDatabase> {
  const client = await MongoClient.connect(uri);
  const name = `test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const db = client.db(name);
  return {
    uri,
    name,
    db,
    async drop() {
      await db.dropDatabase();
      await client.close();
    },
  };
}

/** Writes an identity the way Kratos-style deployments keep them. */
export async function insertIdentity(
  db: Db,
  identity: Identity,
  idForm: 'uuid' | 'string' = 'uuid',
  collection = 'identities',
): Promise<void> {
  await db.collection<{ _id: UUID | string; [field: string]: unknown }>(collection).insertOne({
    _id: idForm === 'uuid' ? new UUID(identity.id) : identity.id,
    state: identity.state,
    schema_id: identity.schemaId,
    traits: identity.traits,
    created_at: identity.createdAt,
    updated_at: identity.updatedAt,
  });
}

/** The service's MongoDB store on a scratch database, with the default retention. */
export function connectMongoStore(
  database: ScratchDatabase,
  options: Partial<Pick<MongoStoreOptions, 'retention' | 'onCommand'>> = {},
): Promise<MongoRecoveryStore> {
  return MongoRecoveryStore.connect({
    uri: database.uri,
    database: database.name,
    identitiesCollection: 'identities',
    recoveryLinksCollection: 'recovery_links',
    timeoutMilliseconds: 5_000,
    retention: {
      linkMilliseconds: 7 * 86_400_000,
      eventMilliseconds: 90 * 86_400_000,
      maxLifespanMilliseconds: 30 * 86_400_000,
    },
    logger: pino({ level: 'silent' }),
    ...options,
  });
}

/**
 * A flow's document as the MongoDB store writes it: in the claims collection, beside its
 * claim, under `<flow id>#created` (src/stores/mongo/documents.ts, FlowDocument).
 */
export function storedFlow(db: Db, flowId: string) {
  return db.collection('recovery_links_claims').findOne({ _id: `${flowId}#created` as never });
}

/** How many flows the store wrote for an identity (claims share the collection; flows alone hold a tokenHash). */
export function storedFlowCount(db: Db, identityId: string): Promise<number> {
  return db.collection('recovery_links_claims').countDocuments({ identityId, tokenHash: { $exists: true } });
}
