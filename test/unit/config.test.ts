import { describe, expect, it } from 'vitest';
import { developmentAdminKey } from '../../src/config/index.js';
import { configOf, problemsOf, PRODUCTION } from '../support/config.js';

describe('parseConfig', () => {
  it('has defaults that run the embedded store locally', () => {
    const config = configOf({});
    expect(config).toMatchObject({
      server: { host: '127.0.0.1', port: 4000 },
      store: { kind: 'embedded' },
      links: { baseUrl: null, tokenSecretConfigured: false },
      graphql: { serviceSdlForAdminsOnly: false, debugErrors: false },
    });
    expect(config.links.defaultLifespan.nanoseconds).toBe(3_600_000_000_000n);
    expect(config.links.maxLifespan.nanoseconds).toBe(720n * 3_600_000_000_000n);
    expect(config.links.tokenSecret).toHaveLength(43);
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
    expect(config.store).toEqual({
      kind: 'mongo',
      uri: 'mongodb://db.internal:27017',
      database: 'kratos',
      collections: { identities: 'people', recoveryLinks: 'recovery_links' },
      timeoutMilliseconds: 2_000,
    });
    expect(configOf({ MONGODB_URI: 'mongodb://db', MONGODB_TIMEOUT: '500ms' }).store).toMatchObject({
      timeoutMilliseconds: 500,
    });
    expect(problemsOf({ MONGODB_TIMEOUT: '2m' })).toEqual(['MONGODB_TIMEOUT: must be between 100ms and 60s']);
    expect(config.links.baseUrl?.toString()).toBe('https://id.example.com/recover?tenant=acme');
    expect(config.links.defaultLifespan.text).toBe('30m');
  });

  it('treats empty variables as unset', () => {
    expect(configOf({ MONGODB_URI: '', PORT: '' })).toMatchObject({
      store: { kind: 'embedded' },
      server: { port: 4000 },
    });
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
    expect(configOf({ PRIVILEGED_SESSION_MAX_AGE: '5m' }).sessions.maxAge.text).toBe('5m');
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
    const defaults = configOf({}).links.codes;
    expect(defaults.lifespan.text).toBe('15m');
    expect(defaults.maxAttempts).toBe(5);
    expect(configOf({ RECOVERY_CODE_LIFESPAN: '5m', RECOVERY_CODE_MAX_ATTEMPTS: '3' }).links.codes).toMatchObject({
      lifespan: { text: '5m' },
      maxAttempts: 3,
    });
    expect(problemsOf({ RECOVERY_CODE_LIFESPAN: '0s' })).toEqual(['RECOVERY_CODE_LIFESPAN: must be positive']);
    expect(problemsOf({ RECOVERY_CODE_LIFESPAN: '2h', RECOVERY_LINK_MAX_LIFESPAN: '1h' })).toEqual([
      'RECOVERY_CODE_LIFESPAN: must not exceed RECOVERY_LINK_MAX_LIFESPAN (1h)',
    ]);
    // Unset, it fits a maximum set shorter before codes existed, instead of refusing to start.
    expect(
      configOf({ RECOVERY_LINK_LIFESPAN: '5m', RECOVERY_LINK_MAX_LIFESPAN: '10m' }).links.codes.lifespan.text,
    ).toBe('10m');
    expect(problemsOf({ RECOVERY_CODE_MAX_ATTEMPTS: '0' })[0]).toMatch(/^RECOVERY_CODE_MAX_ATTEMPTS: /);
    expect(problemsOf({ RECOVERY_CODE_MAX_ATTEMPTS: '21' })[0]).toMatch(/^RECOVERY_CODE_MAX_ATTEMPTS: /);
  });

  it('reads rate limits as count per Go duration', () => {
    const config = configOf({ RECOVERY_LINK_RATE_LIMIT: '5/30m', REDEEM_RATE_LIMIT: '100/1h' }).links;
    expect(config.createLimitPerIdentity).toEqual({ limit: 5, windowMilliseconds: 1_800_000, text: '5/30m' });
    expect(config.redeemLimitPerClient).toEqual({ limit: 100, windowMilliseconds: 3_600_000, text: '100/1h' });
    expect(configOf({}).links.createLimitPerIdentity.text).toBe('10/1h');
    expect(problemsOf({ REDEEM_RATE_LIMIT: 'lots' })).toEqual([
      'REDEEM_RATE_LIMIT: "lots" is not a rate limit like 10/1h',
    ]);
    expect(problemsOf({ REDEEM_RATE_LIMIT: '5/10ms' })).toEqual([
      'REDEEM_RATE_LIMIT: the window of "5/10ms" must be at least 1s',
    ]);
  });

  it('generates a one-off admin key outside production when no authentication is configured', () => {
    const { auth } = configOf({});
    expect(auth).toEqual({
      kind: 'development-key',
      developmentKey: expect.stringMatching(/^dev_[\w-]{32}$/),
      adminScope: 'recovery:write',
    });
    expect(developmentAdminKey(configOf({}).auth)).not.toBe(developmentAdminKey(auth));
  });

  it('reads admin API keys and JWT settings', () => {
    const config = configOf({
      ADMIN_API_KEYS: ` ${'a'.repeat(32)} , ${'b'.repeat(40)},`,
      AUTH_JWKS_URL: 'https://login.example.com/.well-known/jwks.json',
      AUTH_ISSUER: 'https://login.example.com/',
      AUTH_AUDIENCE: 'recovery-admin',
    });
    expect(developmentAdminKey(config.auth)).toBeNull();
    expect(config.auth).toEqual({
      kind: 'configured',
      apiKeys: ['a'.repeat(32), 'b'.repeat(40)],
      jwt: {
        jwksUrl: new URL('https://login.example.com/.well-known/jwks.json'),
        issuer: 'https://login.example.com/',
        audience: 'recovery-admin',
        maxTokenLifetimeSeconds: 86_400,
      },
      adminScope: 'recovery:write',
    });
    expect(problemsOf({ ADMIN_API_KEYS: 'short' })).toEqual([
      'ADMIN_API_KEYS: every key must be at least 32 characters',
    ]);
    expect(problemsOf({ ADMIN_API_KEYS: ',,' })).toEqual(['ADMIN_API_KEYS: must list at least one key']);
    expect(problemsOf({ AUTH_JWKS_URL: 'https://login.example.com/jwks' })).toEqual([
      'AUTH_JWKS_URL: needs AUTH_ISSUER and AUTH_AUDIENCE as well',
    ]);
  });

  it('refuses any NODE_ENV but development, test and production, in one line', () => {
    for (const misspelt of ['Production', 'prod', 'staging']) {
      expect(problemsOf({ NODE_ENV: misspelt })).toEqual(['NODE_ENV: must be development, test or production']);
    }
    expect(configOf({ NODE_ENV: 'test' }).graphql.serviceSdlForAdminsOnly).toBe(false);
    // Unset stays development, as before.
    expect(configOf({}).graphql.serviceSdlForAdminsOnly).toBe(false);
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
    expect(configOf({}).server).toMatchObject({
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
      }).server,
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
