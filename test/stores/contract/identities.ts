import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { identityFixture } from '../../support/fixtures.js';
import { describeStoreContract, type StoreUnderTest } from './support.js';

/** IdentityReader: identities as the deployment keeps them. */
export function describeIdentityReaderContract(name: string, open: () => Promise<StoreUnderTest>): void {
  describeStoreContract(name, open, (subject) => {
    it('finds a seeded identity with all its fields', async () => {
      const identity = identityFixture();
      await subject.seedIdentity(identity);
      expect(await subject.store.findIdentity(identity.id)).toEqual(identity);
    });

    it('finds many identities in one call, skipping unknown ids', async () => {
      const [a, b] = [identityFixture(), identityFixture({ state: 'inactive' })];
      await subject.seedIdentity(a);
      await subject.seedIdentity(b);
      const found = await subject.store.findIdentities([b.id, randomUUID(), a.id]);
      expect(found.sort((x, y) => x.id.localeCompare(y.id))).toEqual([a, b].sort((x, y) => x.id.localeCompare(y.id)));
      expect(await subject.store.findIdentities([])).toEqual([]);
    });

    it('answers null for an identity that does not exist', async () => {
      await subject.seedIdentity(identityFixture());
      expect(await subject.store.findIdentity(randomUUID())).toBeNull();
    });

    it('reports an inactive identity as inactive', async () => {
      const identity = identityFixture({ state: 'inactive' });
      await subject.seedIdentity(identity);
      expect((await subject.store.findIdentity(identity.id))?.state).toBe('inactive');
    });
  });
}
