import { startApp } from './app.js';
import { developmentAdminKey, parseConfig } from '../config/index.js';
import { isLoopbackHost } from '../net/loopback.js';
import { createLogger } from '../logger.js';
import { createMetrics } from '../observability/metrics.js';
import { createTracing } from '../observability/tracing.js';
import { openStore } from '../stores/index.js';

/**
 * After the drain, how long closing the database connection may take. Nothing is in
 * flight any more; with the database unresponsive the driver's goodbye (endSessions)
 * would wait for MONGODB_TIMEOUT, for nothing anyone waits on.
 */
const CLOSE_STORE_MS = 1_000;
/** A last resort, should anything else hang; shorter than Kubernetes' default 30s grace period. */
const SHUTDOWN_DEADLINE_MS = 15_000;

const parsed = parseConfig(process.env);
if (!parsed.ok) {
  for (const problem of parsed.problems) console.error(`Configuration error: ${problem}`);
  process.exit(1);
}
const { config } = parsed;
// First: the logger and the store take their trace hooks from it.
const tracing = createTracing(config.telemetry.tracing);
const logger = createLogger(config.telemetry.logLevel, undefined, tracing.logFields);

try {
  const metrics = createMetrics();
  const store = await openStore(config.store, config.retention, logger, metrics, tracing);
  const developmentKey = developmentAdminKey(config.auth);
  if (developmentKey !== null) {
    // Printed once, outside the structured log (which redacts keys), for the developer.
    process.stderr.write(
      `\nNo ADMIN_API_KEYS set: admin operations accept this one-off development key until the process stops:\n` +
        `  Authorization: Bearer ${developmentKey}\n` +
        (isLoopbackHost(config.server.host)
          ? `(Apollo Sandbox, at /graphql in a browser opened on localhost or a loopback address, already sends it.)\n\n`
          : `(HOST ${config.server.host} is not loopback, so Apollo Sandbox does not carry it: add the header yourself.)\n\n`),
    );
  }
  const app = await startApp(config, store, logger, metrics, tracing);
  const { tracing: tracingSettings } = config.telemetry;
  if (tracingSettings !== null) {
    logger.info(
      { tracesUrl: redactedUrl(tracingSettings.tracesUrl), protocol: tracingSettings.protocol },
      'exporting traces (OpenTelemetry)',
    );
  }

  let stopping = false;
  const shutDown = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining requests in flight');
    setTimeout(() => {
      logger.warn('shutdown did not finish in time; exiting anyway');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    // First every request in flight is answered (bounded by drainGracePeriod), and only
    // then the store closes: closing first would fail them with MongoClientClosedError.
    await app.stop();
    const closed = await Promise.race([
      store.close().then(
        () => true,
        (error: unknown) => {
          logger.warn({ err: error }, 'closing the database connection failed');
          return true;
        },
      ),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), CLOSE_STORE_MS).unref()),
    ]);
    // Every request was answered by now: leaving an unresponsive database's connection
    // to the operating system loses nothing, so this is still a clean exit.
    if (!closed) logger.warn('the database connection did not close in time; exiting without waiting');
    // Last: the spans of the final requests and commands are exported before exiting.
    await tracing.shutdown();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', (signal) => void shutDown(signal));
  process.on('SIGINT', (signal) => void shutDown(signal));
} catch (error) {
  logger.fatal({ err: error }, 'could not start');
  process.exit(1);
}

/** A collector URL may carry credentials: they stay out of the log. */
function redactedUrl(text: string): string {
  const url = new URL(text);
  if (url.username !== '' || url.password !== '') url.username = url.password = '***';
  url.search = '';
  return url.href;
}
