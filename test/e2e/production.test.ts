import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityFixture } from '../support/fixtures.js';
import {
  CREATE_RECOVERY_LINK,
  REDEEM_RECOVERY_LINK,
  TEST_ADMIN_KEY,
  startTestApp,
  type TestApp,
} from '../support/app.js';
import { developmentAdminKey } from '../../src/config/index.js';
import { DEMO_IDENTITY } from '../../src/stores/index.js';
import { insertIdentity, openScratchDatabase, type ScratchDatabase } from '../support/mongo.js';

/**
 * What NODE_ENV=production turns off for anonymous callers, over HTTP on the MongoDB test
 * database (production refuses the embedded store): introspection and the landing page,
 * "Did you mean" suggestions, and inline traces, each unless explicitly enabled.
 */
let scratch: ScratchDatabase;
const identity = identityFixture();

beforeAll(async () => {
  scratch = await openScratchDatabase();
  await insertIdentity(scratch.db, identity);
});
afterAll(() => scratch?.drop());

async function withApp(environment: Record<string, string>, test: (app: TestApp) => Promise<void>): Promise<void> {
  const app = await startTestApp({ MONGODB_URI: scratch.uri, MONGODB_DB: scratch.name, ...environment });
  try {
    await test(app);
  } finally {
    await app.stop();
  }
}

const PRODUCTION = {
  NODE_ENV: 'production',
  SESSION_SIGNING_KEY: 'p'.repeat(32),
  PUBLIC_BASE_URL: 'https://id.example.com',
};
const MISSPELLED = '{ identit(id: "3fa85f64-5717-4562-b3fc-2c963f66afa6") { id } }';
const TRACE = { 'apollo-federation-include-trace': 'ftv1' };

/** A redemption anyone may attempt: the operation whose timings must not leak. */
const anonymousRedeem = (app: TestApp) =>
  app.post(
    { query: REDEEM_RECOVERY_LINK, variables: { input: { flow: identity.id, token: 'wrong' } } },
    { ...TRACE, authorization: '' },
  );
const adminCreate = (app: TestApp, authorization = `Bearer ${TEST_ADMIN_KEY}`) =>
  app.post(
    { query: CREATE_RECOVERY_LINK, variables: { input: { identityId: identity.id } } },
    { ...TRACE, authorization },
  );
const traceOf = async (response: Response) =>
  ((await response.json()) as { extensions?: { ftv1?: string } }).extensions?.ftv1;

describe('a production configuration', () => {
  it('turns off introspection and the landing page unless enabled explicitly', async () => {
    await withApp(PRODUCTION, async (app) => {
      const introspection = await app.graphql('{ __schema { queryType { name } } }');
      expect(introspection.body.errors?.[0]?.extensions.error.id).toBe('graphql_validation_failed');
      const landing = await fetch(`${app.url}/graphql`, { headers: { accept: 'text/html' } });
      expect(await landing.text()).not.toContain('embeddable-sandbox');
    });
    await withApp({ ...PRODUCTION, INTROSPECTION: 'true' }, async (app) => {
      expect((await app.graphql('{ __schema { queryType { name } } }')).body.data).toEqual({
        __schema: { queryType: { name: 'Query' } },
      });
    });
  });

  it('suggests no field names in validation errors unless INTROSPECTION=true', async () => {
    await withApp(PRODUCTION, async (app) => {
      const { body } = await app.graphql(MISSPELLED);
      expect(body.errors?.[0]?.extensions.error.id).toBe('graphql_validation_failed');
      expect(body.errors?.[0]?.message).toContain('Cannot query field "identit"');
      expect(JSON.stringify(body)).not.toMatch(/Did you mean|"identity"/);
    });
    await withApp({ ...PRODUCTION, INTROSPECTION: 'true' }, async (app) => {
      expect((await app.graphql(MISSPELLED)).body.errors?.[0]?.message).toContain('Did you mean "identity"');
    });
  });

  it('gives inline traces only to callers authenticated as admins', async () => {
    await withApp(PRODUCTION, async (app) => {
      const anonymous = await anonymousRedeem(app);
      expect(anonymous.status).toBe(200);
      expect(await traceOf(anonymous)).toBeUndefined();
      expect(await traceOf(await adminCreate(app, 'Bearer not-a-key-not-a-key-not-a-key-00'))).toBeUndefined();
      expect(await traceOf(await adminCreate(app))).toMatch(/^[A-Za-z0-9+/]+=*$/);
      // Even an admin's trace of a public operation: the credential is what counts.
      const adminRedeem = await app.post(
        { query: REDEEM_RECOVERY_LINK, variables: { input: { flow: identity.id, token: 'wrong' } } },
        TRACE,
      );
      expect(await traceOf(adminRedeem)).toBeDefined();
    });
  });

  it('gives inline traces to anyone with INLINE_TRACES=true', async () => {
    await withApp({ ...PRODUCTION, INLINE_TRACES: 'true' }, async (app) => {
      expect(await traceOf(await anonymousRedeem(app))).toBeDefined();
    });
  });
});

describe('outside production', () => {
  it('suggests field names and gives inline traces to anyone, unless turned off', async () => {
    await withApp({}, async (app) => {
      expect((await app.graphql(MISSPELLED)).body.errors?.[0]?.message).toContain('Did you mean "identity"');
      expect(await traceOf(await anonymousRedeem(app))).toBeDefined();
    });
    await withApp({ INLINE_TRACES: 'false', INTROSPECTION: 'false' }, async (app) => {
      expect((await app.graphql(MISSPELLED)).body.errors?.[0]?.message).not.toContain('Did you mean');
      expect(await traceOf(await anonymousRedeem(app))).toBeUndefined();
      expect(await traceOf(await adminCreate(app))).toBeDefined();
    });
  });

  it('puts the generated development key into Sandbox only when listening on loopback', async () => {
    const sandboxOf = async (app: TestApp) => {
      const { port } = new URL(app.url);
      return (await fetch(`http://127.0.0.1:${port}/graphql`, { headers: { accept: 'text/html' } })).text();
    };
    // ADMIN_API_KEYS '' is unset: the service generates its one-off development key.
    await withApp({ ADMIN_API_KEYS: '', HOST: '127.0.0.1' }, async (app) => {
      expect(developmentAdminKey(app.config.auth)).not.toBeNull();
      expect(await sandboxOf(app)).toContain(
        `"headers":{"Authorization":"Bearer ${developmentAdminKey(app.config.auth)}"}`,
      );
    });
    await withApp({ ADMIN_API_KEYS: '', HOST: '0.0.0.0' }, async (app) => {
      const page = await sandboxOf(app);
      expect(page).toContain('embeddable-sandbox');
      expect(page).not.toContain(developmentAdminKey(app.config.auth)!);
      expect(page).not.toContain('"headers":{"Authorization"');
    });
  });

  it('runs on the embedded store only with ALLOW_EMBEDDED_STORE_IN_PRODUCTION, and says so loudly', async () => {
    await expect(startTestApp(PRODUCTION)).rejects.toThrow(/MONGODB_URI: is required when NODE_ENV=production/);
    const app = await startTestApp({ ...PRODUCTION, ALLOW_EMBEDDED_STORE_IN_PRODUCTION: 'true' });
    try {
      expect(app.config).toMatchObject({
        store: { kind: 'embedded', inProduction: true },
        graphql: { serviceSdlForAdminsOnly: true, introspection: false },
      });
      const warning = app.logs.map((line) => JSON.parse(line)).find((line) => /ALLOW_EMBEDDED_STORE/.test(line.msg));
      expect(warning).toMatchObject({ level: 40, msg: expect.stringContaining('for benchmarks only') });
      const { body } = await app.graphql(CREATE_RECOVERY_LINK, { input: { identityId: DEMO_IDENTITY.id } });
      expect(body.data?.createRecoveryLink.recoveryLink).toMatch(/^https:\/\/id\.example\.com\//);
    } finally {
      await app.stop();
    }
  });

  it('puts the development key into Sandbox only for a loopback Host header: no DNS rebinding', async () => {
    await withApp({ ADMIN_API_KEYS: '', HOST: '127.0.0.1' }, async (app) => {
      const key = `"headers":{"Authorization":"Bearer ${developmentAdminKey(app.config.auth)}"}`;
      const { port } = new URL(app.url);
      const pageFor = (host: string) =>
        new Promise<string>((resolve, reject) => {
          const options = { agent: false, headers: { host, accept: 'text/html' } };
          httpRequest(`${app.url}/graphql`, options, (response) => {
            let page = '';
            response.setEncoding('utf8').on('data', (chunk: string) => (page += chunk));
            response.on('end', () => resolve(page));
          })
            .on('error', reject)
            .end();
        });
      for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, 'localhost']) {
        expect({ host, keyed: (await pageFor(host)).includes(key) }).toEqual({ host, keyed: true });
      }
      for (const host of [`evil.example:${port}`, `app.localhost:${port}`, `10.0.0.5:${port}`]) {
        const page = await pageFor(host);
        expect(page).toContain('embeddable-sandbox');
        expect({ host, keyed: page.includes(developmentAdminKey(app.config.auth)!) }).toEqual({ host, keyed: false });
      }
    });
  });
});
