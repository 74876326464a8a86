import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CREATE_RECOVERY_LINK,
  REDEEM_RECOVERY_LINK,
  REVOKE_RECOVERY_LINKS,
  TEST_ADMIN_KEY,
  linkParameters,
  startTestApp,
  type TestApp,
} from '../support/app.js';

/**
 * Admin operations over HTTP, with API keys and with JWTs verified against a real JWKS
 * served on loopback, as an identity provider would serve it.
 */
const DEMO_ID = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const ISSUER = 'https://login.example.com/';
const AUDIENCE = 'recovery-admin';

let app: TestApp;
let jwks: Server;
type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
let signingKey: PrivateKey;
let foreignKey: PrivateKey;

async function token(
  claims: Record<string, unknown>,
  options: { key?: PrivateKey; issuer?: string; audience?: string; expiresIn?: string | null } = {},
): Promise<string> {
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: 'test-key' })
    .setSubject('admin@example.com')
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt();
  // null: no `exp` claim at all.
  if (options.expiresIn !== null) jwt.setExpirationTime(options.expiresIn ?? '5m');
  return jwt.sign(options.key ?? signingKey);
}

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  signingKey = pair.privateKey;
  foreignKey = (await generateKeyPair('ES256')).privateKey;
  const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'test-key', alg: 'ES256', use: 'sig' };
  jwks = createServer((_request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ keys: [publicJwk] }));
  }).listen(0, '127.0.0.1');
  await once(jwks, 'listening');
  const { port } = jwks.address() as AddressInfo;
  app = await startTestApp({
    AUTH_JWKS_URL: `http://127.0.0.1:${port}/jwks.json`,
    AUTH_ISSUER: ISSUER,
    AUTH_AUDIENCE: AUDIENCE,
  });
});

afterAll(async () => {
  await app?.stop();
  jwks?.close();
});

const createAs = (authorization: string) =>
  app.graphql(CREATE_RECOVERY_LINK, { input: { identityId: DEMO_ID } }, { authorization });
const errorOf = (response: Awaited<ReturnType<typeof createAs>>) => response.body.errors?.[0]?.extensions;

describe('admin authentication', () => {
  it('refuses every admin operation without credentials: 401 UNAUTHENTICATED', async () => {
    const operations: [string, Record<string, unknown>][] = [
      [CREATE_RECOVERY_LINK, { input: { identityId: DEMO_ID } }],
      [REVOKE_RECOVERY_LINKS, { identityId: DEMO_ID }],
      ['query($id: UUID!) { identity(id: $id) { id } }', { id: DEMO_ID }],
    ];
    for (const [query, variables] of operations) {
      const { body } = await app.graphql(query, variables, { authorization: '' });
      expect(body.errors?.[0]?.extensions).toMatchObject({
        code: 'UNAUTHENTICATED',
        error: { code: 401, status: 'Unauthorized', id: 'unauthenticated' },
      });
      expect(Object.values(body.data ?? {}).every((value) => value === null)).toBe(true);
    }
  });

  it('refuses a wrong API key and accepts a configured one', async () => {
    expect(errorOf(await createAs('Bearer wrong-key-wrong-key-wrong-key-wrong-key'))).toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    expect((await createAs(`Bearer ${TEST_ADMIN_KEY}`)).body.errors).toBeUndefined();
  });

  it('accepts a JWT from the configured issuer with the admin scope, as a string or a list', async () => {
    expect((await createAs(`Bearer ${await token({ scope: 'openid recovery:write' })}`)).body.errors).toBeUndefined();
    expect((await createAs(`Bearer ${await token({ scp: ['recovery:write'] })}`)).body.errors).toBeUndefined();
  });

  it('answers a valid JWT without the admin scope with 403 FORBIDDEN', async () => {
    const response = await createAs(`Bearer ${await token({ scope: 'openid recovery:read' })}`);
    expect(errorOf(response)).toMatchObject({
      code: 'FORBIDDEN',
      error: { code: 403, status: 'Forbidden', id: 'forbidden' },
    });
  });

  it.each([
    ['signed by another key', { foreign: true }],
    ['from another issuer', { issuer: 'https://evil.example.com/' }],
    ['for another audience', { audience: 'billing' }],
    ['expired', { expiresIn: '-1m' }],
    ['without an expiry', { expiresIn: null }],
  ])('refuses a JWT %s with 401', async (_case, options) => {
    const jwt = await token(
      { scope: 'recovery:write' },
      { ...options, key: 'foreign' in options ? foreignKey : signingKey },
    );
    expect(errorOf(await createAs(`Bearer ${jwt}`))).toMatchObject({ code: 'UNAUTHENTICATED', error: { code: 401 } });
  });

  it('names the missing expiry in the refusal, so the provider can be fixed', async () => {
    const jwt = await token({ scope: 'recovery:write' }, { expiresIn: null });
    expect(errorOf(await createAs(`Bearer ${jwt}`))?.error.reason).toContain('exp missing');
  });

  it('keeps redemption public: no credentials needed, and a bad Authorization header does not matter', async () => {
    const created = await createAs(`Bearer ${TEST_ADMIN_KEY}`);
    const input = linkParameters(created.body.data?.createRecoveryLink.recoveryLink);
    const redeemed = await app.graphql(REDEEM_RECOVERY_LINK, { input }, { authorization: 'Bearer garbage' });
    expect(redeemed.body.errors).toBeUndefined();
    expect(redeemed.body.data?.redeemRecoveryLink.identityId).toBe(DEMO_ID);
  });

  it('never writes an API key to the logs', async () => {
    await createAs(`Bearer ${TEST_ADMIN_KEY}`);
    await createAs('Bearer wrong-key-wrong-key-wrong-key-wrong-key');
    expect(app.logs.join('\n')).not.toContain(TEST_ADMIN_KEY);
  });
});

describe('Apollo Sandbox outside production', () => {
  it('opens with the example operation, its variables, and no telemetry', async () => {
    const page = await (await fetch(`${app.url}/graphql`, { headers: { accept: 'text/html' } })).text();
    const initial = /"initialState":(\{.*?\}\}),"hideCookieToggle"/s.exec(page)?.[1];
    expect(initial).toBeDefined();
    const state = JSON.parse(initial!) as { document: string; variables: unknown; headers?: unknown };
    expect(state.document).toContain('createRecoveryLink(input: $input)');
    expect(state.variables).toEqual({ input: { identityId: DEMO_ID, expiresIn: '1h' } });
    // Keys were configured here, so none is put into the page.
    expect(state.headers).toBeUndefined();
    expect(page).toContain('"runTelemetry":false');
  });
});

describe('a production configuration', () => {
  it('refuses batched requests', async () => {
    const response = await app.post([{ query: '{ __typename }' }, { query: '{ __typename }' }]);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: { extensions: { error: { id: string } } }[] };
    expect(body.errors[0]?.extensions.error.id).toBe('bad_request');
  });
});

describe('configurable edge limits', () => {
  it('honours REQUEST_BODY_LIMIT and BATCHED_REQUESTS', async () => {
    const configured = await startTestApp({ REQUEST_BODY_LIMIT: '2048', BATCHED_REQUESTS: 'true' });
    try {
      const large = await configured.post({ query: `{ __typename } #${'x'.repeat(3000)}` });
      expect(large.status).toBe(413);
      const batch = await configured.post([{ query: '{ __typename }' }, { query: '{ __typename }' }]);
      expect(await batch.json()).toEqual([{ data: { __typename: 'Query' } }, { data: { __typename: 'Query' } }]);
    } finally {
      await configured.stop();
    }
  });
});
