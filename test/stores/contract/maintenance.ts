import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { linkFixture } from '../../support/fixtures.js';
import { NOW, claimOf, describeStoreContract, failure, storeLink, type StoreUnderTest } from './support.js';

/** StoreMaintenance: purging what is past its retention, and readiness. */
export function describeStoreMaintenanceContract(name: string, open: () => Promise<StoreUnderTest>): void {
  describeStoreContract(name, open, (subject) => {
    it('purges what is past its retention and keeps the rest', async () => {
      const identityId = randomUUID();
      const link = linkFixture({ identityId });
      await storeLink(subject.store, link);
      await subject.store.claimRecoveryLinks([link.flowId], claimOf('redeemed', identityId));
      await subject.store.recordFailure(failure(identityId, '10.0.0.5'));
      // A day later the link has expired, but it, its claim and the failure are kept.
      await subject.store.purgeExpired(new Date('2026-01-02T00:00:00.000Z'), 100);
      expect(await subject.store.findRecoveryLink(link.flowId)).toMatchObject({ usedAt: NOW });
      expect(await subject.store.listEvents(identityId, 10)).toHaveLength(3);
      const longAfter = new Date('2027-06-01T00:00:00.000Z');
      expect(await subject.store.purgeExpired(longAfter, 100)).toBeGreaterThanOrEqual(2);
      expect(await subject.store.findRecoveryLink(link.flowId)).toBeNull();
      expect(await subject.store.listEvents(identityId, 10)).toEqual([]);
      expect(await subject.store.purgeExpired(longAfter, 100)).toBe(0);
    });

    it('is ready', async () => {
      await expect(subject.store.ping()).resolves.toBeUndefined();
    });
  });
}
