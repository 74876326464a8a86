import { startApp } from './app.js';
import { parseConfig } from '../config.js';
import { isLoopbackHost } from '../http/loopback.js';
import { createLogger } from '../logger.js';
import { createMetrics } from '../observability/metrics.js';
import { openStore } from '../stores/index.js';

/** Longer than Apollo's 10s drain, shorter than Kubernetes' default 30s grace period. */
const SHUTDOWN_DEADLINE_MS = 15_000;

const parsed = parseConfig(process.env);
if (!parsed.ok) {
  for (const problem of parsed.problems) console.error(`Configuration error: ${problem}`);
  process.exit(1);
}
const { config } = parsed;
const logger = createLogger(config.logLevel);

try {
  const metrics = createMetrics();
  const store = await openStore(config, logger, metrics);
  if (config.developmentAdminApiKey !== null) {
    // Printed once, outside the structured log (which redacts keys), for the developer.
    process.stderr.write(
      `\nNo ADMIN_API_KEYS set: admin operations accept this one-off development key until the process stops:\n` +
        `  Authorization: Bearer ${config.developmentAdminApiKey}\n` +
        (isLoopbackHost(config.host)
          ? `(Apollo Sandbox, at /graphql in a browser opened on localhost or a loopback address, already sends it.)\n\n`
          : `(HOST ${config.host} is not loopback, so Apollo Sandbox does not carry it: add the header yourself.)\n\n`),
    );
  }
  const app = await startApp(config, store, logger, metrics);

  let stopping = false;
  const shutDown = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining requests in flight');
    // Draining is bounded by Apollo (10s); closing the database connection is not, and
    // hangs while the database is unreachable. An orchestrator waiting on a process that
    // never exits is worse than closing the connection abruptly.
    setTimeout(() => {
      logger.warn('shutdown did not finish in time; exiting anyway');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    await app.stop();
    await store.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', (signal) => void shutDown(signal));
  process.on('SIGINT', (signal) => void shutDown(signal));
} catch (error) {
  logger.fatal({ err: error }, 'could not start');
  process.exit(1);
}
