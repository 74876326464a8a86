import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeStoreContract, type StoreUnderTest } from './support.js';

/** RateLimitStore: windows shared by every process using the store. */
export function describeRateLimitStoreContract(name: string, open: () => Promise<StoreUnderTest>): void {
  describeStoreContract(name, open, (subject) => {
    it('admits exactly the limit in a window, even when requests race, and again in the next', async () => {
      const limit = { limit: 5, windowMilliseconds: 60_000, text: '5/1m' };
      const key = randomUUID();
      const at = new Date('2026-01-01T00:00:10.000Z');
      const decisions = await Promise.all(
        Array.from({ length: 12 }, () => subject.store.consumeRateLimit('redeem_per_client', key, limit, at)),
      );
      expect(decisions.filter((decision) => decision.allowed)).toHaveLength(5);
      expect(decisions.find((decision) => !decision.allowed)).toEqual({ allowed: false, retryAfterSeconds: 50 });
      // Other keys and buckets are counted apart; the next window starts afresh.
      expect(await subject.store.consumeRateLimit('redeem_per_client', randomUUID(), limit, at)).toEqual({
        allowed: true,
      });
      expect(await subject.store.consumeRateLimit('create_per_identity', key, limit, at)).toEqual({ allowed: true });
      expect(
        await subject.store.consumeRateLimit('redeem_per_client', key, limit, new Date('2026-01-01T00:01:00.000Z')),
      ).toEqual({ allowed: true });
    });

    it('knows without asking the database when a window this process used up is full, and not before', async () => {
      const limit = { limit: 2, windowMilliseconds: 60_000, text: '2/1m' };
      const key = randomUUID();
      const at = new Date('2026-01-01T00:00:10.000Z');
      const request = { bucket: 'create_per_identity', key, limit, now: at } as const;
      expect(subject.store.knownRateLimitWait(request)).toBeNull();
      expect(await subject.store.consumeRateLimit('create_per_identity', key, limit, at)).toEqual({ allowed: true });
      expect(subject.store.knownRateLimitWait(request)).toBeNull();
      expect(await subject.store.consumeRateLimit('create_per_identity', key, limit, at)).toEqual({ allowed: true });
      expect(subject.store.knownRateLimitWait(request)).toBe(50);
      // Another bucket, and the next window, are not known to be full.
      expect(subject.store.knownRateLimitWait({ ...request, bucket: 'redeem_per_client' })).toBeNull();
      expect(subject.store.knownRateLimitWait({ ...request, now: new Date('2026-01-01T00:01:00.000Z') })).toBeNull();
    });
  });
}
