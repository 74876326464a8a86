import { createHmac } from 'node:crypto';
import { jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../src/recovery/index.js';
import { identityFixture } from '../support/fixtures.js';
import {
  CREATE_RECOVERY_CODE,
  CREATE_RECOVERY_LINK,
  REDEEM_RECOVERY_CODE,
  REDEEM_RECOVERY_LINK,
  TEST_TOKEN_SECRET,
  linkParameters,
  startTestApp,
  type GraphQLResponse,
  type TestApp,
} from '../support/app.js';
import { insertIdentity, openScratchDatabase, storedFlow, type ScratchDatabase } from '../support/mongo.js';

const SESSION_SIGNING_KEY = 'e2e-code-signing-key-with-32-characters!!';
const PUBLIC_BASE_URL = 'https://id.example.com';
const MAX_ATTEMPTS = 5;
const EVENTS = 'query($id: UUID!) { recoveryEvents(identityId: $id) { type method flowId errorId } }';

let database: ScratchDatabase;
let app: TestApp;

beforeAll(async () => {
  database = await openScratchDatabase();
  app = await startTestApp({
    MONGODB_URI: database.uri,
    MONGODB_DB: database.name,
    PUBLIC_BASE_URL,
    SESSION_SIGNING_KEY,
  });
});

afterAll(async () => {
  await app?.stop();
  await database?.drop();
});

async function newIdentity(overrides: Partial<Identity> = {}): Promise<Identity> {
  const identity = identityFixture(overrides);
  await insertIdentity(database.db, identity);
  return identity;
}

async function createCode(identityId: string, expiresIn?: string) {
  const { body } = await app.graphql(CREATE_RECOVERY_CODE, { input: { identityId, expiresIn } });
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  const created = body.data?.createRecoveryCode as { expiresAt: string; recoveryLink: string; recoveryCode: string };
  return { ...created, flow: new URL(created.recoveryLink).searchParams.get('flow') ?? '' };
}

const redeem = (flow: string, code: string) => app.graphql(REDEEM_RECOVERY_CODE, { input: { flow, code } });
const errorOf = (response: GraphQLResponse) => response.body.errors?.[0]?.extensions.error;
const errorIds = (responses: GraphQLResponse[]) => responses.map((response) => errorOf(response)?.id ?? 'redeemed');
const wrongCodeFor = (code: string) => (code === '00000000' ? '11111111' : '00000000');

describe('createRecoveryCode over HTTP against MongoDB', () => {
  it('answers eight digits once and a link without a secret, and stores only an HMAC', async () => {
    const identity = await newIdentity();
    const before = Date.now();
    const created = await createCode(identity.id);
    expect(created.recoveryCode).toMatch(/^[0-9]{8}$/);
    const link = new URL(created.recoveryLink);
    expect(`${link.origin}${link.pathname}`).toBe(`${PUBLIC_BASE_URL}/recovery`);
    expect([...link.searchParams.keys()]).toEqual(['flow']);
    // The default lifespan is RECOVERY_CODE_LIFESPAN's 15m, not the links' hour.
    const lifespan = Date.parse(created.expiresAt) - before;
    expect(lifespan).toBeGreaterThan(14 * 60_000);
    expect(lifespan).toBeLessThanOrEqual(15 * 60_000 + 60_000);
    const stored = await storedFlow(database.db, created.flow);
    expect(stored).toMatchObject({ method: 'code' });
    expect(JSON.stringify(stored)).not.toContain(created.recoveryCode);
    const expectedHash = createHmac('sha256', TEST_TOKEN_SECRET)
      .update(`recovery_code:${created.flow}:${created.recoveryCode}`)
      .digest('base64url');
    expect(stored?.tokenHash).toBe(expectedHash);
  });

  it('refuses an unknown identity (404), a disabled one (409) and a lifespan out of range, as links do', async () => {
    const disabled = await newIdentity({ state: 'inactive' });
    const unknown = await app.graphql(CREATE_RECOVERY_CODE, { input: { identityId: identityFixture().id } });
    expect(errorOf(unknown)).toMatchObject({ id: 'identity_not_found', code: 404 });
    const refused = await app.graphql(CREATE_RECOVERY_CODE, { input: { identityId: disabled.id } });
    expect(errorOf(refused)).toMatchObject({ id: 'identity_disabled', code: 409 });
    const tooLong = await app.graphql(CREATE_RECOVERY_CODE, {
      input: { identityId: (await newIdentity()).id, expiresIn: '721h' },
    });
    expect(errorOf(tooLong)).toMatchObject({
      id: 'expires_in_out_of_range',
      code: 400,
      details: { field: 'input.expiresIn', maximum: '720h' },
    });
  });

  it('is an admin operation', async () => {
    const identity = await newIdentity();
    const anonymous = await app.graphql(
      CREATE_RECOVERY_CODE,
      { input: { identityId: identity.id } },
      {
        authorization: '',
      },
    );
    expect(errorOf(anonymous)?.id).toBe('unauthenticated');
  });
});

describe('redeemRecoveryCode over HTTP against MongoDB', () => {
  it('exchanges the code, typed with spaces or dashes, for a session whose amr says recovery_code', async () => {
    const identity = await newIdentity();
    const { flow, recoveryCode } = await createCode(identity.id);
    const typed = `${recoveryCode.slice(0, 4)} - ${recoveryCode.slice(4)}`;
    const { body } = await app.graphql(REDEEM_RECOVERY_CODE, { input: { flow, code: typed } }, { authorization: '' });
    const redemption = body.data?.redeemRecoveryCode;
    expect(redemption?.identityId).toBe(identity.id);
    const { payload } = await jwtVerify(redemption.sessionToken, new TextEncoder().encode(SESSION_SIGNING_KEY));
    expect(payload).toMatchObject({ sub: identity.id, jti: flow, amr: ['recovery_code'] });
  });

  it('gives one answer for an unknown flow, a wrong code, a used code and a link flow', async () => {
    const identity = await newIdentity();
    const { flow, recoveryCode } = await createCode(identity.id);
    const wrong = await redeem(flow, wrongCodeFor(recoveryCode));
    expect((await redeem(flow, recoveryCode)).body.data?.redeemRecoveryCode).toBeTruthy();
    const used = await redeem(flow, recoveryCode);
    const unknown = await redeem(identityFixture().id, recoveryCode);
    const linkCreated = await app.graphql(CREATE_RECOVERY_LINK, { input: { identityId: (await newIdentity()).id } });
    const linkFlow = linkParameters(linkCreated.body.data?.createRecoveryLink.recoveryLink);
    const onALink = await redeem(linkFlow.flow, recoveryCode);
    const answers = [wrong, used, unknown, onALink].map((response) => {
      const { request: _request, details, ...error } = errorOf(response) ?? {};
      return { status: response.status, error, detailKeys: Object.keys(details ?? {}) };
    });
    expect(answers[0]?.error).toMatchObject({ id: 'recovery_code_invalid', code: 400 });
    for (const answer of answers) expect(answer).toEqual(answers[0]);
  });

  it("never takes a code flow's code as a link token, which would skip its attempt count", async () => {
    const identity = await newIdentity();
    const { flow, recoveryCode } = await createCode(identity.id);
    for (const token of [recoveryCode, `recovery_code:${flow}:${recoveryCode}`]) {
      const asLink = await app.graphql(REDEEM_RECOVERY_LINK, { input: { flow, token } });
      expect(errorOf(asLink)?.id).toBe('recovery_link_invalid');
    }
    expect((await redeem(flow, recoveryCode)).body.data?.redeemRecoveryCode).toBeTruthy();
  });

  it('counts at most the maximum of twenty racing wrong codes, then refuses even the right one', async () => {
    const identity = await newIdentity();
    const { flow, recoveryCode } = await createCode(identity.id);
    const wrong = wrongCodeFor(recoveryCode);
    const racing = await Promise.all(Array.from({ length: 20 }, () => redeem(flow, wrong)));
    const ids = errorIds(racing);
    expect(ids.filter((id) => id === 'recovery_code_invalid')).toHaveLength(MAX_ATTEMPTS);
    expect(ids.filter((id) => id === 'recovery_code_attempts_exhausted')).toHaveLength(20 - MAX_ATTEMPTS);
    const right = await redeem(flow, recoveryCode);
    expect(errorOf(right)).toMatchObject({
      id: 'recovery_code_attempts_exhausted',
      code: 410,
      details: { flow, maxAttempts: MAX_ATTEMPTS },
    });
  });

  it('compares at most the maximum when the right code races twenty wrong ones', async () => {
    const identity = await newIdentity();
    const { flow, recoveryCode } = await createCode(identity.id);
    const wrong = wrongCodeFor(recoveryCode);
    const submissions = Array.from({ length: 21 }, (_, i) => (i === 10 ? recoveryCode : wrong));
    const ids = errorIds(await Promise.all(submissions.map((code) => redeem(flow, code))));
    const compared = ids.filter((id) => id !== 'recovery_code_attempts_exhausted');
    expect(compared).toHaveLength(MAX_ATTEMPTS);
    expect(ids.filter((id) => id === 'redeemed').length).toBeLessThanOrEqual(1);
  });

  it('redeems exactly once of racing right submissions', async () => {
    const identity = await newIdentity();
    const { flow, recoveryCode } = await createCode(identity.id);
    const ids = errorIds(await Promise.all(Array.from({ length: MAX_ATTEMPTS }, () => redeem(flow, recoveryCode))));
    expect(ids.sort()).toEqual([...Array<string>(MAX_ATTEMPTS - 1).fill('recovery_code_invalid'), 'redeemed'].sort());
  });

  it('tells an expired code apart only to someone holding it', async () => {
    const identity = await newIdentity();
    const { flow, recoveryCode } = await createCode(identity.id, '1ms');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(errorOf(await redeem(flow, wrongCodeFor(recoveryCode)))?.id).toBe('recovery_code_invalid');
    expect(errorOf(await redeem(flow, recoveryCode))).toMatchObject({ id: 'recovery_code_expired', code: 410 });
  });

  it('names the method in the audit trail', async () => {
    const identity = await newIdentity();
    const { flow, recoveryCode } = await createCode(identity.id);
    await redeem(flow, wrongCodeFor(recoveryCode));
    await redeem(flow, recoveryCode);
    const { body } = await app.graphql(EVENTS, { id: identity.id });
    expect(body.data?.recoveryEvents).toEqual([
      { type: 'REDEEMED', method: 'CODE', flowId: flow, errorId: null },
      { type: 'FAILED', method: 'CODE', flowId: flow, errorId: 'recovery_code_invalid' },
      { type: 'CREATED', method: 'CODE', flowId: flow, errorId: null },
    ]);
  });
});
