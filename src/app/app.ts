import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { createApiKeyRegistry, createAuthenticator, createJwtVerifier } from '../auth/index.js';
import { developmentAdminKey, type Config, type StoreSection } from '../config/index.js';
import type { GraphQLContext } from '../graphql/context.js';
import { requestIdOf, serializeResult } from '../errors/index.js';
import { createErrorFormatter } from '../graphql/format-error.js';
import { QUERY_LIMITS, aliasLimit } from '../graphql/query-limits.js';
import { activeLinkCountLoader, identityLoader } from '../graphql/identity-loader.js';
import { adminGuard } from '../graphql/require-admin.js';
import { createMetrics, type Metrics } from '../observability/metrics.js';
import { NO_TRACING, type Tracing } from '../observability/tracing.js';
import { requestRecorder } from '../observability/request-recorder.js';
import { operationSpans } from '../graphql/plugins/operation-spans.js';
import { requestObserver } from '../graphql/plugins/request-observer.js';
import { sandboxExample } from '../graphql/sandbox-example.js';
import { sandboxLandingPage, withRequestHost } from '../graphql/sandbox-landing-page.js';
import { buildSchema } from '../graphql/schema.js';
import { retryAfterStatus } from '../graphql/plugins/retry-after-status.js';
import { inlineTraces } from '../graphql/inline-trace.js';
import { requestIds } from '../graphql/plugins/request-ids.js';
import { compiledExecution } from '../graphql/compiled-execution.js';
import { isLoopbackHost } from '../net/loopback.js';
import { renderRecoveryPage } from '../http/recovery-page.js';
import { GRAPHQL_PATH } from '../net/paths.js';
import { createHttpServer } from '../http/server.js';
import { createOperationsServer, operationsRoute } from '../http/operations-listener.js';
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
export function drainGracePeriod(store: StoreSection): number {
  return (store.kind === 'mongo' ? store.timeoutMilliseconds : 0) + 1_000;
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
  if (!config.links.tokenSecretConfigured) {
    logger.warn(
      'RECOVERY_TOKEN_SECRET is not set: using a random per-process secret, so links stop working when the process restarts or on other replicas.',
    );
  }
  if (!config.sessions.signingKeyConfigured) {
    logger.warn(
      'SESSION_SIGNING_KEY is not set: using a random per-process key, so no other process can verify the sessions this one issues.',
    );
  }
  if (config.store.kind === 'embedded' && config.store.inProduction) {
    logger.warn(
      'ALLOW_EMBEDDED_STORE_IN_PRODUCTION=true: NODE_ENV=production on the embedded in-memory store. It keeps nothing across restarts, is not shared between replicas and serves a demo identity: for benchmarks only, never for real users.',
    );
  }
  // Without PUBLIC_BASE_URL the origin is known only once the server listens (PORT=0).
  let publicBaseUrl = config.server.publicBaseUrl;
  const recovery = createRecoveryService(
    config.links,
    config.sessions,
    store,
    () => publicBaseUrl ?? new URL('http://localhost'),
  );

  const { auth } = config;
  const authenticate = createAuthenticator(
    createApiKeyRegistry(auth.kind === 'development-key' ? [auth.developmentKey] : auth.apiKeys),
    auth.kind === 'configured' && auth.jwt !== null
      ? createJwtVerifier({ ...auth.jwt, adminScope: auth.adminScope })
      : null,
  );
  // The page is served to whoever can reach the port: the key goes into it only when that
  // is this machine alone, never with HOST=0.0.0.0 on a shared network, and then only for
  // a loopback Host header (see sandbox-landing-page.ts).
  const sandboxKey = isLoopbackHost(config.server.host) ? developmentAdminKey(auth) : null;
  const schema = buildSchema({
    maxEntityRepresentations: config.graphql.maxEntityRepresentations,
    adminScope: auth.adminScope,
    serviceSdlForAdminsOnly: config.graphql.serviceSdlForAdminsOnly,
  });
  const parseOptions = { maxTokens: QUERY_LIMITS.maxTokens };
  const validationRules = [aliasLimit(QUERY_LIMITS.maxAliases)];
  const formatError = createErrorFormatter({
    debugErrors: config.graphql.debugErrors,
    logger,
    requestId: requestIdOf,
    // Absent when off: the formatter then asks nothing per error.
    ...(tracing.enabled ? { traceId: tracing.traceId } : {}),
  });
  const recordRequest = requestRecorder(metrics, logger);
  const router = behindRouter(config.router);
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
    withLandingPageHost: config.graphql.introspection && sandboxKey !== null ? withRequestHost : null,
    maxBodyBytes: config.server.maxBodyBytes,
    connections: config.server.connections,
    operations,
    metricsOnMainPort: config.server.metricsPort === null,
    clientError: (errorId) => metrics.clientErrors.inc({ error_id: errorId }),
    logger,
    recoveryPage: () =>
      renderRecoveryPage({
        settingsUiUrl: config.sessions.settingsUiUrl,
        graphqlUrl: config.sessions.recoveryPageGraphqlUrl?.toString() ?? GRAPHQL_PATH,
        codeMaxAttempts: config.links.codes.maxAttempts,
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
    gateway: compiledExecution(schema, { enabled: config.graphql.compiledExecution }),
    logger,
    // main.ts owns SIGTERM/SIGINT: it drains, then closes the store, then exits. Apollo's own
    // handlers would call stop() a second time concurrently, and in @apollo/server 5.5 a
    // concurrent stop() waits on a barrier that a successful stop never resolves: the
    // process then hung until the shutdown deadline (exit 1) whenever anything else, such as
    // the MongoDB connection pool, kept it alive.
    stopOnTerminationSignals: false,
    introspection: config.graphql.introspection,
    // "Did you mean …" suggestions spell out the schema piece by piece: only where
    // introspection would tell it anyway.
    hideSchemaDetailsFromClientErrors: !config.graphql.introspection,
    allowBatchedHttpRequests: config.graphql.batchedRequests,
    parseOptions,
    validationRules,
    includeStacktraceInErrorResponses: false,
    formatError,
    stringifyResult: serializeResult,
    plugins: [
      ApolloServerPluginDrainHttpServer({
        httpServer: http.server,
        stopGracePeriodMillis: drainGracePeriod(config.store),
      }),
      // No field sets cache hints and mutations are never cached: skip computing a policy.
      ApolloServerPluginCacheControlDisabled(),
      requestIds(),
      ...(tracing.operationTracer === null ? [] : [operationSpans(tracing.operationTracer)]),
      requestObserver(recordRequest),
      ...router.plugins,
      retryAfterStatus(),
      ...inlineTraces({ forAnyone: config.graphql.inlineTracesForAnyone }),
      // Sandbox comes with introspection (it needs it): a working example and, when the
      // key was generated, the key already in its headers. Otherwise no landing page at all.
      config.graphql.introspection
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

  const { host, metricsPort } = config.server;
  const port = await listen(http.server, config.server.port, host);
  publicBaseUrl ??= new URL(`http://localhost:${port}`);
  const url = baseUrl(host, port);
  const operationsServer = metricsPort === null ? null : createOperationsServer(operations, logger);
  const metricsUrl =
    operationsServer === null ? null : baseUrl(host, await listen(operationsServer, metricsPort ?? 0, host));
  logger.info({ url: `${url}/graphql`, metricsUrl }, 'recovery link subgraph ready');
  // The app owns the sweeper; the caller closes the store only after stop(), which ends it.
  const stopSweeping = sweepUnlessExpiresByItself(store, config.retention.sweepIntervalMilliseconds, logger);

  // Once: a second caller gets the same promise, never a second stop() of Apollo's (see above).
  let stopped: Promise<void> | undefined;
  return {
    url,
    metricsUrl,
    stop: () => {
      stopSweeping();
      // Answered just before the drain would cut their connections.
      http.drain(Math.max(0, drainGracePeriod(config.store) - 250));
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
