import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
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
import { requestObserver, requestRecorder } from '../observability/request-observer.js';
import { sandboxExample } from '../graphql/sandbox-example.js';
import { buildSchema } from '../graphql/schema.js';
import { storageUnavailableStatus } from '../graphql/storage-unavailable.js';
import { inlineTraces } from '../graphql/inline-trace.js';
import { labelOperationErrors, labelRequestErrors } from '../graphql/error-request-ids.js';
import { isLoopbackHost } from '../http/loopback.js';
import { loadPersistedOperations, persistedOperationDocuments } from '../http/persisted-operations.js';
import { knownOperations } from '../graphql/known-operations.js';
import { renderRecoveryPage } from '../http/recovery-page.js';
import { GRAPHQL_PATH } from '../http/paths.js';
import { createHttpServer } from '../http/server.js';
import { requestIdOf } from '../http/request-id.js';
import type { Logger } from '../logger.js';
import type { RecoveryStore } from '../recovery/index.js';
import { createRecoveryService } from './recovery-service.js';
import { DEMO_IDENTITY } from '../stores/index.js';

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
  /** Stops accepting requests, drains the ones in flight, then returns. */
  stop(): Promise<void>;
}

/**
 * Wires the service over an opened store and listens. The caller owns the store, and may
 * pass the metrics it gave openStore, so that store commands show on /metrics too.
 */
export async function startApp(
  config: Config,
  store: RecoveryStore,
  logger: Logger,
  metrics: Metrics = createMetrics(),
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
  // Without PUBLIC_BASE_URL the origin is known only once the server listens (PORT=0).
  let publicBaseUrl = config.publicBaseUrl;
  const recovery = createRecoveryService(config, store, () => publicBaseUrl ?? new URL('http://localhost'));

  const authenticate = createAuthenticator(
    createApiKeyRegistry(config.adminApiKeys),
    config.jwtAuth === null ? null : createJwtVerifier(config.jwtAuth),
  );
  // The page is served to whoever can reach the port: the key goes into it only when that
  // is this machine alone, never with HOST=0.0.0.0 on a shared network.
  const sandboxKey = isLoopbackHost(config.host) ? config.developmentAdminApiKey : null;
  const schema = buildSchema({ maxEntityRepresentations: config.maxEntityRepresentations });
  const parseOptions = { maxTokens: QUERY_LIMITS.maxTokens };
  const validationRules = [aliasLimit(QUERY_LIMITS.maxAliases)];
  const formatError = createErrorFormatter({ debugErrors: config.debugErrors, logger, requestId: requestIdOf });
  const recordRequest = requestRecorder(metrics, logger);
  const known = knownOperations({
    schema,
    documents: persistedOperationDocuments(),
    parseOptions,
    validationRules,
    formatError,
    record: recordRequest,
  });
  const http = createHttpServer({
    knownOperations: known,
    maxBodyBytes: config.maxBodyBytes,
    persistedOperations: config.persistedOperationsOnly ? loadPersistedOperations() : null,
    metrics: async () => ({ contentType: metrics.registry.contentType, body: await metrics.registry.metrics() }),
    logger,
    checkReadiness: () => store.ping(),
    recoveryPage: () => renderRecoveryPage({ settingsUiUrl: config.settingsUiUrl, graphqlPath: GRAPHQL_PATH }),
    createContext: (requestId, authorization, clientAddress): GraphQLContext => ({
      requestId,
      clientAddress,
      recovery,
      requireAdmin: adminGuard(authenticate, authorization),
      identities: identityLoader(recovery),
      activeLinkCounts: activeLinkCountLoader(recovery),
    }),
  });
  const apollo = new ApolloServer<GraphQLContext>({
    schema,
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
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer: http.server, stopGracePeriodMillis: drainGracePeriod(config) }),
      // No field sets cache hints and mutations are never cached: skip computing a policy.
      ApolloServerPluginCacheControlDisabled(),
      labelOperationErrors(),
      requestObserver(recordRequest),
      storageUnavailableStatus(),
      ...inlineTraces({ forAnyone: config.inlineTracesForAnyone }),
      // Sandbox comes with introspection (it needs it): a working example and, when the
      // key was generated, the key already in its headers. Otherwise no landing page at all.
      config.introspection
        ? ApolloServerPluginLandingPageLocalDefault({
            // No telemetry from the page that may hold an admin key.
            embed: { runTelemetry: false },
            ...sandboxExample(DEMO_IDENTITY.id),
            ...(sandboxKey === null ? {} : { headers: { Authorization: `Bearer ${sandboxKey}` } }),
          })
        : ApolloServerPluginLandingPageDisabled(),
    ],
  });
  labelRequestErrors(apollo);
  await apollo.start();
  http.setApollo(apollo);

  await new Promise<void>((resolve, reject) => {
    http.server.once('error', reject);
    http.server.listen(config.port, config.host, () => resolve());
  });
  const { port } = http.server.address() as AddressInfo;
  publicBaseUrl ??= new URL(`http://localhost:${port}`);
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  logger.info({ url: `${url}/graphql` }, 'recovery link subgraph ready');

  // Once: a second caller gets the same promise, never a second stop() of Apollo's (see above).
  let stopped: Promise<void> | undefined;
  return {
    url,
    stop: () => {
      // Answered just before the drain would cut their connections.
      http.drain(Math.max(0, drainGracePeriod(config) - 250));
      known.stop();
      return (stopped ??= apollo.stop());
    },
  };
}
