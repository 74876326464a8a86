import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DuplicateRecoveryLinkError,
  type Identity,
  type RecoveryLinkRecord,
  type RecoveryStore,
} from '../../src/recovery/index.js';

/** A store with a way to put identities in it, as that store's deployments do. */
export interface StoreUnderTest {
  readonly store: RecoveryStore;
  seedIdentity(identity: Identity): Promise<void>;
  dispose(): Promise<void>;
}

export function identityFixture(overrides: Partial<Identity> = {}): Identity {
  return {
    id: randomUUID(),
    state: 'active',
    schemaId: 'default',
    traits: { email: 'ada@example.com', name: { first: 'Ada' } },
    createdAt: new Date('2025-01-02T03:04:05.678Z'),
    updatedAt: new Date('2025-02-03T04:05:06.789Z'),
    ...overrides,
  };
}

export function linkFixture(overrides: Partial<RecoveryLinkRecord> = {}): RecoveryLinkRecord {
  return {
    flowId: randomUUID(),
    identityId: randomUUID(),
    tokenHash: randomUUID(),
    createdAt: new Date('2026-01-01T00:00:00.000Z'),
    expiresAt: new Date('2026-01-01T01:00:00.000Z'),
    usedAt: null,
    requestId: 'req-contract',
    ...overrides,
  };
}

/** The behaviour every RecoveryStore must have; run once per implementation. */
export function describeRecoveryStoreContract(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(`${name} store contract`, () => {
    let subject: StoreUnderTest;
    beforeEach(async () => {
      subject = await open();
    });
    afterEach(async () => {
      await subject.dispose();
    });

    it('finds a seeded identity with all its fields', async () => {
      const identity = identityFixture();
      await subject.seedIdentity(identity);
      expect(await subject.store.findIdentity(identity.id)).toEqual(identity);
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

    it('stores a recovery link and reads every field back', async () => {
      const link = linkFixture();
      await subject.store.insertRecoveryLink(link);
      expect(await subject.store.findRecoveryLink(link.flowId)).toEqual(link);
    });

    it('answers null for a flow that does not exist', async () => {
      await subject.store.insertRecoveryLink(linkFixture());
      expect(await subject.store.findRecoveryLink(randomUUID())).toBeNull();
    });

    it('rejects a second link with the same flow id and keeps the first', async () => {
      const first = linkFixture();
      await subject.store.insertRecoveryLink(first);
      await expect(subject.store.insertRecoveryLink(linkFixture({ flowId: first.flowId }))).rejects.toBeInstanceOf(
        DuplicateRecoveryLinkError,
      );
      expect(await subject.store.findRecoveryLink(first.flowId)).toEqual(first);
    });

    it('rejects a second link with the same token hash', async () => {
      const first = linkFixture();
      await subject.store.insertRecoveryLink(first);
      const second = linkFixture({ tokenHash: first.tokenHash });
      await expect(subject.store.insertRecoveryLink(second)).rejects.toBeInstanceOf(DuplicateRecoveryLinkError);
      expect(await subject.store.findRecoveryLink(second.flowId)).toBeNull();
    });

    it('lets exactly one of many concurrent inserts of one token hash succeed', async () => {
      const tokenHash = randomUUID();
      const attempts = Array.from({ length: 25 }, () => subject.store.insertRecoveryLink(linkFixture({ tokenHash })));
      const results = await Promise.allSettled(attempts);
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      for (const result of results) {
        if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(DuplicateRecoveryLinkError);
      }
    });

    it('is ready', async () => {
      await expect(subject.store.ping()).resolves.toBeUndefined();
    });
  });
}
