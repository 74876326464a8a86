import { readFileSync } from 'node:fs';
import { jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityFixture } from '../support/fixtures.js';
import { CREATE_RECOVERY_CODE, REDEEM_RECOVERY_CODE, TEST_ADMIN_KEY } from '../support/app.js';
import {
  GATEWAYS,
  STORES,
  startGateway,
  startRecoveryOn,
  type RecoveryOnStore,
  type RunningGateway,
} from './gateway-support.js';

/** returnTo on createRecoveryCode: the same rules and the same continuation as for links. */
const SESSION_SIGNING_KEY = 'return-to-codes-signing-key-of-32-chars';
const ALLOWLIST = 'https://app.example.com/settings/';
const ROUTER_SECRET = 'return-to-codes-router-secret-32-chars!';

process.env.APOLLO_TELEMETRY_DISABLED = 'true';

const verified = async (sessionToken: string) =>
  (await jwtVerify(sessionToken, new TextEncoder().encode(SESSION_SIGNING_KEY))).payload;
const flowOf = (recoveryLink: string) => new URL(recoveryLink).searchParams.get('flow');

describe.each(STORES)('returnTo on recovery codes, on the %s store', (store) => {
  const ada = identityFixture();
  let recovery: RecoveryOnStore;

  beforeAll(async () => {
    recovery = await startRecoveryOn(store, [ada], { RECOVERY_RETURN_TO_ALLOWLIST: ALLOWLIST, SESSION_SIGNING_KEY });
  });
  afterAll(async () => {
    await recovery?.stop();
  });

  const create = (returnTo?: string) =>
    recovery.app.graphql(CREATE_RECOVERY_CODE, {
      input: { identityId: ada.id, ...(returnTo === undefined ? {} : { returnTo }) },
    });
  const redeem = (recoveryLink: string, code: string) =>
    recovery.app.graphql(REDEEM_RECOVERY_CODE, { input: { flow: flowOf(recoveryLink), code } });

  it('stores an allowed returnTo with the code and answers it, in the session too, beside amr recovery_code', async () => {
    const created = await create('https://app.example.com/settings/password');
    expect(created.body.errors).toBeUndefined();
    const { recoveryLink, recoveryCode } = created.body.data?.createRecoveryCode;
    const redeemed = await redeem(recoveryLink, recoveryCode);
    expect(redeemed.body.errors).toBeUndefined();
    const redemption = redeemed.body.data?.redeemRecoveryCode;
    expect(redemption.returnTo).toBe('https://app.example.com/settings/password');
    const claims = await verified(redemption.sessionToken);
    expect(claims.return_to).toBe('https://app.example.com/settings/password');
    expect(claims.amr).toEqual(['recovery_code']);
  });

  it('answers a null returnTo and no claim for a code created without one', async () => {
    const { recoveryLink, recoveryCode } = (await create()).body.data?.createRecoveryCode;
    const redemption = (await redeem(recoveryLink, recoveryCode)).body.data?.redeemRecoveryCode;
    expect(redemption.returnTo).toBeNull();
    expect(await verified(redemption.sessionToken)).not.toHaveProperty('return_to');
  });

  it('refuses a returnTo off the allowlist with the 400 errorGeneric and creates no code', async () => {
    const { body } = await create('https://app.example.com/settings-evil/');
    expect(body.data ?? null).toBeNull();
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors?.[0]?.extensions.error).toMatchObject({
      code: 400,
      id: 'return_to_forbidden',
      details: { field: 'input.returnTo', refusal: 'not_allowlisted' },
    });
    const active = await recovery.app.graphql('query($id: UUID!) { identity(id: $id) { activeRecoveryLinks } }', {
      id: ada.id,
    });
    expect(active.body.data?.identity.activeRecoveryLinks).toBe(0);
  });
});

describe.each(GATEWAYS)('returnTo on recovery codes through %s', (gatewayKind) => {
  const grace = identityFixture();
  let recovery: RecoveryOnStore;
  let gateway: RunningGateway;

  beforeAll(async () => {
    recovery = await startRecoveryOn('embedded', [grace], {
      RECOVERY_RETURN_TO_ALLOWLIST: ALLOWLIST,
      SESSION_SIGNING_KEY,
      ROUTER_SECRET,
      TRUSTED_PROXIES: '127.0.0.1, ::1',
    });
    const sdl = readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8');
    gateway = await startGateway(gatewayKind, [{ name: 'recovery', url: `${recovery.app.url}/graphql`, sdl }], {
      routerSecret: ROUTER_SECRET,
    });
  });
  afterAll(async () => {
    await gateway?.stop();
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

  it('creates a code with an allowed returnTo and answers it with the redemption', async () => {
    const input = { identityId: grace.id, returnTo: 'https://app.example.com/settings/' };
    const created = await throughGateway(CREATE_RECOVERY_CODE, { input }, true);
    expect(created.errors).toBeUndefined();
    const { recoveryLink, recoveryCode } = created.data.createRecoveryCode;
    const redeemed = await throughGateway(
      REDEEM_RECOVERY_CODE,
      { input: { flow: flowOf(recoveryLink), code: recoveryCode } },
      false,
    );
    expect(redeemed.errors).toBeUndefined();
    expect(redeemed.data.redeemRecoveryCode.returnTo).toBe('https://app.example.com/settings/');
  });
});
