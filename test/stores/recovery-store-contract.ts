import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DuplicateRecoveryLinkError,
  type Identity,
  type NewRecoveryLink,
  type RecoveryLinkClaim,
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

export function linkFixture(overrides: Partial<NewRecoveryLink> = {}): NewRecoveryLink {
  return {
    flowId: randomUUID(),
    identityId: randomUUID(),
    tokenHash: randomUUID(),
    createdAt: new Date('2026-01-01T00:00:00.000Z'),
    expiresAt: new Date('2026-01-01T01:00:00.000Z'),
    requestId: 'req-contract',
    ...overrides,
  };
}

const NOW = new Date('2026-01-01T00:30:00.000Z');
const redeemed: RecoveryLinkClaim = { outcome: 'redeemed', at: NOW, requestId: 'req-redeem' };
const revoked: RecoveryLinkClaim = { outcome: 'revoked', at: NOW, requestId: 'req-revoke' };

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

    it('stores a recovery link and reads every field back, unused and unrevoked', async () => {
      const link = linkFixture();
      await subject.store.insertRecoveryLink(link);
      expect(await subject.store.findRecoveryLink(link.flowId)).toEqual({ ...link, usedAt: null, revokedAt: null });
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
      expect(await subject.store.findRecoveryLink(first.flowId)).toMatchObject(first);
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

    it('claims a link once: a redeemed link reads back used, and no second claim succeeds', async () => {
      const link = linkFixture();
      await subject.store.insertRecoveryLink(link);
      expect(await subject.store.claimRecoveryLinks([link.flowId], redeemed)).toEqual([link.flowId]);
      expect(await subject.store.claimRecoveryLinks([link.flowId], redeemed)).toEqual([]);
      expect(await subject.store.claimRecoveryLinks([link.flowId], revoked)).toEqual([]);
      expect(await subject.store.findRecoveryLink(link.flowId)).toMatchObject({ usedAt: NOW, revokedAt: null });
    });

    it('reads a revoked link back as revoked', async () => {
      const link = linkFixture();
      await subject.store.insertRecoveryLink(link);
      await subject.store.claimRecoveryLinks([link.flowId], revoked);
      expect(await subject.store.findRecoveryLink(link.flowId)).toMatchObject({ usedAt: null, revokedAt: NOW });
    });

    it('lets exactly one of many concurrent claims of one link win (no double spend)', async () => {
      const link = linkFixture();
      await subject.store.insertRecoveryLink(link);
      const attempts = Array.from({ length: 50 }, (_, i) =>
        subject.store.claimRecoveryLinks([link.flowId], i % 2 ? redeemed : revoked),
      );
      const winners = (await Promise.all(attempts)).filter((claimed) => claimed.length === 1);
      expect(winners).toHaveLength(1);
    });

    it('claims the unclaimed links of a batch and answers only those', async () => {
      const links = [linkFixture(), linkFixture(), linkFixture()];
      for (const link of links) await subject.store.insertRecoveryLink(link);
      await subject.store.claimRecoveryLinks([links[1]!.flowId], redeemed);
      const claimed = await subject.store.claimRecoveryLinks(
        links.map((link) => link.flowId),
        revoked,
      );
      expect(claimed.sort()).toEqual([links[0]!.flowId, links[2]!.flowId].sort());
      expect(await subject.store.findRecoveryLink(links[1]!.flowId)).toMatchObject({ usedAt: NOW, revokedAt: null });
    });

    it('counts outstanding links for many identities at once', async () => {
      const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
      const links = [
        linkFixture({ identityId: a }),
        linkFixture({ identityId: a }),
        linkFixture({ identityId: b }),
        linkFixture({ identityId: b, expiresAt: NOW }),
      ];
      for (const link of links) await subject.store.insertRecoveryLink(link);
      await subject.store.claimRecoveryLinks([links[1]!.flowId], revoked);
      expect(await subject.store.countOutstandingRecoveryLinks([a, b, c], NOW)).toEqual(
        new Map([
          [a, 1],
          [b, 1],
        ]),
      );
    });

    it("lists the identity's unexpired, unclaimed links only", async () => {
      const identityId = randomUUID();
      const open = linkFixture({ identityId, createdAt: new Date('2026-01-01T00:10:00.000Z') });
      const expired = linkFixture({ identityId, expiresAt: NOW });
      const used = linkFixture({ identityId });
      const someoneElses = linkFixture();
      for (const link of [open, expired, used, someoneElses]) await subject.store.insertRecoveryLink(link);
      await subject.store.claimRecoveryLinks([used.flowId], redeemed);
      expect(await subject.store.listOutstandingRecoveryLinks(identityId, NOW)).toEqual([
        { flowId: open.flowId, createdAt: open.createdAt },
      ]);
    });

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

    it('keeps the audit trail per identity, newest first', async () => {
      const identityId = randomUUID();
      const event = (type: 'created' | 'redeemed' | 'revoked', second: number) => ({
        type,
        identityId,
        flowId: randomUUID(),
        errorId: null,
        actor: 'api_key:key_1',
        requestId: `req-${second}`,
        clientAddress: '127.0.0.1',
        at: new Date(Date.UTC(2026, 0, 1, 0, 0, second)),
      });
      const events = [event('created', 1), event('redeemed', 2), event('revoked', 3)];
      await subject.store.recordEvents(events.slice(0, 2));
      await subject.store.recordEvents([events[2]!, { ...event('created', 4), identityId: randomUUID() }]);
      expect(await subject.store.listEvents(identityId, 10)).toEqual([events[2], events[1], events[0]]);
      expect(await subject.store.listEvents(identityId, 2)).toEqual([events[2], events[1]]);
      expect(await subject.store.listEvents(randomUUID(), 10)).toEqual([]);
    });

    it('is ready', async () => {
      await expect(subject.store.ping()).resolves.toBeUndefined();
    });
  });
}
