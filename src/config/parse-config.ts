import { randomBytes } from 'node:crypto';
import {
  defaultCodeLifespan,
  durationToMilliseconds,
  type Duration,
  type RateLimit,
  type RetentionPolicy,
  type ReturnToAllowlist,
} from '../recovery/index.js';
import type { TrustedProxy } from '../http/client-address.js';
import { httpsProblems, productionProblems, sharedSecretProblems } from './production-policy.js';
import type { ConnectionLimits } from '../http/connection-limits.js';
import { tracingSettings, type TracingSettings } from '../observability/tracing-settings.js';
import { environmentSchema } from './schema.js';

/** The package name: what the service calls itself in logs, to MongoDB and in traces. */
export const SERVICE_NAME = 'recovery-link-subgraph';

/**
 * The one place that reads the environment (its variables, and what each means, are in
 * config-schema.ts). Everything else receives a typed Config.
 * A bad setting stops the process with one line per problem, never a stack trace.
 */

/** Settings checked against one another, once each parses on its own. */
const checkedEnvironmentSchema = environmentSchema.superRefine((env, context) => {
  // Codes share the links' maximum, so a claim outlives any code as it outlives any link.
  for (const name of ['RECOVERY_LINK_LIFESPAN', 'RECOVERY_CODE_LIFESPAN'] as const) {
    const maximum = env.RECOVERY_LINK_MAX_LIFESPAN;
    if (env[name] === undefined) continue;
    if (env[name].nanoseconds <= 0n) context.addIssue({ code: 'custom', path: [name], message: 'must be positive' });
    if (env[name].nanoseconds > maximum.nanoseconds) {
      const message = `must not exceed RECOVERY_LINK_MAX_LIFESPAN (${maximum.text})`;
      context.addIssue({ code: 'custom', path: [name], message });
    }
  }
  // The session stands in for a password the person no longer has: keep it short.
  const sessionMaxAge = env.PRIVILEGED_SESSION_MAX_AGE.nanoseconds;
  if (sessionMaxAge < 1_000_000_000n || sessionMaxAge > 86_400_000_000_000n) {
    context.addIssue({ code: 'custom', path: ['PRIVILEGED_SESSION_MAX_AGE'], message: 'must be between 1s and 24h' });
  }
  if (env.MONGODB_TIMEOUT.nanoseconds < 100_000_000n || env.MONGODB_TIMEOUT.nanoseconds > 60_000_000_000n) {
    context.addIssue({ code: 'custom', path: ['MONGODB_TIMEOUT'], message: 'must be between 100ms and 60s' });
  }
  for (const name of ['HTTP_HEADERS_TIMEOUT', 'HTTP_REQUEST_TIMEOUT', 'HTTP_KEEP_ALIVE_TIMEOUT'] as const) {
    if (env[name].nanoseconds < 1_000_000_000n || env[name].nanoseconds > 600_000_000_000n) {
      context.addIssue({ code: 'custom', path: [name], message: 'must be between 1s and 10m' });
    }
  }
  // Node counts both from the connection's start: a longer headers timeout would never apply.
  if (env.HTTP_HEADERS_TIMEOUT.nanoseconds > env.HTTP_REQUEST_TIMEOUT.nanoseconds) {
    context.addIssue({
      code: 'custom',
      path: ['HTTP_HEADERS_TIMEOUT'],
      message: `must not exceed HTTP_REQUEST_TIMEOUT (${env.HTTP_REQUEST_TIMEOUT.text})`,
    });
  }
  if (env.METRICS_PORT !== undefined && env.METRICS_PORT !== 0 && env.METRICS_PORT === env.PORT) {
    context.addIssue({
      code: 'custom',
      path: ['METRICS_PORT'],
      message: 'must differ from PORT (leave it unset to share PORT)',
    });
  }
  if (env.AUTH_MAX_TOKEN_LIFETIME.nanoseconds < 1_000_000_000n) {
    context.addIssue({ code: 'custom', path: ['AUTH_MAX_TOKEN_LIFETIME'], message: 'must be at least 1s' });
  }
  if (env.AUTH_JWKS_URL !== undefined && (env.AUTH_ISSUER === undefined || env.AUTH_AUDIENCE === undefined)) {
    context.addIssue({
      code: 'custom',
      path: ['AUTH_JWKS_URL'],
      message: 'needs AUTH_ISSUER and AUTH_AUDIENCE as well',
    });
  }
});

export interface Config {
  readonly production: boolean;
  readonly host: string;
  readonly port: number;
  /** A listener of its own for /metrics and the health checks; null: they are on `port`. */
  readonly metricsPort: number | null;
  readonly connections: ConnectionLimits;
  readonly logLevel: string;
  readonly mongo: {
    readonly uri: string;
    readonly database: string;
    readonly identitiesCollection: string;
    readonly recoveryLinksCollection: string;
    readonly timeoutMilliseconds: number;
  } | null;
  /** A JSON file of identities for the embedded store, beside the demo identity. */
  readonly embeddedIdentitiesFile: string | null;
  /** Null means `http://localhost:<listening port>`, known once the server listens. */
  readonly publicBaseUrl: URL | null;
  /** Null means `<public base URL>/recovery`, the page this service serves. */
  readonly recoveryLinkBaseUrl: URL | null;
  /** Where the recovery page sends the person after redemption, if anywhere. */
  readonly settingsUiUrl: URL | null;
  /** Where a flow's returnTo may point instead (RECOVERY_RETURN_TO_ALLOWLIST); empty: nowhere. */
  readonly returnToAllowlist: ReturnToAllowlist;
  /** False: creating a link revokes the identity's older unused links. */
  readonly keepOlderLinks: boolean;
  readonly createLimitPerIdentity: RateLimit;
  readonly redeemLimitPerClient: RateLimit;
  readonly defaultLifespan: Duration;
  readonly maxLifespan: Duration;
  /** A code's default lifespan; bounded by maxLifespan too. */
  readonly codeLifespan: Duration;
  /** Submissions a code flow takes, right or wrong, before it is dead. */
  readonly codeMaxAttempts: number;
  /** How long links and audit entries are kept (see RetentionPolicy). */
  readonly retention: RetentionPolicy;
  /** How often the service purges what is due where the store does not do it itself. */
  readonly sweepIntervalMilliseconds: number;
  readonly tokenSecret: string;
  /** False when no RECOVERY_TOKEN_SECRET was set and a per-process one was generated. */
  readonly tokenSecretConfigured: boolean;
  readonly sessionSigningKey: string;
  /** False when no SESSION_SIGNING_KEY was set and a per-process one was generated. */
  readonly sessionSigningKeyConfigured: boolean;
  readonly sessionMaxAge: Duration;
  readonly debugErrors: boolean;
  /** Schema introspection and the Sandbox landing page: on outside production unless turned off. */
  readonly introspection: boolean;
  /**
   * Inline traces (`apollo-federation-include-trace: ftv1`) for any caller. When false,
   * only callers authenticated as admins (or a router forwarding their credential) get
   * them: per-resolver timings would otherwise tell anyone which check failed.
   */
  readonly inlineTracesForAnyone: boolean;
  /** Largest accepted request body, in bytes. */
  readonly maxBodyBytes: number;
  /** Several operations in one HTTP request (a JSON array); off, so limits count requests. */
  readonly batchedRequests: boolean;
  /** Operations executed by graphql-jit where it answers as graphql-js does (src/graphql/compiled-execution.ts). */
  readonly compiledExecution: boolean;
  /** NODE_ENV=production without MONGODB_URI, on the embedded store (ALLOW_EMBEDDED_STORE_IN_PRODUCTION). */
  readonly embeddedStoreInProduction: boolean;
  /** Run only the operations of operations/persisted-operations.json. */
  readonly persistedOperationsOnly: boolean;
  /** PERSISTED_OPERATIONS_FILE: an external manifest whose documents are allowed too. */
  readonly persistedOperationsFile: string | null;
  /** Proxies whose X-Forwarded-For / Forwarded name the client (TRUSTED_PROXIES). */
  readonly trustedProxies: readonly TrustedProxy[];
  /** With it, /graphql answers only requests carrying it in Router-Authorization. */
  readonly routerSecret: string | null;
  /** Where the recovery page posts its redemption; null is this service's own /graphql. */
  readonly recoveryPageGraphqlUrl: URL | null;
  /** Representations one `_entities` request may carry (ENTITIES_MAX_REPRESENTATIONS). */
  readonly maxEntityRepresentations: number;
  /** Accepted admin API keys; outside production, one generated key when none is set. */
  readonly adminApiKeys: readonly string[];
  /** The generated key, to print once at start; null when keys or JWTs are configured. */
  readonly developmentAdminApiKey: string | null;
  /** AUTH_ADMIN_SCOPE, also named by the admin fields' @requiresScopes in the served SDL. */
  readonly adminScope: string;
  readonly jwtAuth: {
    readonly jwksUrl: URL;
    readonly issuer: string;
    readonly audience: string;
    readonly adminScope: string;
    /** AUTH_MAX_TOKEN_LIFETIME: longest accepted `exp - iat` (or `exp - now`), in seconds. */
    readonly maxTokenLifetimeSeconds: number;
  } | null;
  /** OpenTelemetry tracing (the OTEL_* variables); null: off, nothing is started. */
  readonly tracing: TracingSettings | null;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

export function parseConfig(environment: Readonly<Record<string, string | undefined>>): ConfigResult {
  // An empty variable means "not set", as in most deployment tools' templates.
  const present = Object.fromEntries(Object.entries(environment).filter(([, value]) => value !== ''));
  const parsed = checkedEnvironmentSchema.safeParse(present);
  const problems = [
    ...(parsed.error?.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`) ?? []),
    ...productionProblems(present),
    ...httpsProblems(present),
    ...sharedSecretProblems(present),
  ];
  if (!parsed.success || problems.length > 0) return { ok: false, problems };
  const env = parsed.data;
  const jwtAuth =
    env.AUTH_JWKS_URL === undefined
      ? null
      : {
          jwksUrl: new URL(env.AUTH_JWKS_URL),
          issuer: env.AUTH_ISSUER!,
          audience: env.AUTH_AUDIENCE!,
          adminScope: env.AUTH_ADMIN_SCOPE,
          maxTokenLifetimeSeconds: Math.floor(durationToMilliseconds(env.AUTH_MAX_TOKEN_LIFETIME) / 1000),
        };
  // Secure by default: without configured credentials, a one-off key still protects the
  // admin operations (production refuses to start instead, above).
  const developmentAdminApiKey =
    env.ADMIN_API_KEYS === undefined && jwtAuth === null ? `dev_${randomBytes(24).toString('base64url')}` : null;
  return {
    ok: true,
    config: {
      production: env.NODE_ENV === 'production',
      host: env.HOST,
      port: env.PORT,
      metricsPort: env.METRICS_PORT ?? null,
      connections: {
        headersTimeoutMilliseconds: durationToMilliseconds(env.HTTP_HEADERS_TIMEOUT),
        requestTimeoutMilliseconds: durationToMilliseconds(env.HTTP_REQUEST_TIMEOUT),
        keepAliveTimeoutMilliseconds: durationToMilliseconds(env.HTTP_KEEP_ALIVE_TIMEOUT),
        maxConnections: env.HTTP_MAX_CONNECTIONS,
      },
      logLevel: env.LOG_LEVEL,
      mongo:
        env.MONGODB_URI === undefined
          ? null
          : {
              uri: env.MONGODB_URI,
              database: env.MONGODB_DB,
              identitiesCollection: env.IDENTITIES_COLLECTION,
              recoveryLinksCollection: env.RECOVERY_LINKS_COLLECTION,
              timeoutMilliseconds: durationToMilliseconds(env.MONGODB_TIMEOUT),
            },
      embeddedIdentitiesFile: env.EMBEDDED_IDENTITIES_FILE ?? null,
      publicBaseUrl: optionalUrl(env.PUBLIC_BASE_URL),
      recoveryLinkBaseUrl: optionalUrl(env.RECOVERY_LINK_BASE_URL),
      settingsUiUrl: optionalUrl(env.SETTINGS_UI_URL),
      returnToAllowlist: env.RECOVERY_RETURN_TO_ALLOWLIST ?? [],
      keepOlderLinks: env.RECOVERY_LINK_KEEP_OLDER,
      createLimitPerIdentity: env.RECOVERY_LINK_RATE_LIMIT,
      redeemLimitPerClient: env.REDEEM_RATE_LIMIT,
      defaultLifespan: env.RECOVERY_LINK_LIFESPAN,
      maxLifespan: env.RECOVERY_LINK_MAX_LIFESPAN,
      codeLifespan: env.RECOVERY_CODE_LIFESPAN ?? defaultCodeLifespan(env.RECOVERY_LINK_MAX_LIFESPAN),
      codeMaxAttempts: env.RECOVERY_CODE_MAX_ATTEMPTS,
      retention: {
        linkMilliseconds: durationToMilliseconds(env.RECOVERY_LINK_RETENTION),
        eventMilliseconds: durationToMilliseconds(env.RECOVERY_EVENTS_RETENTION),
        maxLifespanMilliseconds: durationToMilliseconds(env.RECOVERY_LINK_MAX_LIFESPAN),
      },
      sweepIntervalMilliseconds: Math.max(1000, durationToMilliseconds(env.STORE_SWEEP_INTERVAL)),
      tokenSecret: env.RECOVERY_TOKEN_SECRET ?? randomBytes(32).toString('base64url'),
      tokenSecretConfigured: env.RECOVERY_TOKEN_SECRET !== undefined,
      sessionSigningKey: env.SESSION_SIGNING_KEY ?? randomBytes(32).toString('base64url'),
      sessionSigningKeyConfigured: env.SESSION_SIGNING_KEY !== undefined,
      sessionMaxAge: env.PRIVILEGED_SESSION_MAX_AGE,
      debugErrors: env.DEBUG_ERRORS,
      maxBodyBytes: env.REQUEST_BODY_LIMIT,
      batchedRequests: env.BATCHED_REQUESTS,
      persistedOperationsOnly: env.PERSISTED_OPERATIONS_ONLY,
      compiledExecution: env.COMPILED_EXECUTION,
      embeddedStoreInProduction: env.NODE_ENV === 'production' && env.MONGODB_URI === undefined,
      persistedOperationsFile: env.PERSISTED_OPERATIONS_FILE ?? null,
      trustedProxies: env.TRUSTED_PROXIES ?? [],
      routerSecret: env.ROUTER_SECRET ?? null,
      recoveryPageGraphqlUrl: optionalUrl(env.RECOVERY_PAGE_GRAPHQL_URL),
      maxEntityRepresentations: env.ENTITIES_MAX_REPRESENTATIONS,
      introspection: env.INTROSPECTION === undefined ? env.NODE_ENV !== 'production' : env.INTROSPECTION === 'true',
      inlineTracesForAnyone:
        env.INLINE_TRACES === undefined ? env.NODE_ENV !== 'production' : env.INLINE_TRACES === 'true',
      adminApiKeys: env.ADMIN_API_KEYS ?? (developmentAdminApiKey === null ? [] : [developmentAdminApiKey]),
      developmentAdminApiKey,
      adminScope: env.AUTH_ADMIN_SCOPE,
      jwtAuth,
      tracing: tracingSettings(env, SERVICE_NAME),
    },
  };
}

function optionalUrl(text: string | undefined): URL | null {
  return text === undefined ? null : new URL(text);
}
