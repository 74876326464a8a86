import { describe, expect, it } from 'vitest';
import { RecoveryService, createTokenHasher, parseDuration, type Identity } from '../../src/recovery/index.js';
import { MemoryRecoveryStore } from '../../src/stores/index.js';

const NOW = new Date('2026-03-01T12:00:00.000Z');
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

function serviceWith(store = new MemoryRecoveryStore([active, inactive])) {
  const service = new RecoveryService({
    store,
    now: () => NOW,
    newFlowId: () => '33333333-3333-4333-8333-333333333333',
    generateToken: () => 'fixed-token',
    hashToken,
    linkBaseUrl: () => new URL('https://id.example.com/recovery'),
    defaultLifespan: parseDuration('1h'),
    maxLifespan: parseDuration('24h'),
  });
  return { service, store };
}

describe('RecoveryService.createRecoveryLink', () => {
  it('stores the hash of the token with an expiry of now plus the lifespan, and links to the flow', async () => {
    const { service, store } = serviceWith();
    const outcome = await service.createRecoveryLink({
      identityId: active.id,
      expiresIn: parseDuration('1h30m'),
      requestId: 'r1',
    });
    expect(outcome).toEqual({
      kind: 'created',
      link: {
        flowId: '33333333-3333-4333-8333-333333333333',
        expiresAt: new Date('2026-03-01T13:30:00.000Z'),
        recoveryLink: 'https://id.example.com/recovery?flow=33333333-3333-4333-8333-333333333333&token=fixed-token',
      },
    });
    expect(await store.findRecoveryLink('33333333-3333-4333-8333-333333333333')).toEqual({
      flowId: '33333333-3333-4333-8333-333333333333',
      identityId: active.id,
      tokenHash: hashToken('fixed-token'),
      createdAt: NOW,
      expiresAt: new Date('2026-03-01T13:30:00.000Z'),
      usedAt: null,
      requestId: 'r1',
    });
  });

  it('uses the default lifespan when none is given', async () => {
    const outcome = await serviceWith().service.createRecoveryLink({ identityId: active.id, requestId: 'r' });
    expect(outcome.kind === 'created' && outcome.link.expiresAt.toISOString()).toBe('2026-03-01T13:00:00.000Z');
  });

  it.each(['0s', '-5m', '999us', '24h1ms'])('rejects the lifespan %s before touching the store', async (text) => {
    const { service, store } = serviceWith();
    const outcome = await service.createRecoveryLink({
      identityId: active.id,
      expiresIn: parseDuration(text),
      requestId: 'r',
    });
    expect(outcome).toMatchObject({ kind: 'expires_in_out_of_range', minimum: '1ms', maximum: '24h' });
    expect(await store.findRecoveryLink('33333333-3333-4333-8333-333333333333')).toBeNull();
  });

  it('accepts exactly the minimum and the maximum', async () => {
    for (const text of ['1ms', '24h']) {
      const { service } = serviceWith();
      expect(
        (await service.createRecoveryLink({ identityId: active.id, expiresIn: parseDuration(text), requestId: 'r' }))
          .kind,
      ).toBe('created');
    }
  });

  it('reports unknown and disabled identities as outcomes, storing nothing', async () => {
    const { service, store } = serviceWith();
    expect(
      await service.createRecoveryLink({ identityId: '44444444-4444-4444-8444-444444444444', requestId: 'r' }),
    ).toEqual({ kind: 'identity_not_found', identityId: '44444444-4444-4444-8444-444444444444' });
    expect(await service.createRecoveryLink({ identityId: inactive.id, requestId: 'r' })).toEqual({
      kind: 'identity_disabled',
      identityId: inactive.id,
    });
    expect(await store.findRecoveryLink('33333333-3333-4333-8333-333333333333')).toBeNull();
  });
});
