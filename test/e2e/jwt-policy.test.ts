import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE_RECOVERY_LINK, startTestApp, type TestApp } from '../support/app.js';
import { GATEWAYS, startGateway } from './gateway-support.js';

/**
 * The JWT policy real identity providers need (scopes in `scope` or `scp`, as a string or
 * a list; `sub` required; a bounded lifetime), and JWKS outages told apart from refused
 * tokens: an unreachable, failing, garbled or slow JWKS is a 503 with Retry-After.
 */
process.env.APOLLO_TELEMETRY_DISABLED = 'true';

const DEMO_ID = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const ISSUER = 'https://login.example.com/';
const AUDIENCE = 'recovery-admin';

type Mode = 'keys' | 'error' | 'garbage' | 'not-a-key-set' | 'hang';
let mode: Mode = 'keys';
let jwks: Server;
let jwksUrl: string;
let publicJwk: JWK;
let signingKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  signingKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'test-key', alg: 'ES256', use: 'sig' };
  jwks = createServer((_request, response) => {
    response.setHeader('content-type', 'application/json');
    if (mode === 'hang') return; // never answers: jose gives up after its 5s timeout
    if (mode === 'error') response.statusCode = 502;
    if (mode === 'garbage') return void response.end('<html>oops</html>');
    if (mode === 'not-a-key-set') return void response.end('{"keys":"none"}');
    response.end(JSON.stringify({ keys: [publicJwk] }));
  }).listen(0, '127.0.0.1');
  await once(jwks, 'listening');
  jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
});
afterAll(() => {
  jwks?.closeAllConnections();
  jwks?.close();
});

async function token(claims: Record<string, unknown>, lifetime: { iat?: number | null; exp?: number } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: 'test-key' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setExpirationTime(lifetime.exp ?? now + 300);
  if (lifetime.iat !== null) jwt.setIssuedAt(lifetime.iat ?? now);
  return jwt.sign(signingKey);
}

async function withApp(url: string, test: (app: TestApp) => Promise<void>, environment: Record<string, string> = {}) {
  const app = await startTestApp({ AUTH_JWKS_URL: url, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE, ...environment });
  try {
    await test(app);
  } finally {
    await app.stop();
  }
}

const createAs = (app: TestApp, jwt: string) =>
  app.graphql(CREATE_RECOVERY_LINK, { input: { identityId: DEMO_ID } }, { authorization: `Bearer ${jwt}` });

describe('the JWT policy', () => {
  it('reads the admin scope from scope and scp, each as a string or a list', async () => {
    mode = 'keys';
    await withApp(jwksUrl, async (app) => {
      for (const claims of [
        { scope: 'openid recovery:write' },
        { scope: ['openid', 'recovery:write'] },
        { scp: 'recovery:write profile' },
        { scp: ['recovery:write'] },
      ]) {
        const response = await createAs(app, await token({ sub: 'admin@example.com', ...claims }));
        expect({ claims, errors: response.body.errors }).toEqual({ claims, errors: undefined });
      }
      const unscoped = await createAs(app, await token({ sub: 'admin@example.com', scp: 'recovery:read' }));
      expect(unscoped.status).toBe(200);
      expect(unscoped.body.errors?.[0]?.extensions.error.id).toBe('forbidden');
    });
  });

  it('refuses a token without sub, or living longer than AUTH_MAX_TOKEN_LIFETIME, with 401', async () => {
    mode = 'keys';
    const now = Math.floor(Date.now() / 1000);
    await withApp(
      jwksUrl,
      async (app) => {
        const refusals = {
          'no sub': await token({ scope: 'recovery:write' }),
          'exp in the year 3000': await token({ sub: 'a', scope: 'recovery:write' }, { exp: 32_503_680_000 }),
          'issued for 2h': await token({ sub: 'a', scope: 'recovery:write' }, { iat: now - 60, exp: now + 7140 }),
          'no iat, 2h left': await token({ sub: 'a', scope: 'recovery:write' }, { iat: null, exp: now + 7200 }),
        };
        for (const [name, jwt] of Object.entries(refusals)) {
          const { body } = await createAs(app, jwt);
          expect({ name, error: body.errors?.[0]?.extensions.error }).toMatchObject({
            name,
            error: { code: 401, id: 'unauthenticated' },
          });
        }
        const withinLimit = await token({ sub: 'a', scope: 'recovery:write' }, { iat: null, exp: now + 3000 });
        expect((await createAs(app, withinLimit)).body.errors).toBeUndefined();
      },
      { AUTH_MAX_TOKEN_LIFETIME: '1h' },
    );
  });
});

describe('a JWKS outage', () => {
  const unreachable = async () => {
    const closed = createServer().listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    return `http://127.0.0.1:${port}/jwks.json`;
  };

  it.each<[string, Mode | 'unreachable']>([
    ['is unreachable', 'unreachable'],
    ['answers an error status', 'error'],
    ['answers something other than JSON', 'garbage'],
    ['answers JSON that is no key set', 'not-a-key-set'],
    ['does not answer in time', 'hang'],
  ])(
    'answers 503 identity_provider_unavailable with Retry-After when the JWKS %s',
    async (_case, outage) => {
      mode = outage === 'unreachable' ? 'keys' : outage;
      const url = outage === 'unreachable' ? await unreachable() : jwksUrl;
      await withApp(url, async (app) => {
        const response = await createAs(app, await token({ sub: 'admin@example.com', scope: 'recovery:write' }));
        expect(response.status).toBe(503);
        expect(response.headers.get('retry-after')).toBe('5');
        expect(response.body.errors?.[0]?.extensions).toMatchObject({
          code: 'SERVICE_UNAVAILABLE',
          error: { id: 'identity_provider_unavailable', details: { retryAfterSeconds: 5 } },
        });
        expect(app.logs.join('\n')).not.toContain('unexpected error');
      });
    },
    15_000,
  );

  it.each(GATEWAYS)('reaches the client through %s as identity_provider_unavailable', async (gatewayKind) => {
    mode = 'error';
    await withApp(jwksUrl, async (app) => {
      const gateway = await startGateway(gatewayKind, [
        {
          name: 'recovery',
          url: `${app.url}/graphql`,
          sdl: readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'),
        },
      ]);
      try {
        const jwt = await token({ sub: 'admin@example.com', scope: 'recovery:write' });
        const response = await fetch(gateway.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${jwt}` },
          body: JSON.stringify({ query: CREATE_RECOVERY_LINK, variables: { input: { identityId: DEMO_ID } } }),
        });
        // Hive Gateway passes the subgraph's error on; Apollo Gateway nests a non-2xx
        // subgraph answer under extensions.response.body (as it does for storage_unavailable).
        const body = await response.text();
        expect(body).toContain('"id":"identity_provider_unavailable"');
        expect(body).not.toContain('"id":"unauthenticated"');
      } finally {
        await gateway.stop();
      }
    });
  });
});
