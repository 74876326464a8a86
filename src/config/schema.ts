import { z } from 'zod';
import {
  DurationSyntaxError,
  durationToMilliseconds,
  parseDuration,
  parseRateLimit,
  parseReturnToAllowlist,
  type Duration,
  type RateLimit,
  type ReturnToAllowlist,
} from '../recovery/index.js';
import { tracingEnvironmentSchema } from '../observability/tracing-settings.js';
import { DEFAULT_CONNECTION_LIMITS, DEFAULT_MAX_ENTITY_REPRESENTATIONS } from './defaults.js';
import { parseTrustedProxy, type TrustedProxy } from './trusted-proxy.js';

/**
 * The environment variables the service reads, each with what it means: parse-config.ts parses
 * the environment with this schema, and `npm run config-docs` writes docs/configuration.md
 * from the same fields (`.meta({ section, description, default? })`; the default column
 * comes from the schema's own default unless `default` words a computed one), so the
 * reference cannot drift from what is checked. Each variable's section is the Config
 * section (sections.ts) it is read into.
 */
export type SettingSection =
  'server' | 'store' | 'links' | 'sessions' | 'auth' | 'graphql' | 'router' | 'retention' | 'telemetry';

const duration = z.string().transform((text, context): Duration => {
  try {
    return parseDuration(text);
  } catch (error) {
    context.addIssue({ code: 'custom', message: error instanceof DurationSyntaxError ? error.message : String(error) });
    return z.NEVER;
  }
});

const rateLimit = z.string().transform((text, context): RateLimit => {
  try {
    return parseRateLimit(text, (window) => durationToMilliseconds(parseDuration(window)));
  } catch (error) {
    context.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
    return z.NEVER;
  }
});

const trustedProxies = z.string().transform((list, context): TrustedProxy[] => {
  const proxies: TrustedProxy[] = [];
  for (const entry of list.split(',').map((item) => item.trim())) {
    if (entry === '') continue;
    try {
      proxies.push(parseTrustedProxy(entry));
    } catch (error) {
      context.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
    }
  }
  return proxies;
});

const returnToAllowlist = z.string().transform((list, context): ReturnToAllowlist => {
  try {
    return parseReturnToAllowlist(list);
  } catch (error) {
    context.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
    return z.NEVER;
  }
});

const flag = z
  .enum(['true', 'false'])
  .default('false')
  .transform((value) => value === 'true');

const httpUrl = z.url({ protocol: /^https?$/ });
const secret = z.string().min(32, 'must be at least 32 characters');

export const environmentSchema = z.object({
  // A misspelt production (`Production`, `prod`) must not quietly run development mode.
  NODE_ENV: z
    .enum(['development', 'test', 'production'], { error: 'must be development, test or production' })
    .default('development')
    .meta({
      section: 'server',
      description:
        '`production` turns off introspection, Sandbox, field suggestions and anonymous inline traces, and requires the settings of the [checklist](operations.md#production-checklist). Anything but `development`, `test` and `production` is refused.',
    }),
  HOST: z.string().min(1).default('127.0.0.1').meta({
    section: 'server',
    description: 'Interface to listen on; set `0.0.0.0` in a container, behind an authenticating gateway.',
  }),
  PORT: z.coerce
    .number()
    .int()
    .min(0)
    .max(65535)
    .default(4000)
    .meta({ section: 'server', description: 'HTTP port (`0` picks a free one).' }),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional().meta({
    section: 'server',
    description:
      'A port of its own for `/metrics` (then gone from `PORT`) and a copy of `/health/*`; unset, they share `PORT`.',
  }),
  HTTP_HEADERS_TIMEOUT: duration.prefault(DEFAULT_CONNECTION_LIMITS.headersTimeout).meta({
    section: 'server',
    description:
      "Time from a connection's start to the end of its headers (1s to 10m, at most `HTTP_REQUEST_TIMEOUT`); slower (or silent) connections are closed ([connection limits](operations.md#connection-limits)).",
  }),
  HTTP_REQUEST_TIMEOUT: duration.prefault(DEFAULT_CONNECTION_LIMITS.requestTimeout).meta({
    section: 'server',
    description: "Time from a connection's start to the end of its request body (1s to 10m); 408 and closed after.",
  }),
  HTTP_KEEP_ALIVE_TIMEOUT: duration.prefault(DEFAULT_CONNECTION_LIMITS.keepAliveTimeout).meta({
    section: 'server',
    description: 'How long an idle keep-alive connection is kept (1s to 10m).',
  }),
  HTTP_MAX_CONNECTIONS: z.coerce
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(DEFAULT_CONNECTION_LIMITS.maxConnections)
    .meta({
      section: 'server',
      description:
        'Connections served at once; the next 32 answer only `/health/live` (others 503 `too_many_connections`), further ones are closed at once.',
    }),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').meta({
    section: 'telemetry',
    description: '`fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`; logs are JSON lines on stdout.',
  }),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// or mongodb+srv:// connection string')
    .optional()
    .meta({
      section: 'store',
      description: 'MongoDB connection string; unset means the embedded in-memory store (refused in production).',
    }),
  MONGODB_DB: z.string().min(1).default('iam').meta({ section: 'store', description: 'Database name.' }),
  IDENTITIES_COLLECTION: z.string().min(1).default('identities').meta({
    section: 'store',
    description: 'Collection holding identities (`_id`, `state`, `schema_id`, `traits`, `created_at`, `updated_at`).',
  }),
  RECOVERY_LINKS_COLLECTION: z.string().min(1).default('recovery_links').meta({
    section: 'store',
    description:
      'Names the collections: links, claims, decisions and rate-limit slots go to `<name>_claims` (one insert per creation), outstanding sets to `<name>_outstanding`; `<name>` holds links written by earlier versions, still read.',
  }),
  MONGODB_TIMEOUT: duration.prefault('2s').meta({
    section: 'store',
    description:
      'How long a request waits for an unreachable or unresponsive database (a server, a connection, an answer) before 503 `storage_unavailable` (100ms to 60s); on SIGTERM, requests in flight get this plus 1s.',
  }),
  EMBEDDED_IDENTITIES_FILE: z.string().min(1).optional().meta({
    section: 'store',
    description:
      'Without `MONGODB_URI`: a JSON array of `{id, state?, traits?}` loaded into the embedded store beside the demo identity ([`examples/identities.json`](../examples/identities.json) is one).',
  }),
  RECOVERY_LINK_BASE_URL: httpUrl.optional().meta({
    section: 'links',
    default: '`<PUBLIC_BASE_URL>/recovery`',
    description:
      'Where links point; `?flow=…&token=…` is appended, keeping any query string already there. https in production.',
  }),
  RECOVERY_LINK_LIFESPAN: duration.prefault('1h').meta({
    section: 'links',
    description: 'Lifespan when `expiresIn` is omitted (Go duration); positive, at most `RECOVERY_LINK_MAX_LIFESPAN`.',
  }),
  RECOVERY_LINK_MAX_LIFESPAN: duration
    .prefault('720h')
    .meta({ section: 'links', description: 'Longest `expiresIn` accepted, for links and codes alike.' }),
  RECOVERY_CODE_LIFESPAN: duration.optional().meta({
    section: 'links',
    default: '`15m`',
    description:
      'Lifespan of a recovery code when `expiresIn` is omitted (Go duration); at most `RECOVERY_LINK_MAX_LIFESPAN`, which bounds codes too (unset, a shorter maximum wins).',
  }),
  RECOVERY_CODE_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5).meta({
    section: 'links',
    description:
      'Submissions a code flow takes, right or wrong, before it is dead (`recovery_code_attempts_exhausted`); 1 to 20.',
  }),
  RECOVERY_TOKEN_SECRET: secret.optional().meta({
    section: 'links',
    default: 'random per process (with a warning)',
    description:
      'HMAC key for stored token hashes, at least 32 characters. Required in production; without it links break on restart and differ between replicas.',
  }),
  RECOVERY_LINK_KEEP_OLDER: flag.meta({
    section: 'links',
    description:
      '`true` leaves older unused links valid when a new one is created; redeeming any link still revokes all the others.',
  }),
  RECOVERY_LINK_RATE_LIMIT: rateLimit.prefault('10/1h').meta({
    section: 'links',
    description:
      'Links per identity per window (`<count>/<Go duration>`), shared by all replicas through the database.',
  }),
  RECOVERY_LINK_RETENTION: duration.prefault('168h').meta({
    section: 'retention',
    description:
      'How long a link is kept after it expired, and at least as long as audit entries ([retention](operations.md#retention)).',
  }),
  RECOVERY_EVENTS_RETENTION: duration.prefault('2160h').meta({
    section: 'retention',
    description: 'How long audit entries (creations, claims, failures) are kept: 90 days.',
  }),
  STORE_SWEEP_INTERVAL: duration.prefault('1m').meta({
    section: 'retention',
    description:
      'Where the database has no TTL indexes (FerretDB v1) and in the embedded store: how often the service deletes what is due, in batches of 1,000 (at least 1s).',
  }),
  REDEEM_RATE_LIMIT: rateLimit.prefault('30/1m').meta({
    section: 'links',
    description: 'Redemption attempts per client address per window, shared by all replicas.',
  }),
  PUBLIC_BASE_URL: httpUrl.optional().meta({
    section: 'server',
    default: '`http://localhost:<PORT>`',
    description:
      "Where this service is reached from outside; the session JWT's `iss`, and the origin of the default link base. Required in production, and https there.",
  }),
  SETTINGS_UI_URL: httpUrl.optional().meta({
    section: 'sessions',
    description:
      'Where the recovery page continues after redemption, with `#session_token=…`. https in production, as are `PUBLIC_BASE_URL` and `RECOVERY_LINK_BASE_URL`.',
  }),
  RECOVERY_RETURN_TO_ALLOWLIST: returnToAllowlist.optional().meta({
    section: 'links',
    default: 'empty',
    description:
      "Where a link's `returnTo` may lead instead of `SETTINGS_UI_URL`: comma-separated origins, each optionally with a path prefix (`https://app.example.com/settings/`). Empty: every `returnTo` is refused (`return_to_forbidden`). https in production, or loopback http ([api](api.md#return-urls)).",
  }),
  SESSION_SIGNING_KEY: secret.optional().meta({
    section: 'sessions',
    default: 'random per process (with a warning)',
    description:
      'HS256 key for session JWTs, at least 32 characters, shared with the settings service. Required in production. It, `RECOVERY_TOKEN_SECRET` and each admin key must all differ.',
  }),
  PRIVILEGED_SESSION_MAX_AGE: duration.prefault('15m').meta({
    section: 'sessions',
    description: 'Lifetime of the session a redeemed link grants (1s to 24h).',
  }),
  ADMIN_API_KEYS: z
    .string()
    .transform((list) =>
      list
        .split(',')
        .map((key) => key.trim())
        .filter((key) => key !== ''),
    )
    .refine((keys) => keys.length > 0, 'must list at least one key')
    .refine((keys) => keys.every((key) => key.length >= 32), 'every key must be at least 32 characters')
    .optional()
    .meta({
      section: 'auth',
      default: 'one-off key outside production',
      description:
        'Comma-separated admin API keys, each at least 32 characters, sent as `Authorization: Bearer <key>`; kept in memory as SHA-256 digests only.',
    }),
  AUTH_JWKS_URL: httpUrl.optional().meta({
    section: 'auth',
    description:
      'JWKS of the identity provider whose JWTs (forwarded by a router) may call admin operations; needs `AUTH_ISSUER` and `AUTH_AUDIENCE`. In production https only (plain http on a loopback address or `localhost`). JWTs must carry `exp` and `sub`; an unreachable JWKS answers 503 `identity_provider_unavailable`.',
  }),
  AUTH_ISSUER: z.string().min(1).optional().meta({ section: 'auth', description: 'Required `iss` of those JWTs.' }),
  AUTH_AUDIENCE: z.string().min(1).optional().meta({ section: 'auth', description: 'Required `aud` of those JWTs.' }),
  AUTH_ADMIN_SCOPE: z.string().regex(/^\S+$/, 'must be a single scope').default('recovery:write').meta({
    section: 'auth',
    description:
      "Scope (in `scope` or `scp`) a JWT needs; a valid JWT without it gets 403. The served SDL's `@requiresScopes` name it.",
  }),
  AUTH_MAX_TOKEN_LIFETIME: duration.prefault('24h').meta({
    section: 'auth',
    description:
      'Longest accepted JWT lifetime (`exp - iat`, or `exp - now` without `iat`; at least 1s); longer-lived tokens get 401.',
  }),
  DEBUG_ERRORS: flag.meta({
    section: 'graphql',
    description: '`true` adds the underlying message as `error.debug` to internal errors. Refused in production.',
  }),
  INTROSPECTION: z.enum(['true', 'false']).optional().meta({
    section: 'graphql',
    default: '`true` outside production',
    description:
      'Schema introspection, the Sandbox landing page and "Did you mean" suggestions in validation errors; `false` in production unless set to `true`.',
  }),
  INLINE_TRACES: z.enum(['true', 'false']).optional().meta({
    section: 'graphql',
    default: '`true` outside production',
    description:
      '`true`: anyone sending `apollo-federation-include-trace: ftv1` gets a federated trace. `false` (production default): only callers whose credential authenticates as an admin; their timings would tell anyone else which check failed.',
  }),
  REQUEST_BODY_LIMIT: z.coerce
    .number()
    .int()
    .min(1024)
    .max(10 * 1024 * 1024)
    .default(100 * 1024)
    .meta({ section: 'server', description: 'Largest request body in bytes (1 KiB to 10 MiB); larger ones get 413.' }),
  BATCHED_REQUESTS: flag.meta({
    section: 'graphql',
    description:
      '`true` accepts several operations in one request (a JSON array); off by default so that limits count what clients send.',
  }),
  PERSISTED_OPERATIONS_ONLY: flag.meta({
    section: 'router',
    description:
      '`true` runs only persisted documents (`operations/persisted-operations.json` and `PERSISTED_OPERATIONS_FILE`), sent as the document, by `documentId` or by `extensions.persistedQuery`; others get 400 `operation_not_allowed`. Requests with `ROUTER_SECRET` pass ([api](api.md#three-ways-in)).',
  }),
  ALLOW_EMBEDDED_STORE_IN_PRODUCTION: flag.meta({
    section: 'store',
    description:
      "`true` lets `NODE_ENV=production` run on the embedded store without `MONGODB_URI`, with a warning at start: for benchmarks of production's code paths only (it keeps nothing and serves a demo identity).",
  }),
  COMPILED_EXECUTION: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true')
    .meta({
      section: 'graphql',
      description:
        "Operations run compiled by graphql-jit inside Apollo's pipeline wherever it answers exactly as graphql-js does (graphql-js otherwise; see [development.md](development.md#how-a-graphql-request-is-answered)); `false` runs graphql-js for everything.",
    }),
  PERSISTED_OPERATIONS_FILE: z.string().min(1).optional().meta({
    section: 'router',
    description:
      "A frontend's manifest whose documents are persisted too: Apollo's persisted query manifest, or a `{hash: document}` map (sha256 or sha1).",
  }),
  TRUSTED_PROXIES: trustedProxies.optional().meta({
    section: 'router',
    default: 'none',
    description:
      'Comma-separated addresses or CIDRs (IPv4, IPv6) whose `X-Forwarded-For` / `Forwarded` name the client, for the rate limits, the audit trail and the logs.',
  }),
  ROUTER_SECRET: secret.optional().meta({
    section: 'router',
    description:
      'At least 32 characters. When set, `/graphql` answers only requests carrying it in `Router-Authorization` (others: 401 `router_secret_required`), and answers them 200 for `rate_limited` and `storage_unavailable` ([behind a router](federation.md#behind-a-router)).',
  }),
  RECOVERY_PAGE_GRAPHQL_URL: httpUrl.optional().meta({
    section: 'sessions',
    default: "this service's `/graphql`",
    description:
      "Where the recovery page posts the redemption: the router's public endpoint when `ROUTER_SECRET` is set; its origin is added to the page's CSP `connect-src`.",
  }),
  ENTITIES_MAX_REPRESENTATIONS: z.coerce
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(DEFAULT_MAX_ENTITY_REPRESENTATIONS)
    .meta({
      section: 'graphql',
      description:
        'Most representations one request from a gateway may carry, summed over its `_entities` fields (aliases included); more get one 400 `invalid_input`.',
    }),
  ...tracingEnvironmentSchema.shape,
});
