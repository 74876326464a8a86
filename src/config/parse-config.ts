import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { defaultCodeLifespan, durationToMilliseconds } from '../recovery/index.js';
import { tracingSettings } from '../observability/tracing-settings.js';
import { checkedEnvironmentSchema, sharedSecretProblems } from './consistency.js';
import { httpsProblems, productionDefaults, productionProblems } from './production-policy.js';
import type { AuthSection, Config, JwtSettings } from './sections.js';

/** The package name: what the service calls itself in logs, to MongoDB and in traces. */
export const SERVICE_NAME = 'recovery-link-subgraph';

/**
 * The one place that reads the environment (its variables, and what each means, are in
 * schema.ts). Everything else receives a typed section of the Config.
 * A bad setting stops the process with one line per problem, never a stack trace.
 */

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
  const production = productionDefaults(env);
  return {
    ok: true,
    config: {
      server: {
        host: env.HOST,
        port: env.PORT,
        metricsPort: env.METRICS_PORT ?? null,
        connections: {
          headersTimeoutMilliseconds: durationToMilliseconds(env.HTTP_HEADERS_TIMEOUT),
          requestTimeoutMilliseconds: durationToMilliseconds(env.HTTP_REQUEST_TIMEOUT),
          keepAliveTimeoutMilliseconds: durationToMilliseconds(env.HTTP_KEEP_ALIVE_TIMEOUT),
          maxConnections: env.HTTP_MAX_CONNECTIONS,
        },
        maxBodyBytes: env.REQUEST_BODY_LIMIT,
        publicBaseUrl: optionalUrl(env.PUBLIC_BASE_URL),
      },
      store:
        env.MONGODB_URI === undefined
          ? {
              kind: 'embedded',
              identitiesFile: env.EMBEDDED_IDENTITIES_FILE ?? null,
              inProduction: production.embeddedStoreInProduction,
            }
          : {
              kind: 'mongo',
              uri: env.MONGODB_URI,
              database: env.MONGODB_DB,
              collections: { identities: env.IDENTITIES_COLLECTION, recoveryLinks: env.RECOVERY_LINKS_COLLECTION },
              timeoutMilliseconds: durationToMilliseconds(env.MONGODB_TIMEOUT),
            },
      links: {
        baseUrl: optionalUrl(env.RECOVERY_LINK_BASE_URL),
        tokenSecret: env.RECOVERY_TOKEN_SECRET ?? randomBytes(32).toString('base64url'),
        tokenSecretConfigured: env.RECOVERY_TOKEN_SECRET !== undefined,
        defaultLifespan: env.RECOVERY_LINK_LIFESPAN,
        maxLifespan: env.RECOVERY_LINK_MAX_LIFESPAN,
        keepOlderLinks: env.RECOVERY_LINK_KEEP_OLDER,
        createLimitPerIdentity: env.RECOVERY_LINK_RATE_LIMIT,
        redeemLimitPerClient: env.REDEEM_RATE_LIMIT,
        returnToAllowlist: env.RECOVERY_RETURN_TO_ALLOWLIST ?? [],
        codes: {
          lifespan: env.RECOVERY_CODE_LIFESPAN ?? defaultCodeLifespan(env.RECOVERY_LINK_MAX_LIFESPAN),
          maxAttempts: env.RECOVERY_CODE_MAX_ATTEMPTS,
        },
      },
      sessions: {
        signingKey: env.SESSION_SIGNING_KEY ?? randomBytes(32).toString('base64url'),
        signingKeyConfigured: env.SESSION_SIGNING_KEY !== undefined,
        maxAge: env.PRIVILEGED_SESSION_MAX_AGE,
        settingsUiUrl: optionalUrl(env.SETTINGS_UI_URL),
        recoveryPageGraphqlUrl: optionalUrl(env.RECOVERY_PAGE_GRAPHQL_URL),
      },
      auth: authSection(env),
      graphql: {
        introspection: production.introspection,
        inlineTracesForAnyone: production.inlineTracesForAnyone,
        serviceSdlForAdminsOnly: production.serviceSdlForAdminsOnly,
        debugErrors: env.DEBUG_ERRORS,
        batchedRequests: env.BATCHED_REQUESTS,
        compiledExecution: env.COMPILED_EXECUTION,
        maxEntityRepresentations: env.ENTITIES_MAX_REPRESENTATIONS,
      },
      router: {
        trustedProxies: env.TRUSTED_PROXIES ?? [],
        secret: env.ROUTER_SECRET ?? null,
        persistedOperationsOnly: env.PERSISTED_OPERATIONS_ONLY,
        persistedOperationsFile: env.PERSISTED_OPERATIONS_FILE ?? null,
      },
      retention: {
        linkMilliseconds: durationToMilliseconds(env.RECOVERY_LINK_RETENTION),
        eventMilliseconds: durationToMilliseconds(env.RECOVERY_EVENTS_RETENTION),
        maxLifespanMilliseconds: durationToMilliseconds(env.RECOVERY_LINK_MAX_LIFESPAN),
        sweepIntervalMilliseconds: Math.max(1000, durationToMilliseconds(env.STORE_SWEEP_INTERVAL)),
      },
      telemetry: { logLevel: env.LOG_LEVEL, tracing: tracingSettings(env, SERVICE_NAME) },
    },
  };
}

type ParsedEnvironment = z.output<typeof checkedEnvironmentSchema>;

function authSection(env: ParsedEnvironment): AuthSection {
  const jwt: JwtSettings | null =
    env.AUTH_JWKS_URL === undefined
      ? null
      : {
          jwksUrl: new URL(env.AUTH_JWKS_URL),
          issuer: env.AUTH_ISSUER!,
          audience: env.AUTH_AUDIENCE!,
          maxTokenLifetimeSeconds: Math.floor(durationToMilliseconds(env.AUTH_MAX_TOKEN_LIFETIME) / 1000),
        };
  // Secure by default: without configured credentials, a one-off key still protects the
  // admin operations (production refuses to start instead, in the production policy).
  if (env.ADMIN_API_KEYS === undefined && jwt === null) {
    return {
      kind: 'development-key',
      developmentKey: `dev_${randomBytes(24).toString('base64url')}`,
      adminScope: env.AUTH_ADMIN_SCOPE,
    };
  }
  return { kind: 'configured', apiKeys: env.ADMIN_API_KEYS ?? [], jwt, adminScope: env.AUTH_ADMIN_SCOPE };
}

/** The one-off development key, when authentication falls back on it; null otherwise. */
export function developmentAdminKey(auth: AuthSection): string | null {
  return auth.kind === 'development-key' ? auth.developmentKey : null;
}

function optionalUrl(text: string | undefined): URL | null {
  return text === undefined ? null : new URL(text);
}
