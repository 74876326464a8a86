import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { RetentionSection, StoreSection } from '../config/index.js';
import type { Logger } from '../logger.js';
import { storeCommandCounter, type Metrics } from '../observability/metrics.js';
import type { Tracing } from '../observability/tracing.js';
import { IDENTITY_STATES, type Identity, type RecoveryStore } from '../recovery/index.js';
import { MemoryRecoveryStore } from './memory/index.js';
import { MongoRecoveryStore, collectionNames } from './mongo/index.js';

export { MemoryRecoveryStore, MongoRecoveryStore };

export type { InspectableRecoveryStore } from './composed-store.js';
export { sweepUnlessExpiresByItself } from './sweeper.js';

/** The seed's example id, so the documented request works against a fresh `npm start`. */
export const DEMO_IDENTITY: Identity = {
  id: '3fa85f64-5717-4562-b3fc-2c963f66afa6',
  state: 'active',
  schemaId: 'default',
  traits: { email: 'demo@example.com' },
  createdAt: new Date('2024-07-29T15:51:28.071Z'),
  updatedAt: new Date('2024-07-29T15:51:28.071Z'),
};

/**
 * With `metrics`, MongoDB commands are counted into `recovery_store_commands_total`; with
 * tracing on, each is a span. Purging is the caller's: it runs a sweeper unless the store
 * `expiresByItself` (sweepUnlessExpiresByItself), and stops it before closing the store.
 */
export async function openStore(
  settings: StoreSection,
  retention: RetentionSection,
  logger: Logger,
  metrics?: Pick<Metrics, 'storeCommands'>,
  tracing?: Pick<Tracing, 'commandListeners'>,
): Promise<RecoveryStore> {
  if (settings.kind === 'mongo') {
    const { identities: identitiesCollection, recoveryLinks: recoveryLinksCollection } = settings.collections;
    // The collections MongoRecoveryStore.connect opens; any other target is counted as `other`.
    const collections = new Set(Object.values(collectionNames({ identitiesCollection, recoveryLinksCollection })));
    const store = await MongoRecoveryStore.connect({
      uri: settings.uri,
      database: settings.database,
      identitiesCollection,
      recoveryLinksCollection,
      timeoutMilliseconds: settings.timeoutMilliseconds,
      retention,
      logger,
      ...(metrics === undefined ? {} : { onCommand: storeCommandCounter(metrics, collections) }),
      ...(tracing?.commandListeners == null ? {} : { commandListeners: tracing.commandListeners }),
    });
    logger.info({ database: settings.database }, 'using MongoDB');
    return store;
  }
  logger.warn(
    { demoIdentityId: DEMO_IDENTITY.id },
    'MONGODB_URI is not set: using the embedded in-memory store with one demo identity. Nothing is persisted; every link is lost when the process stops.',
  );
  const extra = settings.identitiesFile === null ? [] : await readIdentities(settings.identitiesFile);
  return new MemoryRecoveryStore([DEMO_IDENTITY, ...extra], retention);
}

const identityFile = z.array(
  z.object({
    id: z.uuid().transform((id) => id.toLowerCase()),
    state: z.enum(IDENTITY_STATES).default('active'),
    traits: z.record(z.string(), z.unknown()).default({}),
  }),
);

/** Identities for the embedded store, for demos and load tests without a database. */
async function readIdentities(path: string): Promise<Identity[]> {
  const parsed = identityFile.safeParse(JSON.parse(await readFile(path, 'utf8')));
  if (!parsed.success)
    throw new Error(`EMBEDDED_IDENTITIES_FILE ${path}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data.map((identity) => ({ ...identity, schemaId: null, createdAt: null, updatedAt: null }));
}
