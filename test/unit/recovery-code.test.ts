import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  RECOVERY_CODE_DIGITS,
  createTokenHasher,
  generateRecoveryCode,
  hashRecoveryCode,
  normalizeRecoveryCode,
  parseDuration,
} from '../../src/recovery/index.js';
import { testOrigin, testRecoveryService } from '../support/service.js';
import { identityFixture } from '../support/fixtures.js';
import { MemoryRecoveryStore } from '../../src/stores/index.js';

const SAMPLES = 20_000;

describe('generateRecoveryCode', () => {
  it('returns at least eight decimal digits, leading zeros kept', () => {
    expect(RECOVERY_CODE_DIGITS).toBeGreaterThanOrEqual(8);
    const codes = Array.from({ length: SAMPLES }, generateRecoveryCode);
    for (const code of codes) expect(code).toMatch(new RegExp(`^[0-9]{${RECOVERY_CODE_DIGITS}}$`));
    // About one in ten starts with 0: a generator that dropped them would show none.
    expect(codes.some((code) => code.startsWith('0'))).toBe(true);
  });

  it('spreads every digit position evenly (chi-square, far from any biased generator)', () => {
    const counts = Array.from({ length: RECOVERY_CODE_DIGITS }, () => new Array<number>(10).fill(0));
    for (let i = 0; i < SAMPLES; i++) {
      [...generateRecoveryCode()].forEach((digit, position) => counts[position]![Number(digit)]!++);
    }
    const expected = SAMPLES / 10;
    for (const position of counts) {
      const chiSquare = position.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
      // Nine degrees of freedom: an unbiased generator exceeds this about once in 10^6 runs.
      expect(chiSquare).toBeLessThan(45);
    }
  });

  it('rarely repeats: a draw of twenty thousand has few collisions in a hundred million', () => {
    const distinct = new Set(Array.from({ length: SAMPLES }, generateRecoveryCode));
    // Expected collisions are about two; dozens would mean far fewer than 10^8 values.
    expect(SAMPLES - distinct.size).toBeLessThan(20);
  });
});

describe('recovery code hashing and typing', () => {
  it('binds the hash to the flow and keeps it apart from link tokens', () => {
    const hashToken = createTokenHasher('c'.repeat(32));
    const a = hashRecoveryCode(hashToken, 'flow-a', '12345678');
    expect(a).toBe(hashRecoveryCode(hashToken, 'flow-a', '12345678'));
    expect(a).not.toBe(hashRecoveryCode(hashToken, 'flow-b', '12345678'));
    expect(a).not.toBe(hashToken('12345678'));
    expect(a).not.toContain('12345678');
  });

  it('ignores the spaces and dashes people type between digits', () => {
    expect(normalizeRecoveryCode(' 1234 5678 ')).toBe('12345678');
    expect(normalizeRecoveryCode('1234-5678')).toBe('12345678');
  });
});

describe('createRecoveryCode in the service', () => {
  it('shares the per-identity rate limit with links: one budget for both', async () => {
    const identity = identityFixture();
    const service = testRecoveryService({
      store: new MemoryRecoveryStore([identity]),
      newFlowId: randomUUID,
      createLimitPerIdentity: { limit: 2, windowMilliseconds: 3_600_000, text: '2/1h' },
    });
    const origin = testOrigin('r');
    expect((await service.createRecoveryLink({ identityId: identity.id, origin })).kind).toBe('created');
    expect((await service.createRecoveryCode({ identityId: identity.id, origin })).kind).toBe('created');
    expect(await service.createRecoveryCode({ identityId: identity.id, origin })).toMatchObject({
      kind: 'rate_limited',
    });
    expect(await service.createRecoveryLink({ identityId: identity.id, origin })).toMatchObject({
      kind: 'rate_limited',
    });
  });

  it('defaults to the code lifespan and bounds it by the links maximum', async () => {
    const identity = identityFixture();
    const service = testRecoveryService({ store: new MemoryRecoveryStore([identity]) });
    const origin = testOrigin('r');
    const created = await service.createRecoveryCode({ identityId: identity.id, origin });
    expect(created.kind === 'created' && created.code.expiresAt.toISOString()).toBe('2026-01-01T00:15:00.000Z');
    expect(
      await service.createRecoveryCode({ identityId: identity.id, expiresIn: parseDuration('721h'), origin }),
    ).toMatchObject({ kind: 'expires_in_out_of_range', maximum: '720h' });
  });
});
