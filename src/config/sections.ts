import type { Duration, RateLimit, RetentionPolicy, ReturnToAllowlist } from '../recovery/index.js';
import type { TracingSettings } from '../observability/tracing-settings.js';
import type { TrustedProxy } from './trusted-proxy.js';

/**
 * The configuration, one section per subsystem (the sections of docs/configuration.md):
 * each consumer takes the section it needs and nothing else, so what a module can be told
 * to do reads from its parameter list.
 */
export interface Config {
  readonly server: ServerSection;
  readonly store: StoreSection;
  readonly links: LinksSection;
  readonly sessions: SessionsSection;
  readonly auth: AuthSection;
  readonly graphql: GraphqlSection;
  readonly router: RouterSection;
  readonly retention: RetentionSection;
  readonly telemetry: TelemetrySection;
}

/** The HTTP listeners and what one client connection may hold. */
export interface ServerSection {
  readonly host: string;
  readonly port: number;
  /** A listener of its own for /metrics and the health checks; null: they are on `port`. */
  readonly metricsPort: number | null;
  readonly connections: ConnectionLimits;
  /** Largest accepted request body, in bytes. */
  readonly maxBodyBytes: number;
  /** Null means `http://localhost:<listening port>`, known once the server listens. */
  readonly publicBaseUrl: URL | null;
}

/**
 * What one client connection may hold, and how many there may be (applied by
 * src/http/connection-limits.ts).
 */
export interface ConnectionLimits {
  /** From accepting a connection (or the end of the previous request) to the end of the headers. */
  readonly headersTimeoutMilliseconds: number;
  /** From accepting a connection to the end of the request body. */
  readonly requestTimeoutMilliseconds: number;
  /** How long an idle keep-alive connection is kept between requests. */
  readonly keepAliveTimeoutMilliseconds: number;
  /** Connections served as usual; the next HEALTH_RESERVE ones only answer /health/live. */
  readonly maxConnections: number;
}

/** MONGODB_URI picks MongoDB; without it, the embedded in-memory store. */
export type StoreSection = EmbeddedStoreSettings | MongoStoreSettings;

export interface EmbeddedStoreSettings {
  readonly kind: 'embedded';
  /** A JSON file of identities for the embedded store, beside the demo identity. */
  readonly identitiesFile: string | null;
  /** NODE_ENV=production on the embedded store (ALLOW_EMBEDDED_STORE_IN_PRODUCTION): warned about at start. */
  readonly inProduction: boolean;
}

export interface MongoStoreSettings {
  readonly kind: 'mongo';
  readonly uri: string;
  readonly database: string;
  readonly collections: { readonly identities: string; readonly recoveryLinks: string };
  /** How long a request waits for an unreachable or unresponsive database. */
  readonly timeoutMilliseconds: number;
}

/** How links and codes are made, how long they live, and how often they may be asked for. */
export interface LinksSection {
  /** Null means `<public base URL>/recovery`, the page this service serves. */
  readonly baseUrl: URL | null;
  readonly tokenSecret: string;
  /** False when no RECOVERY_TOKEN_SECRET was set and a per-process one was generated. */
  readonly tokenSecretConfigured: boolean;
  readonly defaultLifespan: Duration;
  readonly maxLifespan: Duration;
  /** False: creating a link revokes the identity's older unused links. */
  readonly keepOlderLinks: boolean;
  readonly createLimitPerIdentity: RateLimit;
  readonly redeemLimitPerClient: RateLimit;
  /** Where a flow's returnTo may point instead (RECOVERY_RETURN_TO_ALLOWLIST); empty: nowhere. */
  readonly returnToAllowlist: ReturnToAllowlist;
  readonly codes: {
    /** A code's default lifespan; bounded by maxLifespan too. */
    readonly lifespan: Duration;
    /** Submissions a code flow takes, right or wrong, before it is dead. */
    readonly maxAttempts: number;
  };
}

/** The session a redeemed link grants, and where the recovery page goes next. */
export interface SessionsSection {
  readonly signingKey: string;
  /** False when no SESSION_SIGNING_KEY was set and a per-process one was generated. */
  readonly signingKeyConfigured: boolean;
  readonly maxAge: Duration;
  /** Where the recovery page sends the person after redemption, if anywhere. */
  readonly settingsUiUrl: URL | null;
  /** Where the recovery page posts its redemption; null is this service's own /graphql. */
  readonly recoveryPageGraphqlUrl: URL | null;
}

/**
 * How admin callers authenticate. Without ADMIN_API_KEYS and AUTH_JWKS_URL (refused in
 * production) a one-off key still protects the admin operations; otherwise API keys, JWTs
 * or both.
 */
export type AuthSection =
  | {
      readonly kind: 'development-key';
      /** Printed once at start, and put into Sandbox when the service listens on loopback. */
      readonly developmentKey: string;
      /** AUTH_ADMIN_SCOPE, also named by the admin fields' @requiresScopes in the served SDL. */
      readonly adminScope: string;
    }
  | {
      readonly kind: 'configured';
      /** ADMIN_API_KEYS; empty when only JWTs are accepted. */
      readonly apiKeys: readonly string[];
      readonly jwt: JwtSettings | null;
      readonly adminScope: string;
    };

export interface JwtSettings {
  readonly jwksUrl: URL;
  readonly issuer: string;
  readonly audience: string;
  /** AUTH_MAX_TOKEN_LIFETIME: longest accepted `exp - iat` (or `exp - now`), in seconds. */
  readonly maxTokenLifetimeSeconds: number;
}

/** What the GraphQL endpoint accepts and shows. */
export interface GraphqlSection {
  /** Schema introspection and the Sandbox landing page: on outside production unless turned off. */
  readonly introspection: boolean;
  /**
   * Inline traces (`apollo-federation-include-trace: ftv1`) for any caller. When false,
   * only callers authenticated as admins (or a router forwarding their credential) get
   * them: per-resolver timings would otherwise tell anyone which check failed.
   */
  readonly inlineTracesForAnyone: boolean;
  /** `_service { sdl }` only for admins and the router (production). */
  readonly serviceSdlForAdminsOnly: boolean;
  readonly debugErrors: boolean;
  /** Several operations in one HTTP request (a JSON array); off, so limits count requests. */
  readonly batchedRequests: boolean;
  /** Operations executed by graphql-jit where it answers as graphql-js does (src/graphql/compiled-execution.ts). */
  readonly compiledExecution: boolean;
  /** Representations one `_entities` request may carry (ENTITIES_MAX_REPRESENTATIONS). */
  readonly maxEntityRepresentations: number;
}

/** What makes the service a subgraph behind a router (src/app/behind-router.ts wires it). */
export interface RouterSection {
  /** Proxies whose X-Forwarded-For / Forwarded name the client (TRUSTED_PROXIES). */
  readonly trustedProxies: readonly TrustedProxy[];
  /** With it, /graphql answers only requests carrying it in Router-Authorization. */
  readonly secret: string | null;
  /** Run only the operations of operations/persisted-operations.json. */
  readonly persistedOperationsOnly: boolean;
  /** PERSISTED_OPERATIONS_FILE: an external manifest whose documents are allowed too. */
  readonly persistedOperationsFile: string | null;
}

/** How long links and audit entries are kept, and how often what is due is purged. */
export interface RetentionSection extends RetentionPolicy {
  /** How often the service purges what is due where the store does not do it itself. */
  readonly sweepIntervalMilliseconds: number;
}

export interface TelemetrySection {
  readonly logLevel: string;
  /** OpenTelemetry tracing (the OTEL_* variables); null: off, nothing is started. */
  readonly tracing: TracingSettings | null;
}
