import { readFileSync } from 'node:fs';
import { jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAccountsSubgraph } from '../../examples/accounts/server.mjs';
import { identityFixture } from '../support/fixtures.js';
import { CREATE_RECOVERY_LINK, REDEEM_RECOVERY_LINK, TEST_ADMIN_KEY, linkParameters } from '../support/app.js';
import {
  GATEWAYS,
  STORES,
  startGateway,
  startRecoveryOn,
  type RecoveryOnStore,
  type RunningGateway,
} from './gateway-support.js';

/** returnTo on createRecoveryLink over real HTTP, on both stores, then through each gateway. */
const SESSION_SIGNING_KEY = 'return-to-test-signing-key-of-32-chars!';
const ALLOWLIST = 'https://app.example.com/settings/, http://127.0.0.1:8080';
const ROUTER_SECRET = 'return-to-router-secret-of-32-characters';

process.env.APOLLO_TELEMETRY_DISABLED = 'true';

const verified = async (sessionToken: string) =>
  (await jwtVerify(sessionToken, new TextEncoder().encode(SESSION_SIGNING_KEY))).payload;

describe.each(STORES)('returnTo on recovery links, on the %s store', (store) => {
  const ada = identityFixture();
  let recovery: RecoveryOnStore;

  beforeAll(async () => {
    recovery = await startRecoveryOn(store, [ada], { RECOVERY_RETURN_TO_ALLOWLIST: ALLOWLIST, SESSION_SIGNING_KEY });
  });
  afterAll(async () => {
    await recovery?.stop();
  });

  const create = (returnTo?: string | null) =>
    recovery.app.graphql(CREATE_RECOVERY_LINK, {
      input: { identityId: ada.id, ...(returnTo === undefined ? {} : { returnTo }) },
    });
  const redeem = (recoveryLink: string) =>
    recovery.app.graphql(REDEEM_RECOVERY_LINK, { input: linkParameters(recoveryLink) });

  it('stores an allowed returnTo and answers it, normalized, with the redemption and in the session', async () => {
    const created = await create('HTTPS://App.Example.com:443/settings/./password?lang=de');
    expect(created.body.errors).toBeUndefined();
    const redeemed = await redeem(created.body.data?.createRecoveryLink.recoveryLink);
    expect(redeemed.body.errors).toBeUndefined();
    const redemption = redeemed.body.data?.redeemRecoveryLink;
    expect(redemption.returnTo).toBe('https://app.example.com/settings/password?lang=de');
    expect((await verified(redemption.sessionToken)).return_to).toBe(
      'https://app.example.com/settings/password?lang=de',
    );
  });

  it.each([undefined, null])('answers a null returnTo and no return_to claim when it was %s', async (returnTo) => {
    const created = await create(returnTo);
    expect(created.body.errors).toBeUndefined();
    const redemption = (await redeem(created.body.data?.createRecoveryLink.recoveryLink)).body.data?.redeemRecoveryLink;
    expect(redemption.returnTo).toBeNull();
    expect(await verified(redemption.sessionToken)).not.toHaveProperty('return_to');
  });

  it('refuses a returnTo off the allowlist with a 400 errorGeneric naming the setting, and creates no link', async () => {
    const before = await recovery.app.graphql('query($id: UUID!) { identity(id: $id) { activeRecoveryLinks } }', {
      id: ada.id,
    });
    const { status, body } = await create('https://evil.example/settings/');
    expect(status).toBe(200);
    expect(body.data ?? null).toBeNull();
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors?.[0]?.extensions.error).toEqual({
      code: 400,
      status: 'Bad Request',
      id: 'return_to_forbidden',
      message: 'The request was malformed or contained invalid parameters',
      reason:
        'returnTo "https://evil.example/settings/" is not allowed: its origin and path are not in RECOVERY_RETURN_TO_ALLOWLIST.',
      request: expect.stringMatching(/\S/),
      details: { field: 'input.returnTo', value: 'https://evil.example/settings/', refusal: 'not_allowlisted' },
    });
    const after = await recovery.app.graphql('query($id: UUID!) { identity(id: $id) { activeRecoveryLinks } }', {
      id: ada.id,
    });
    expect(after.body.data?.identity.activeRecoveryLinks).toBe(before.body.data?.identity.activeRecoveryLinks);
  });

  it.each([
    ['https://app.example.com/settings-evil/', 'not_allowlisted'],
    ['https://app.example.com/settings/../admin', 'not_allowlisted'],
    ['https://app.example.com/settings/%2e%2e/admin', 'not_allowlisted'],
    ['https://app.example.com/settings/..%2Fadmin', 'encoded_separator'],
    ['https://app.example.com.evil.example/settings/', 'not_allowlisted'],
    ['https://app.example.com@evil.example/settings/', 'has_userinfo'],
    ['https://app.example.com:8443/settings/', 'not_allowlisted'],
    ['http://app.example.com/settings/', 'not_allowlisted'],
    ['http://127.0.0.1:8081/', 'not_allowlisted'],
    ['https://app.example.com/settings/#x', 'has_fragment'],
    ['javascript:alert(document.domain)//app.example.com/settings/', 'not_http'],
    ['/settings/', 'not_absolute_url'],
    ['', 'not_absolute_url'],
  ])('refuses the tricky returnTo %j as %s', async (returnTo, refusal) => {
    const { body } = await create(returnTo);
    expect(body.data ?? null).toBeNull();
    expect(body.errors?.[0]?.extensions.error).toMatchObject({
      code: 400,
      id: 'return_to_forbidden',
      details: { field: 'input.returnTo', refusal },
    });
  });

  it('refuses a returnTo over 2,048 characters without echoing it whole', async () => {
    const returnTo = `https://app.example.com/settings/${'a'.repeat(2048)}`;
    const { body } = await create(returnTo);
    const error = body.errors?.[0]?.extensions.error;
    expect(error).toMatchObject({ code: 400, id: 'return_to_forbidden', details: { refusal: 'too_long' } });
    expect(error?.details.value).toBe(`${returnTo.slice(0, 64)}…`);
  });

  it('allows an allowlisted loopback origin with any path', async () => {
    const created = await create('http://127.0.0.1:8080/callback');
    const redemption = (await redeem(created.body.data?.createRecoveryLink.recoveryLink)).body.data?.redeemRecoveryLink;
    expect(redemption.returnTo).toBe('http://127.0.0.1:8080/callback');
  });
});

describe.each(GATEWAYS)('returnTo through %s', (gatewayKind) => {
  const grace = identityFixture({ traits: { email: 'grace@example.com' } });
  let recovery: RecoveryOnStore;
  let accounts: Awaited<ReturnType<typeof startAccountsSubgraph>>;
  let gateway: RunningGateway;

  beforeAll(async () => {
    recovery = await startRecoveryOn('embedded', [grace], {
      RECOVERY_RETURN_TO_ALLOWLIST: ALLOWLIST,
      SESSION_SIGNING_KEY,
      ROUTER_SECRET,
      TRUSTED_PROXIES: '127.0.0.1, ::1',
    });
    accounts = await startAccountsSubgraph({ accounts: [{ id: grace.id, email: 'grace@example.com' }] });
    gateway = await startGateway(
      gatewayKind,
      [
        {
          name: 'recovery',
          url: `${recovery.app.url}/graphql`,
          sdl: readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'),
        },
        {
          name: 'accounts',
          url: accounts.url,
          sdl: readFileSync(new URL('../../examples/accounts/schema.graphql', import.meta.url), 'utf8'),
        },
      ],
      { routerSecret: ROUTER_SECRET },
    );
  });
  afterAll(async () => {
    await gateway?.stop();
    await accounts?.stop();
    await recovery?.stop();
  });

  async function throughGateway(query: string, variables: Record<string, unknown>, admin: boolean) {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(admin ? { authorization: `Bearer ${TEST_ADMIN_KEY}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data?: any; errors?: any[] };
  }

  it('creates a link with an allowed returnTo and answers it with the redemption', async () => {
    const input = { identityId: grace.id, returnTo: 'https://app.example.com/settings/' };
    const created = await throughGateway(CREATE_RECOVERY_LINK, { input }, true);
    expect(created.errors).toBeUndefined();
    const link = linkParameters(created.data.createRecoveryLink.recoveryLink);
    const redeemed = await throughGateway(REDEEM_RECOVERY_LINK, { input: link }, false);
    expect(redeemed.errors).toBeUndefined();
    expect(redeemed.data.redeemRecoveryLink.returnTo).toBe('https://app.example.com/settings/');
    expect((await verified(redeemed.data.redeemRecoveryLink.sessionToken)).return_to).toBe(
      'https://app.example.com/settings/',
    );
  });

  it('passes the refusal on to the client as the 400 errorGeneric', async () => {
    const input = { identityId: grace.id, returnTo: 'https://app.example.com/settings-evil' };
    const { data, errors } = await throughGateway(CREATE_RECOVERY_LINK, { input }, true);
    expect(data ?? null).toBeNull();
    expect(errors).toHaveLength(1);
    expect(errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(errors?.[0]?.extensions?.error).toMatchObject({
      code: 400,
      id: 'return_to_forbidden',
      reason: expect.stringContaining('RECOVERY_RETURN_TO_ALLOWLIST'),
      details: { field: 'input.returnTo', refusal: 'not_allowlisted' },
    });
  });
});
