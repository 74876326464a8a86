import { randomUUID } from 'node:crypto';
import { jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { createTokenHasher, parseDuration, type Identity } from '../../src/recovery/index.js';
import { MemoryRecoveryStore } from '../../src/stores/index.js';
import { TEST_SIGNING_KEY, testOrigin, testRecoveryService } from '../support/service.js';
import { recordingStoreCalls } from '../support/store-calls.js';

const hashToken = createTokenHasher('k'.repeat(32));
const active: Identity = {
  id: '11111111-1111-4111-8111-111111111111',
  state: 'active',
  schemaId: null,
  traits: {},
  createdAt: null,
  updatedAt: null,
};
const inactive: Identity = { ...active, id: '22222222-2222-4222-8222-222222222222', state: 'inactive' };

/** A service whose clock the test moves, and whose flow ids and tokens count up. */
function harness(options: { keepOlderLinks?: boolean; identities?: Identity[] } = {}) {
  let now = new Date('2026-03-01T12:00:00.000Z');
  let sequence = 0;
  const store = new MemoryRecoveryStore(options.identities ?? [active, inactive]);
  const { store: recording, calls: storeCalls } = recordingStoreCalls(store);
  const service = testRecoveryService({
    store: recording,
    now: () => now,
    newFlowId: () => `33333333-3333-4333-8333-${String(++sequence).padStart(12, '0')}`,
    generateToken: () => `token-${sequence}`,
    hashToken,
    keepOlderLinks: options.keepOlderLinks ?? false,
    maxLifespan: parseDuration('24h'),
  });
  const create = async (expiresIn = '1h', identityId = active.id) => {
    const outcome = await service.createRecoveryLink({
      identityId,
      expiresIn: parseDuration(expiresIn),
      origin: testOrigin('r-create'),
    });
    if (outcome.kind !== 'created') throw new Error(`expected a link, got ${outcome.kind}`);
    const url = new URL(outcome.link.recoveryLink);
    return { flowId: url.searchParams.get('flow')!, token: url.searchParams.get('token')! };
  };
  const redeem = (link: { flowId: string; token: string }) =>
    service.redeemRecoveryLink({ ...link, origin: testOrigin('r-redeem') });
  return {
    service,
    store,
    /** The names of the store methods the service called, in order. */
    storeCalls,
    create,
    redeem,
    advance: (milliseconds: number) => (now = new Date(now.getTime() + milliseconds)),
  };
}

describe('creating a recovery link', () => {
  it('stores the hash of the token with an expiry of now plus the lifespan, and links to the flow', async () => {
    const { service, store } = harness();
    const outcome = await service.createRecoveryLink({
      identityId: active.id,
      expiresIn: parseDuration('1h30m'),
      origin: testOrigin('r1'),
    });
    const flowId = '33333333-3333-4333-8333-000000000001';
    expect(outcome).toEqual({
      kind: 'created',
      link: {
        flowId,
        expiresAt: new Date('2026-03-01T13:30:00.000Z'),
        recoveryLink: `https://id.example.com/recovery?flow=${flowId}&token=token-1`,
      },
    });
    expect(await store.findRecoveryLink(flowId)).toEqual({
      flowId,
      identityId: active.id,
      method: 'link',
      tokenHash: hashToken('token-1'),
      createdAt: new Date('2026-03-01T12:00:00.000Z'),
      expiresAt: new Date('2026-03-01T13:30:00.000Z'),
      usedAt: null,
      revokedAt: null,
      requestId: 'r1',
      actor: 'api_key:key_test',
      returnTo: null,
      clientAddress: '127.0.0.1',
    });
  });

  it('uses the default lifespan when none is given', async () => {
    const outcome = await harness().service.createRecoveryLink({ identityId: active.id, origin: testOrigin('r') });
    expect(outcome.kind === 'created' && outcome.link.expiresAt.toISOString()).toBe('2026-03-01T13:00:00.000Z');
  });

  it.each(['0s', '-5m', '999us', '24h1ms'])('rejects the lifespan %s before touching the store', async (text) => {
    const { service, storeCalls } = harness();
    const outcome = await service.createRecoveryLink({
      identityId: active.id,
      expiresIn: parseDuration(text),
      origin: testOrigin('r'),
    });
    expect(outcome).toMatchObject({ kind: 'expires_in_out_of_range', minimum: '1ms', maximum: '24h' });
    // Not even the rate limit is counted: a malformed request costs the store nothing.
    expect(storeCalls).toEqual([]);
  });

  it('accepts exactly the minimum and the maximum', async () => {
    const { create } = harness();
    await expect(create('1ms')).resolves.toBeDefined();
    await expect(create('24h')).resolves.toBeDefined();
  });

  it('reports unknown and disabled identities as outcomes, storing nothing', async () => {
    const { service, store } = harness();
    const unknown = '44444444-4444-4444-8444-444444444444';
    expect(await service.createRecoveryLink({ identityId: unknown, origin: testOrigin('r') })).toEqual({
      kind: 'identity_not_found',
      identityId: unknown,
    });
    expect(await service.createRecoveryLink({ identityId: inactive.id, origin: testOrigin('r') })).toEqual({
      kind: 'identity_disabled',
      identityId: inactive.id,
    });
    expect(await store.listOutstandingRecoveryLinks(inactive.id, new Date(0))).toEqual([]);
  });

  it('revokes the older unused links of the identity', async () => {
    const { create, redeem, advance } = harness();
    const older = await create();
    advance(1);
    const newer = await create();
    expect((await redeem(older)).kind).toBe('recovery_link_invalid');
    expect((await redeem(newer)).kind).toBe('redeemed');
  });

  it('keeps older links working when configured to', async () => {
    const { create, redeem, advance } = harness({ keepOlderLinks: true });
    const older = await create();
    advance(1);
    await create();
    expect((await redeem(older)).kind).toBe('redeemed');
  });
});

describe('redeeming a recovery link', () => {
  it('issues a privileged session JWT for the identity, valid for the configured maximum age', async () => {
    const { create, redeem } = harness();
    const link = await create();
    const outcome = await redeem(link);
    if (outcome.kind !== 'redeemed') throw new Error(outcome.kind);
    expect(outcome.redemption).toMatchObject({
      identityId: active.id,
      sessionExpiresAt: new Date('2026-03-01T12:15:00.000Z'),
    });
    const { payload, protectedHeader } = await jwtVerify(
      outcome.redemption.sessionToken,
      new TextEncoder().encode(TEST_SIGNING_KEY),
      {
        issuer: 'https://id.example.com',
        currentDate: new Date('2026-03-01T12:01:00.000Z'),
      },
    );
    expect(protectedHeader.alg).toBe('HS256');
    expect(payload).toEqual({
      sub: active.id,
      amr: ['recovery_link'],
      jti: link.flowId,
      iss: 'https://id.example.com',
      iat: 1772366400,
      exp: 1772367300,
    });
  });

  it('works exactly once', async () => {
    const { create, redeem } = harness();
    const link = await create();
    expect((await redeem(link)).kind).toBe('redeemed');
    expect(await redeem(link)).toEqual({ kind: 'recovery_link_invalid', flowId: link.flowId });
  });

  it('gives one answer for an unknown flow, a wrong token and an oversized token', async () => {
    const { create, redeem } = harness();
    const link = await create();
    expect((await redeem({ ...link, flowId: '55555555-5555-4555-8555-555555555555' })).kind).toBe(
      'recovery_link_invalid',
    );
    expect((await redeem({ ...link, token: 'token-2' })).kind).toBe('recovery_link_invalid');
    expect((await redeem({ ...link, token: 'x'.repeat(10_000) })).kind).toBe('recovery_link_invalid');
    expect((await redeem(link)).kind).toBe('redeemed');
  });

  it('tells the holder of the right token that the link expired, at the expiry instant', async () => {
    const { create, redeem, advance } = harness();
    const link = await create('10m');
    advance(10 * 60_000);
    expect(await redeem(link)).toEqual({
      kind: 'recovery_link_expired',
      flowId: link.flowId,
      expiredAt: new Date('2026-03-01T12:10:00.000Z'),
    });
    expect((await redeem({ ...link, token: 'wrong' })).kind).toBe('recovery_link_invalid');
  });

  it('refuses a link whose identity was disabled or deleted since', async () => {
    const { create, redeem, store } = harness();
    const link = await create();
    const disabledStore = new MemoryRecoveryStore([{ ...active, state: 'inactive' }]);
    const deletedStore = new MemoryRecoveryStore([]);
    const stored = (await store.findRecoveryLink(link.flowId))!;
    for (const other of [disabledStore, deletedStore]) await other.insertRecoveryLink(stored);
    const onDisabled = testRecoveryService({
      store: disabledStore,
      hashToken,
      now: () => new Date('2026-03-01T12:00:01.000Z'),
    });
    const onDeleted = testRecoveryService({
      store: deletedStore,
      hashToken,
      now: () => new Date('2026-03-01T12:00:01.000Z'),
    });
    expect(await onDisabled.redeemRecoveryLink({ ...link, origin: testOrigin('r') })).toEqual({
      kind: 'identity_disabled',
      identityId: active.id,
    });
    expect(await onDeleted.redeemRecoveryLink({ ...link, origin: testOrigin('r') })).toEqual({
      kind: 'identity_not_found',
      identityId: active.id,
    });
    expect((await redeem(link)).kind).toBe('redeemed');
  });

  it('revokes every other outstanding link of the identity', async () => {
    const { create, redeem, advance } = harness({ keepOlderLinks: true });
    const first = await create();
    advance(1);
    const second = await create();
    expect((await redeem(second)).kind).toBe('redeemed');
    expect((await redeem(first)).kind).toBe('recovery_link_invalid');
  });

  it('lets exactly one of many concurrent redemptions win', async () => {
    const { create, redeem } = harness();
    const link = await create();
    const outcomes = await Promise.all(Array.from({ length: 100 }, () => redeem(link)));
    expect(outcomes.filter((outcome) => outcome.kind === 'redeemed')).toHaveLength(1);
  });
});

describe('revoking recovery links', () => {
  it('revokes the unused, unexpired links and counts them', async () => {
    const { service, create, redeem, advance } = harness({ keepOlderLinks: true });
    const used = await create();
    await redeem(used);
    const expiring = await create('1m');
    advance(1);
    const open = [await create(), await create()];
    advance(60_000);
    expect(await service.revokeRecoveryLinks({ identityId: active.id, origin: testOrigin('r') })).toEqual({
      kind: 'revoked',
      count: 2,
    });
    for (const link of [...open, expiring]) expect((await redeem(link)).kind).not.toBe('redeemed');
    expect(await service.revokeRecoveryLinks({ identityId: active.id, origin: testOrigin('r') })).toEqual({
      kind: 'revoked',
      count: 0,
    });
  });

  it('reports an unknown identity', async () => {
    const unknown = '44444444-4444-4444-8444-444444444444';
    expect(await harness().service.revokeRecoveryLinks({ identityId: unknown, origin: testOrigin('r') })).toEqual({
      kind: 'identity_not_found',
      identityId: unknown,
    });
  });
});

describe('the audit trail and rate limits', () => {
  it('records created, redeemed, revoked and failed events with who and where, never a token', async () => {
    const { service, store, create, redeem, advance } = harness({ keepOlderLinks: true });
    const first = await create();
    advance(1);
    const second = await create();
    await redeem({ ...second, token: 'wrong' });
    await redeem(second);
    const events = await store.listEvents(active.id, 10);
    expect(events.map((event) => [event.type, event.flowId, event.errorId])).toEqual([
      ['revoked', first.flowId, null],
      ['redeemed', second.flowId, null],
      ['failed', second.flowId, 'recovery_link_invalid'],
      ['created', second.flowId, null],
      ['created', first.flowId, null],
    ]);
    expect(events[4]).toMatchObject({ actor: 'api_key:key_test', requestId: 'r-create', clientAddress: '127.0.0.1' });
    expect(JSON.stringify(events)).not.toContain(second.token);
    expect(await service.listEvents(active.id, 2)).toEqual(events.slice(0, 2));
  });

  it('limits link creation per identity, writing nothing for a refusal', async () => {
    const store = new MemoryRecoveryStore([active]);
    const service = testRecoveryService({
      store,
      newFlowId: randomUUID,
      createLimitPerIdentity: { limit: 2, windowMilliseconds: 3_600_000, text: '2/1h' },
    });
    const request = { identityId: active.id, origin: testOrigin('r') };
    expect((await service.createRecoveryLink(request)).kind).toBe('created');
    expect((await service.createRecoveryLink(request)).kind).toBe('created');
    expect(await service.createRecoveryLink(request)).toEqual({
      kind: 'rate_limited',
      identityId: active.id,
      retryAfterSeconds: 3600,
    });
    expect((await store.listEvents(active.id, 10)).map((event) => event.type)).toEqual([
      'revoked',
      'created',
      'created',
    ]);
  });

  it('limits redemption attempts per client address, before looking at the token', async () => {
    const service = testRecoveryService({
      redeemLimitPerClient: { limit: 3, windowMilliseconds: 60_000, text: '3/1m' },
    });
    const attempt = (clientAddress: string) =>
      service.redeemRecoveryLink({
        flowId: '55555555-5555-4555-8555-555555555555',
        token: 'guess',
        origin: { ...testOrigin('r'), clientAddress },
      });
    for (let i = 0; i < 3; i++) expect((await attempt('203.0.113.7')).kind).toBe('recovery_link_invalid');
    expect(await attempt('203.0.113.7')).toEqual({ kind: 'rate_limited', retryAfterSeconds: 60 });
    expect((await attempt('198.51.100.1')).kind).toBe('recovery_link_invalid');
  });
});
