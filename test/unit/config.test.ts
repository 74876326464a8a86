import { describe, expect, it } from 'vitest';
import { parseConfig, type Config } from '../../src/config/index.js';

function configOf(environment: Record<string, string>): Config {
  const result = parseConfig(environment);
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.config;
}

/** Everything production requires, so each test can take one thing away. */
const PRODUCTION = {
  RECOVERY_TOKEN_SECRET: 's'.repeat(32),
  SESSION_SIGNING_KEY: 'k'.repeat(32),
  ADMIN_API_KEYS: 'a'.repeat(32),
  MONGODB_URI: 'mongodb://db.internal:27017',
  PUBLIC_BASE_URL: 'https://id.example.com',
};

function problemsOf(environment: Record<string, string>): string[] {
  const result = parseConfig(environment);
  return result.ok ? [] : result.problems;
}

describe('parseConfig', () => {
  it('has defaults that run the embedded store locally', () => {
    const config = configOf({});
    expect(config).toMatchObject({
      production: false,
      host: '127.0.0.1',
      port: 4000,
      mongo: null,
      recoveryLinkBaseUrl: null,
      debugErrors: false,
      tokenSecretConfigured: false,
    });
    expect(config.defaultLifespan.nanoseconds).toBe(3_600_000_000_000n);
    expect(config.maxLifespan.nanoseconds).toBe(720n * 3_600_000_000_000n);
    expect(config.tokenSecret).toHaveLength(43);
  });

  it('reads MongoDB, collections, lifespans and the base URL', () => {
    const config = configOf({
      MONGODB_URI: 'mongodb://db.internal:27017',
      MONGODB_DB: 'kratos',
      IDENTITIES_COLLECTION: 'people',
      RECOVERY_LINK_BASE_URL: 'https://id.example.com/recover?tenant=acme',
      RECOVERY_LINK_LIFESPAN: '30m',
      RECOVERY_LINK_MAX_LIFESPAN: '24h',
    });
    expect(config.mongo).toEqual({
      uri: 'mongodb://db.internal:27017',
      database: 'kratos',
      identitiesCollection: 'people',
      recoveryLinksCollection: 'recovery_links',
      timeoutMilliseconds: 2_000,
    });
    expect(configOf({ MONGODB_URI: 'mongodb://db', MONGODB_TIMEOUT: '500ms' }).mongo?.timeoutMilliseconds).toBe(500);
    expect(problemsOf({ MONGODB_TIMEOUT: '2m' })).toEqual(['MONGODB_TIMEOUT: must be between 100ms and 60s']);
    expect(config.recoveryLinkBaseUrl?.toString()).toBe('https://id.example.com/recover?tenant=acme');
    expect(config.defaultLifespan.text).toBe('30m');
  });

  it('treats empty variables as unset', () => {
    expect(configOf({ MONGODB_URI: '', PORT: '' })).toMatchObject({ mongo: null, port: 4000 });
  });

  it('reports every problem at once', () => {
    expect(
      problemsOf({
        PORT: '70000',
        MONGODB_URI: 'http://db',
        RECOVERY_LINK_BASE_URL: 'ftp://x',
        RECOVERY_LINK_MAX_LIFESPAN: 'forever',
        DEBUG_ERRORS: 'yes',
      }),
    ).toEqual([
      expect.stringMatching(/^PORT: /),
      expect.stringMatching(/^MONGODB_URI: must be a mongodb:\/\//),
      expect.stringMatching(/^RECOVERY_LINK_BASE_URL: /),
      expect.stringMatching(/^RECOVERY_LINK_MAX_LIFESPAN: "forever" is not a duration/),
      expect.stringMatching(/^DEBUG_ERRORS: /),
    ]);
  });

  it('keeps the privileged session between 1s and 24h', () => {
    expect(configOf({ PRIVILEGED_SESSION_MAX_AGE: '5m' }).sessionMaxAge.text).toBe('5m');
    expect(problemsOf({ PRIVILEGED_SESSION_MAX_AGE: '999ms' })).toEqual([
      'PRIVILEGED_SESSION_MAX_AGE: must be between 1s and 24h',
    ]);
    expect(problemsOf({ PRIVILEGED_SESSION_MAX_AGE: '24h1s' })).toEqual([
      'PRIVILEGED_SESSION_MAX_AGE: must be between 1s and 24h',
    ]);
  });

  it('refuses a default lifespan that is not positive or exceeds the maximum', () => {
    expect(problemsOf({ RECOVERY_LINK_LIFESPAN: '0s' })).toEqual(['RECOVERY_LINK_LIFESPAN: must be positive']);
    expect(problemsOf({ RECOVERY_LINK_LIFESPAN: '2h', RECOVERY_LINK_MAX_LIFESPAN: '1h' })).toEqual([
      'RECOVERY_LINK_LIFESPAN: must not exceed RECOVERY_LINK_MAX_LIFESPAN (1h)',
    ]);
  });

  it('gives codes 15m and 5 attempts by default, bounded by the links maximum lifespan', () => {
    const defaults = configOf({});
    expect(defaults.codeLifespan.text).toBe('15m');
    expect(defaults.codeMaxAttempts).toBe(5);
    expect(configOf({ RECOVERY_CODE_LIFESPAN: '5m', RECOVERY_CODE_MAX_ATTEMPTS: '3' })).toMatchObject({
      codeLifespan: { text: '5m' },
      codeMaxAttempts: 3,
    });
    expect(problemsOf({ RECOVERY_CODE_LIFESPAN: '0s' })).toEqual(['RECOVERY_CODE_LIFESPAN: must be positive']);
    expect(problemsOf({ RECOVERY_CODE_LIFESPAN: '2h', RECOVERY_LINK_MAX_LIFESPAN: '1h' })).toEqual([
      'RECOVERY_CODE_LIFESPAN: must not exceed RECOVERY_LINK_MAX_LIFESPAN (1h)',
    ]);
    // Unset, it fits a maximum set shorter before codes existed, instead of refusing to start.
    expect(configOf({ RECOVERY_LINK_LIFESPAN: '5m', RECOVERY_LINK_MAX_LIFESPAN: '10m' }).codeLifespan.text).toBe('10m');
    expect(problemsOf({ RECOVERY_CODE_MAX_ATTEMPTS: '0' })[0]).toMatch(/^RECOVERY_CODE_MAX_ATTEMPTS: /);
    expect(problemsOf({ RECOVERY_CODE_MAX_ATTEMPTS: '21' })[0]).toMatch(/^RECOVERY_CODE_MAX_ATTEMPTS: /);
  });

  it('requires a real token secret and no debug output in production', () => {
    expect(problemsOf({ NODE_ENV: 'production', DEBUG_ERRORS: 'true' })).toEqual([
      'RECOVERY_TOKEN_SECRET: is required when NODE_ENV=production',
      'SESSION_SIGNING_KEY: is required when NODE_ENV=production',
      'ADMIN_API_KEYS or AUTH_JWKS_URL: admin operations must be authenticated when NODE_ENV=production; set at least one',
      'DEBUG_ERRORS: must not be true when NODE_ENV=production: debug details would reach clients',
      'MONGODB_URI: is required when NODE_ENV=production: the embedded store keeps nothing and serves a demo identity (ALLOW_EMBEDDED_STORE_IN_PRODUCTION=true overrides this, for benchmarks)',
      'PUBLIC_BASE_URL: is required when NODE_ENV=production: links and the session token issuer would otherwise name localhost',
    ]);
    const keys = PRODUCTION;
    expect(problemsOf({ NODE_ENV: 'production', ...keys, RECOVERY_TOKEN_SECRET: 'short' })).toEqual([
      'RECOVERY_TOKEN_SECRET: must be at least 32 characters',
    ]);
    expect(configOf({ NODE_ENV: 'production', ...keys })).toMatchObject({
      production: true,
      tokenSecret: 's'.repeat(32),
      tokenSecretConfigured: true,
      sessionSigningKeyConfigured: true,
      adminApiKeys: ['a'.repeat(32)],
      developmentAdminApiKey: null,
    });
  });

  it('turns introspection on outside production and off in it, unless set explicitly', () => {
    const production = { NODE_ENV: 'production', ...PRODUCTION };
    expect(configOf({}).introspection).toBe(true);
    expect(configOf({ INTROSPECTION: 'false' }).introspection).toBe(false);
    expect(configOf(production).introspection).toBe(false);
    expect(configOf({ ...production, INTROSPECTION: 'true' }).introspection).toBe(true);
  });

  it('reads rate limits as count per Go duration', () => {
    const config = configOf({ RECOVERY_LINK_RATE_LIMIT: '5/30m', REDEEM_RATE_LIMIT: '100/1h' });
    expect(config.createLimitPerIdentity).toEqual({ limit: 5, windowMilliseconds: 1_800_000, text: '5/30m' });
    expect(config.redeemLimitPerClient).toEqual({ limit: 100, windowMilliseconds: 3_600_000, text: '100/1h' });
    expect(configOf({}).createLimitPerIdentity.text).toBe('10/1h');
    expect(problemsOf({ REDEEM_RATE_LIMIT: 'lots' })).toEqual([
      'REDEEM_RATE_LIMIT: "lots" is not a rate limit like 10/1h',
    ]);
    expect(problemsOf({ REDEEM_RATE_LIMIT: '5/10ms' })).toEqual([
      'REDEEM_RATE_LIMIT: the window of "5/10ms" must be at least 1s',
    ]);
  });

  it('generates a one-off admin key outside production when no authentication is configured', () => {
    const config = configOf({});
    expect(config.developmentAdminApiKey).toMatch(/^dev_[\w-]{32}$/);
    expect(config.adminApiKeys).toEqual([config.developmentAdminApiKey]);
    expect(configOf({}).developmentAdminApiKey).not.toBe(config.developmentAdminApiKey);
  });

  it('reads admin API keys and JWT settings', () => {
    const config = configOf({
      ADMIN_API_KEYS: ` ${'a'.repeat(32)} , ${'b'.repeat(40)},`,
      AUTH_JWKS_URL: 'https://login.example.com/.well-known/jwks.json',
      AUTH_ISSUER: 'https://login.example.com/',
      AUTH_AUDIENCE: 'recovery-admin',
    });
    expect(config.adminApiKeys).toEqual(['a'.repeat(32), 'b'.repeat(40)]);
    expect(config.developmentAdminApiKey).toBeNull();
    expect(config.jwtAuth).toEqual({
      jwksUrl: new URL('https://login.example.com/.well-known/jwks.json'),
      issuer: 'https://login.example.com/',
      audience: 'recovery-admin',
      adminScope: 'recovery:write',
      maxTokenLifetimeSeconds: 86_400,
    });
    expect(problemsOf({ ADMIN_API_KEYS: 'short' })).toEqual([
      'ADMIN_API_KEYS: every key must be at least 32 characters',
    ]);
    expect(problemsOf({ ADMIN_API_KEYS: ',,' })).toEqual(['ADMIN_API_KEYS: must list at least one key']);
    expect(problemsOf({ AUTH_JWKS_URL: 'https://login.example.com/jwks' })).toEqual([
      'AUTH_JWKS_URL: needs AUTH_ISSUER and AUTH_AUDIENCE as well',
    ]);
  });

  it('refuses production without a database or a public base URL, one line each', () => {
    const { MONGODB_URI: _uri, PUBLIC_BASE_URL: _base, ...rest } = PRODUCTION;
    expect(problemsOf({ NODE_ENV: 'production', ...rest })).toEqual([
      'MONGODB_URI: is required when NODE_ENV=production: the embedded store keeps nothing and serves a demo identity (ALLOW_EMBEDDED_STORE_IN_PRODUCTION=true overrides this, for benchmarks)',
      'PUBLIC_BASE_URL: is required when NODE_ENV=production: links and the session token issuer would otherwise name localhost',
    ]);
    // Outside production both stay optional: the embedded store and localhost are the point there.
    expect(configOf(rest)).toMatchObject({ mongo: null, publicBaseUrl: null, embeddedStoreInProduction: false });
  });

  it('runs production on the embedded store only with the explicit opt-in', () => {
    const { MONGODB_URI: _uri, ...rest } = PRODUCTION;
    const production = { NODE_ENV: 'production', ...rest };
    expect(problemsOf(production)).toEqual([expect.stringMatching(/^MONGODB_URI: is required/)]);
    expect(problemsOf({ ...production, ALLOW_EMBEDDED_STORE_IN_PRODUCTION: 'false' })).toHaveLength(1);
    expect(configOf({ ...production, ALLOW_EMBEDDED_STORE_IN_PRODUCTION: 'true' })).toMatchObject({
      production: true,
      mongo: null,
      embeddedStoreInProduction: true,
    });
    // With a database the opt-in changes nothing.
    expect(
      configOf({ ...PRODUCTION, NODE_ENV: 'production', ALLOW_EMBEDDED_STORE_IN_PRODUCTION: 'true' }),
    ).toMatchObject({ embeddedStoreInProduction: false });
  });

  it('refuses a JWKS over plain http in production, except on loopback', () => {
    const jwt = { AUTH_ISSUER: 'https://login.example.com/', AUTH_AUDIENCE: 'recovery-admin' };
    const production = { NODE_ENV: 'production', ...PRODUCTION, ...jwt };
    expect(problemsOf({ ...production, AUTH_JWKS_URL: 'http://login.example.com/jwks.json' })).toEqual([
      'AUTH_JWKS_URL: must be https when NODE_ENV=production (plain http only on loopback): whoever can alter the keys in transit can sign admin tokens',
    ]);
    for (const loopback of ['http://127.0.0.1:8080/jwks', 'http://localhost/jwks', 'http://[::1]:9000/jwks']) {
      expect(problemsOf({ ...production, AUTH_JWKS_URL: loopback })).toEqual([]);
    }
    expect(problemsOf({ ...production, AUTH_JWKS_URL: 'https://login.example.com/jwks.json' })).toEqual([]);
    expect(configOf({ ...jwt, AUTH_JWKS_URL: 'http://login.example.com/jwks.json' }).jwtAuth).not.toBeNull();
  });

  it('prints every production problem at once, with the other settings problems', () => {
    expect(problemsOf({ NODE_ENV: 'production', PORT: 'abc', AUTH_JWKS_URL: 'http://10.0.0.1/jwks' })).toEqual([
      expect.stringMatching(/^PORT: /),
      expect.stringMatching(/^RECOVERY_TOKEN_SECRET: is required/),
      expect.stringMatching(/^SESSION_SIGNING_KEY: is required/),
      // AUTH_JWKS_URL is set, so admin operations are authenticated: no ADMIN_API_KEYS line.
      expect.stringMatching(/^MONGODB_URI: is required/),
      expect.stringMatching(/^PUBLIC_BASE_URL: is required/),
      expect.stringMatching(/^AUTH_JWKS_URL: must be https/),
    ]);
  });

  it('gives inline traces to any caller outside production and only to admins in it, unless set', () => {
    const production = { NODE_ENV: 'production', ...PRODUCTION };
    expect(configOf({}).inlineTracesForAnyone).toBe(true);
    expect(configOf({ INLINE_TRACES: 'false' }).inlineTracesForAnyone).toBe(false);
    expect(configOf(production).inlineTracesForAnyone).toBe(false);
    expect(configOf({ ...production, INLINE_TRACES: 'true' }).inlineTracesForAnyone).toBe(true);
    expect(problemsOf({ INLINE_TRACES: 'yes' })).toEqual([expect.stringMatching(/^INLINE_TRACES: /)]);
  });

  it('refuses any NODE_ENV but development, test and production, in one line', () => {
    for (const misspelt of ['Production', 'prod', 'staging']) {
      expect(problemsOf({ NODE_ENV: misspelt })).toEqual(['NODE_ENV: must be development, test or production']);
    }
    expect(configOf({ NODE_ENV: 'test' }).production).toBe(false);
    // Unset stays development, as before.
    expect(configOf({}).production).toBe(false);
  });

  it('requires https for the public base URL, the settings UI and the link base in production', () => {
    const production = { NODE_ENV: 'production', ...PRODUCTION };
    expect(
      problemsOf({
        ...production,
        PUBLIC_BASE_URL: 'http://id.example.com',
        SETTINGS_UI_URL: 'http://127.0.0.1/settings',
        RECOVERY_LINK_BASE_URL: 'http://id.example.com/recover',
      }),
    ).toEqual([
      'PUBLIC_BASE_URL: must be https when NODE_ENV=production: it carries recovery tokens and sessions to a browser',
      'SETTINGS_UI_URL: must be https when NODE_ENV=production: it carries recovery tokens and sessions to a browser',
      'RECOVERY_LINK_BASE_URL: must be https when NODE_ENV=production: it carries recovery tokens and sessions to a browser',
    ]);
    expect(
      problemsOf({
        ...production,
        SETTINGS_UI_URL: 'https://id.example.com/settings',
        RECOVERY_LINK_BASE_URL: 'https://id.example.com/r',
      }),
    ).toEqual([]);
    expect(configOf({ PUBLIC_BASE_URL: 'http://localhost:4000' }).publicBaseUrl?.protocol).toBe('http:');
  });

  it('treats a *.localhost JWKS host as remote: it resolves through DNS', () => {
    const production = {
      NODE_ENV: 'production',
      ...PRODUCTION,
      AUTH_ISSUER: 'https://login.example.com/',
      AUTH_AUDIENCE: 'recovery-admin',
    };
    expect(problemsOf({ ...production, AUTH_JWKS_URL: 'http://keys.localhost/jwks' })).toEqual([
      expect.stringMatching(/^AUTH_JWKS_URL: must be https/),
    ]);
  });

  it('refuses one value for two of the secrets', () => {
    const same = 'x'.repeat(40);
    expect(problemsOf({ RECOVERY_TOKEN_SECRET: same, SESSION_SIGNING_KEY: same, ADMIN_API_KEYS: same })).toEqual([
      'SESSION_SIGNING_KEY: must differ from RECOVERY_TOKEN_SECRET: each secret protects something else',
      'ADMIN_API_KEYS: must differ from RECOVERY_TOKEN_SECRET: each secret protects something else',
      'ADMIN_API_KEYS: must differ from SESSION_SIGNING_KEY: each secret protects something else',
    ]);
    expect(problemsOf({ SESSION_SIGNING_KEY: same, ADMIN_API_KEYS: `${'y'.repeat(32)},${same}` })).toEqual([
      'ADMIN_API_KEYS: must differ from SESSION_SIGNING_KEY: each secret protects something else',
    ]);
    expect(problemsOf(PRODUCTION)).toEqual([]);
  });

  it('reads the connection limits and METRICS_PORT, with safe defaults', () => {
    expect(configOf({})).toMatchObject({
      metricsPort: null,
      connections: {
        headersTimeoutMilliseconds: 10_000,
        requestTimeoutMilliseconds: 30_000,
        keepAliveTimeoutMilliseconds: 5_000,
        maxConnections: 512,
      },
    });
    expect(
      configOf({
        HTTP_HEADERS_TIMEOUT: '2s',
        HTTP_REQUEST_TIMEOUT: '1m',
        HTTP_MAX_CONNECTIONS: '100',
        METRICS_PORT: '9464',
      }),
    ).toMatchObject({
      metricsPort: 9464,
      connections: { headersTimeoutMilliseconds: 2_000, requestTimeoutMilliseconds: 60_000, maxConnections: 100 },
    });
    expect(problemsOf({ HTTP_HEADERS_TIMEOUT: '40s' })).toEqual([
      'HTTP_HEADERS_TIMEOUT: must not exceed HTTP_REQUEST_TIMEOUT (30s)',
    ]);
    expect(problemsOf({ HTTP_KEEP_ALIVE_TIMEOUT: '100ms' })).toEqual([
      'HTTP_KEEP_ALIVE_TIMEOUT: must be between 1s and 10m',
    ]);
    expect(problemsOf({ METRICS_PORT: '4000' })).toEqual([
      'METRICS_PORT: must differ from PORT (leave it unset to share PORT)',
    ]);
  });
});
