import { describe, expect, it } from 'vitest';
import { developmentAdminKey } from '../../src/config/index.js';
import { configOf, problemsOf, PRODUCTION } from '../support/config.js';

describe('the production policy, as parseConfig applies it', () => {
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
    const production = configOf({ NODE_ENV: 'production', ...keys });
    expect(production).toMatchObject({
      graphql: { serviceSdlForAdminsOnly: true },
      links: { tokenSecret: 's'.repeat(32), tokenSecretConfigured: true },
      sessions: { signingKeyConfigured: true },
      auth: { kind: 'configured', apiKeys: ['a'.repeat(32)] },
    });
    expect(developmentAdminKey(production.auth)).toBeNull();
  });

  it('turns introspection on outside production and off in it, unless set explicitly', () => {
    const production = { NODE_ENV: 'production', ...PRODUCTION };
    expect(configOf({}).graphql.introspection).toBe(true);
    expect(configOf({ INTROSPECTION: 'false' }).graphql.introspection).toBe(false);
    expect(configOf(production).graphql.introspection).toBe(false);
    expect(configOf({ ...production, INTROSPECTION: 'true' }).graphql.introspection).toBe(true);
  });

  it('refuses production without a database or a public base URL, one line each', () => {
    const { MONGODB_URI: _uri, PUBLIC_BASE_URL: _base, ...rest } = PRODUCTION;
    expect(problemsOf({ NODE_ENV: 'production', ...rest })).toEqual([
      'MONGODB_URI: is required when NODE_ENV=production: the embedded store keeps nothing and serves a demo identity (ALLOW_EMBEDDED_STORE_IN_PRODUCTION=true overrides this, for benchmarks)',
      'PUBLIC_BASE_URL: is required when NODE_ENV=production: links and the session token issuer would otherwise name localhost',
    ]);
    // Outside production both stay optional: the embedded store and localhost are the point there.
    expect(configOf(rest)).toMatchObject({
      store: { kind: 'embedded', inProduction: false },
      server: { publicBaseUrl: null },
    });
  });

  it('runs production on the embedded store only with the explicit opt-in', () => {
    const { MONGODB_URI: _uri, ...rest } = PRODUCTION;
    const production = { NODE_ENV: 'production', ...rest };
    expect(problemsOf(production)).toEqual([expect.stringMatching(/^MONGODB_URI: is required/)]);
    expect(problemsOf({ ...production, ALLOW_EMBEDDED_STORE_IN_PRODUCTION: 'false' })).toHaveLength(1);
    expect(configOf({ ...production, ALLOW_EMBEDDED_STORE_IN_PRODUCTION: 'true' })).toMatchObject({
      graphql: { serviceSdlForAdminsOnly: true },
      store: { kind: 'embedded', inProduction: true },
    });
    // With a database the opt-in changes nothing.
    expect(
      configOf({ ...PRODUCTION, NODE_ENV: 'production', ALLOW_EMBEDDED_STORE_IN_PRODUCTION: 'true' }),
    ).toMatchObject({ store: { kind: 'mongo' } });
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
    expect(configOf({ ...jwt, AUTH_JWKS_URL: 'http://login.example.com/jwks.json' }).auth).toMatchObject({
      jwt: { jwksUrl: new URL('http://login.example.com/jwks.json') },
    });
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
    expect(configOf({}).graphql.inlineTracesForAnyone).toBe(true);
    expect(configOf({ INLINE_TRACES: 'false' }).graphql.inlineTracesForAnyone).toBe(false);
    expect(configOf(production).graphql.inlineTracesForAnyone).toBe(false);
    expect(configOf({ ...production, INLINE_TRACES: 'true' }).graphql.inlineTracesForAnyone).toBe(true);
    expect(problemsOf({ INLINE_TRACES: 'yes' })).toEqual([expect.stringMatching(/^INLINE_TRACES: /)]);
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
    expect(configOf({ PUBLIC_BASE_URL: 'http://localhost:4000' }).server.publicBaseUrl?.protocol).toBe('http:');
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
});
