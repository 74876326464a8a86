import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { RetentionSection, StoreSection } from '../config/index.js';
import type { Logger } from '../logger.js';
import { storeCommandCounter, type Metrics } from '../observability/metrics.js';
import type { Tracing } from '../observability/tracing.js';
import { IDENTITY_STATES, type Identity, type RecoveryStore } from '../recovery/index.js';
import { MemoryRecoveryStore } from './memory-store.js';
import { MongoRecoveryStore } from './mongo-store.js';
import { startSweeping } from './sweeper.js';

export { MemoryRecoveryStore, MongoRecoveryStore };

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
 * tracing on, each is a span.
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
    const collections = new Set([
      identitiesCollection,
      recoveryLinksCollection,
      `${recoveryLinksCollection}_claims`,
      `${recoveryLinksCollection}_outstanding`,
      'recovery_events',
      'rate_limit_slots',
    ]);
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
    return store.expiresByItself ? store : sweeping(store, retention, logger);
  }
  logger.warn(
    { demoIdentityId: DEMO_IDENTITY.id },
    'MONGODB_URI is not set: using the embedded in-memory store with one demo identity. Nothing is persisted; every link is lost when the process stops.',
  );
  const extra = settings.identitiesFile === null ? [] : await readIdentities(settings.identitiesFile);
  return sweeping(new MemoryRecoveryStore([DEMO_IDENTITY, ...extra], retention), retention, logger);
}

/** The store, with a sweeper that stops when the store closes. */
function sweeping(store: RecoveryStore, retention: RetentionSection, logger: Logger): RecoveryStore {
  const stop = startSweeping(store, retention.sweepIntervalMilliseconds, logger);
  const close = store.close.bind(store);
  store.close = async () => {
    stop();
    await close();
  };
  return store;
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
