import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Identity } from '../../src/recovery/index.js';
import { MemoryRecoveryStore, MongoRecoveryStore } from '../../src/stores/index.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { insertIdentity, openScratchDatabase } from '../support/mongo.js';

/**
 * The recovery subgraph on either store, seeded with identities, for the federation and
 * gateway tests: the embedded store hands out frozen objects and MongoDB converts ids to
 * BSON UUIDs, and each has broken the entity path in its own way before.
 */

export const STORES = ['embedded', 'mongodb'] as const;
export type StoreKind = (typeof STORES)[number];

export interface RecoveryOnStore {
  readonly app: TestApp;
  /** The store class in use, for spying on its queries. */
  readonly storeClass: typeof MemoryRecoveryStore | typeof MongoRecoveryStore;
  stop(): Promise<void>;
}

export async function startRecoveryOn(
  store: StoreKind,
  identities: readonly Identity[],
  environment: Record<string, string> = {},
): Promise<RecoveryOnStore> {
  if (store === 'embedded') {
    const directory = mkdtempSync(join(tmpdir(), 'recovery-identities-'));
    const file = join(directory, 'identities.json');
    writeFileSync(file, JSON.stringify(identities.map(({ id, state, traits }) => ({ id, state, traits }))));
    const app = await startTestApp({ EMBEDDED_IDENTITIES_FILE: file, ...environment });
    return {
      app,
      storeClass: MemoryRecoveryStore,
      async stop() {
        await app.stop();
        rmSync(directory, { recursive: true, force: true });
      },
    };
  }
  const database = await openScratchDatabase();
  for (const identity of identities) await insertIdentity(database.db, identity);
  const app = await startTestApp({ MONGODB_URI: database.uri, MONGODB_DB: database.name, ...environment });
  return {
    app,
    storeClass: MongoRecoveryStore,
    async stop() {
      await app.stop();
      await database.drop();
    },
  };
}
