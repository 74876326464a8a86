import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { createApiKeyRegistry, createAuthenticator, createJwtVerifier } from '../auth/index.js';
import type { Config } from '../config.js';
import type { GraphQLContext } from '../graphql/context.js';
import { createErrorFormatter } from '../graphql/format-error.js';
import { QUERY_LIMITS, aliasLimit } from '../graphql/query-limits.js';
import { activeLinkCountLoader, identityLoader } from '../graphql/identity-loader.js';
import { adminGuard } from '../graphql/require-admin.js';
import { createMetrics, type Metrics } from '../observability/metrics.js';
import { NO_TRACING, type Tracing } from '../observability/tracing.js';
import { requestObserver, requestRecorder } from '../observability/request-observer.js';
import { sandboxExample } from '../graphql/sandbox-example.js';
import { sandboxLandingPage, withRequestHost } from '../graphql/sandbox-landing-page.js';
import { buildSchema } from '../graphql/schema.js';
import { storageUnavailableStatus } from '../graphql/storage-unavailable.js';
import { inlineTraces } from '../graphql/inline-trace.js';
import { requestIds } from '../graphql/request-ids.js';
import { compiledExecution } from '../graphql/compiled-execution.js';
import { isLoopbackHost } from '../http/loopback.js';
import { renderRecoveryPage } from '../http/recovery-page.js';
import { GRAPHQL_PATH } from '../http/paths.js';
import { createHttpServer } from '../http/server.js';
import { createOperationsServer, operationsRoute } from '../http/operations-listener.js';
import { requestIdOf, serializeResult } from '../http/request-id.js';
import type { Logger } from '../logger.js';
import type { RecoveryStore } from '../recovery/index.js';
import { createRecoveryService } from './recovery-service.js';
import { behindRouter } from './behind-router.js';
import { DEMO_IDENTITY, sweepUnlessExpiresByItself } from '../stores/index.js';

/**
 * How long stop() waits for requests in flight before cutting their connections. Each
 * database operation ends within MONGODB_TIMEOUT, and a request whose operation timed out
 * answers 503 at once, so a second more answers every request even with the database
 * unresponsive; Apollo's default (10s) outlasted orchestrators' patience.
 */
export function drainGracePeriod(config: Pick<Config, 'mongo'>): number {
  return (config.mongo?.timeoutMilliseconds ?? 0) + 1_000;
}

export interface RunningApp {
  /** Base URL of the server, such as http://127.0.0.1:4000. */
  readonly url: string;
  /** Base URL of the METRICS_PORT listener; null when metrics are on the main port. */
  readonly metricsUrl: string | null;
  /** Stops accepting requests, drains the ones in flight, then returns. */
  stop(): Promise<void>;
}

/**
 * Wires the service over an opened store and listens, and sweeps it unless it expires by
 * itself until stop(). The caller owns the store (closing it after stop()), and may
 * pass the metrics it gave openStore, so that store commands show on /metrics too; and
 * owns the tracing (it shuts it down after the store), which it gave the logger and the
 * store as well.
 */
export async function startApp(
  config: Config,
  store: RecoveryStore,
  logger: Logger,
  metrics: Metrics = createMetrics(),
  tracing: Tracing = NO_TRACING,
): Promise<RunningApp> {
  if (!config.tokenSecretConfigured) {
    logger.warn(
      'RECOVERY_TOKEN_SECRET is not set: using a random per-process secret, so links stop working when the process restarts or on other replicas.',
    );
  }
  if (!config.sessionSigningKeyConfigured) {
    logger.warn(
      'SESSION_SIGNING_KEY is not set: using a random per-process key, so no other process can verify the sessions this one issues.',
    );
  }
  if (config.embeddedStoreInProduction) {
    logger.warn(
      'ALLOW_EMBEDDED_STORE_IN_PRODUCTION=true: NODE_ENV=production on the embedded in-memory store. It keeps nothing across restarts, is not shared between replicas and serves a demo identity: for benchmarks only, never for real users.',
    );
  }
  // Without PUBLIC_BASE_URL the origin is known only once the server listens (PORT=0).
  let publicBaseUrl = config.publicBaseUrl;
  const recovery = createRecoveryService(config, store, () => publicBaseUrl ?? new URL('http://localhost'));

  const authenticate = createAuthenticator(
    createApiKeyRegistry(config.adminApiKeys),
    config.jwtAuth === null ? null : createJwtVerifier(config.jwtAuth),
  );
  // The page is served to whoever can reach the port: the key goes into it only when that
  // is this machine alone, never with HOST=0.0.0.0 on a shared network, and then only for
  // a loopback Host header (see sandbox-landing-page.ts).
  const sandboxKey = isLoopbackHost(config.host) ? config.developmentAdminApiKey : null;
  const schema = buildSchema({
    maxEntityRepresentations: config.maxEntityRepresentations,
    adminScope: config.adminScope,
    production: config.production,
  });
  const parseOptions = { maxTokens: QUERY_LIMITS.maxTokens };
  const validationRules = [aliasLimit(QUERY_LIMITS.maxAliases)];
  const formatError = createErrorFormatter({
    debugErrors: config.debugErrors,
    logger,
    requestId: requestIdOf,
    // Absent when off: the formatter then asks nothing per error.
    ...(tracing.enabled ? { traceId: tracing.traceId } : {}),
  });
  const recordRequest = requestRecorder(metrics, logger);
  const router = behindRouter(config);
  const operations = operationsRoute({
    logger,
    checkReadiness: () => store.ping(),
    requestTrace: tracing.requestTrace,
    metrics: async () => ({ contentType: metrics.registry.contentType, body: await metrics.registry.metrics() }),
  });
  const http = createHttpServer({
    ...router.http,
    traceRequests: tracing.traceRequests,
    requestTrace: tracing.requestTrace,
    // Only the Sandbox that carries the development key picks its page by Host.
    withLandingPageHost: config.introspection && sandboxKey !== null ? withRequestHost : null,
    maxBodyBytes: config.maxBodyBytes,
    connections: config.connections,
    operations,
    metricsOnMainPort: config.metricsPort === null,
    clientError: (errorId) => metrics.clientErrors.inc({ error_id: errorId }),
    logger,
    recoveryPage: () =>
      renderRecoveryPage({
        settingsUiUrl: config.settingsUiUrl,
        graphqlUrl: config.recoveryPageGraphqlUrl?.toString() ?? GRAPHQL_PATH,
        codeMaxAttempts: config.codeMaxAttempts,
      }),
    createContext: (requestId, authorization, clientAddress, viaRouter): GraphQLContext => ({
      requestId,
      clientAddress,
      viaRouter,
      recovery,
      requireAdmin: adminGuard(authenticate, authorization),
      identities: identityLoader(recovery),
      activeLinkCounts: activeLinkCountLoader(recovery),
    }),
  });
  const apollo = new ApolloServer<GraphQLContext>({
    // Not a gateway: the seam through which Apollo lets the execution engine be swapped.
    gateway: compiledExecution(schema, { enabled: config.compiledExecution }),
    logger,
    // main.ts owns SIGTERM/SIGINT: it drains, then closes the store, then exits. Apollo's own
    // handlers would call stop() a second time concurrently, and in @apollo/server 5.5 a
    // concurrent stop() waits on a barrier that a successful stop never resolves: the
    // process then hung until the shutdown deadline (exit 1) whenever anything else, such as
    // the MongoDB connection pool, kept it alive.
    stopOnTerminationSignals: false,
    introspection: config.introspection,
    // "Did you mean …" suggestions spell out the schema piece by piece: only where
    // introspection would tell it anyway.
    hideSchemaDetailsFromClientErrors: !config.introspection,
    allowBatchedHttpRequests: config.batchedRequests,
    parseOptions,
    validationRules,
    includeStacktraceInErrorResponses: false,
    formatError,
    stringifyResult: serializeResult,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer: http.server, stopGracePeriodMillis: drainGracePeriod(config) }),
      // No field sets cache hints and mutations are never cached: skip computing a policy.
      ApolloServerPluginCacheControlDisabled(),
      requestIds(),
      ...tracing.plugins,
      requestObserver(recordRequest),
      ...router.plugins,
      storageUnavailableStatus(),
      ...inlineTraces({ forAnyone: config.inlineTracesForAnyone }),
      // Sandbox comes with introspection (it needs it): a working example and, when the
      // key was generated, the key already in its headers. Otherwise no landing page at all.
      config.introspection
        ? sandboxLandingPage(
            // No telemetry from the page that may hold an admin key.
            { embed: { runTelemetry: false }, ...sandboxExample(DEMO_IDENTITY.id) },
            sandboxKey,
          )
        : ApolloServerPluginLandingPageDisabled(),
    ],
  });
  await apollo.start();
  http.setApollo(apollo);

  const port = await listen(http.server, config.port, config.host);
  publicBaseUrl ??= new URL(`http://localhost:${port}`);
  const url = baseUrl(config.host, port);
  const operationsServer = config.metricsPort === null ? null : createOperationsServer(operations, logger);
  const metricsUrl =
    operationsServer === null
      ? null
      : baseUrl(config.host, await listen(operationsServer, config.metricsPort ?? 0, config.host));
  logger.info({ url: `${url}/graphql`, metricsUrl }, 'recovery link subgraph ready');
  // The app owns the sweeper; the caller closes the store only after stop(), which ends it.
  const stopSweeping = sweepUnlessExpiresByItself(store, config.sweepIntervalMilliseconds, logger);

  // Once: a second caller gets the same promise, never a second stop() of Apollo's (see above).
  let stopped: Promise<void> | undefined;
  return {
    url,
    metricsUrl,
    stop: () => {
      stopSweeping();
      // Answered just before the drain would cut their connections.
      http.drain(Math.max(0, drainGracePeriod(config) - 250));
      operationsServer?.closeAllConnections();
      operationsServer?.close();
      return (stopped ??= apollo.stop());
    },
  };
}

async function listen(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

function baseUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
