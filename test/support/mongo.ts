import { randomUUID } from 'node:crypto';
import { MongoClient, UUID, type Db } from 'mongodb';
import { inject } from 'vitest';
import type { Identity } from '../../src/recovery/index.js';

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
