import { readFileSync } from 'node:fs';
import type * as AppModule from '../src/app/app.js';
import type * as ConfigModule from '../src/config/index.js';
import type * as LoggerModule from '../src/logger.js';
import type * as MetricsModule from '../src/observability/metrics.js';
import type * as RecoveryServiceModule from '../src/app/recovery-service.js';
import type * as StoresModule from '../src/stores/index.js';

// The shipped build (dist/, which `npm run bench` builds first), not a second copy of src:
// the app reads schema.graphql and operations/ relative to its own files.
const dist = <T>(path: string) => import(new URL(`../../dist/${path}`, import.meta.url).href) as Promise<T>;
const { startApp } = await dist<typeof AppModule>('app/app.js');
const { parseConfig } = await dist<typeof ConfigModule>('config/index.js');
const { createLogger } = await dist<typeof LoggerModule>('logger.js');
const { createMetrics } = await dist<typeof MetricsModule>('observability/metrics.js');
const { createRecoveryService } = await dist<typeof RecoveryServiceModule>('app/recovery-service.js');
const { openStore } = await dist<typeof StoresModule>('stores/index.js');

/**
 * The service as src/app/main.ts starts it, with one bench-only hook: BENCH_PREFILL_LINKS=N
 * creates N links through the domain before listening, spread over the identities of
 * EMBEDDED_IDENTITIES_FILE, so the embedded store holds what N creations leave behind
 * (the newest link of each identity outstanding, the rest revoked). The bench runs the
 * empty baseline on this same entry with N=0, so only the stored history differs.
 */
const parsed = parseConfig(process.env);
if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
const { config } = parsed;
const logger = createLogger(config.telemetry.logLevel);
const metrics = createMetrics();
const store = await openStore(config.store, config.retention, logger, metrics);

const links = Number(process.env.BENCH_PREFILL_LINKS ?? 0);
if (links > 0) {
  if (config.store.kind !== 'embedded' || config.store.identitiesFile === null)
    throw new Error('BENCH_PREFILL_LINKS needs EMBEDDED_IDENTITIES_FILE');
  const identities = (JSON.parse(readFileSync(config.store.identitiesFile, 'utf8')) as { id: string }[]).map(
    ({ id }) => id,
  );
  const recovery = createRecoveryService(config.links, config.sessions, store, () => new URL('http://localhost'));
  const origin = { requestId: 'bench-prefill', actor: 'api_key:bench', clientAddress: '127.0.0.1' };
  for (let i = 0; i < links; i++) {
    const outcome = await recovery.createRecoveryLink({ identityId: identities[i % identities.length]!, origin });
    if (outcome.kind !== 'created') throw new Error(`pre-fill: ${outcome.kind}`);
  }
}
await startApp(config, store, logger, metrics);
