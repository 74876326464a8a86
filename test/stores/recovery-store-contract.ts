import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DuplicateRecoveryLinkError,
  type Identity,
  type NewRecoveryLink,
  type RecoveryEvent,
  type RecoveryLinkClaim,
  type RecoveryStore,
} from '../../src/recovery/index.js';
import { identityFixture, linkFixture } from '../support/fixtures.js';

/** A store with a way to put identities in it, as that store's deployments do. */
export interface StoreUnderTest {
  readonly store: RecoveryStore;
  seedIdentity(identity: Identity): Promise<void>;
  dispose(): Promise<void>;
}

const NOW = new Date('2026-01-01T00:30:00.000Z');
const claimOf = (outcome: RecoveryLinkClaim['outcome'], identityId = randomUUID()): RecoveryLinkClaim => ({
  outcome,
  identityId,
  at: NOW,
  requestId: `req-${outcome}`,
  actor: null,
  clientAddress: '10.0.0.1',
});
const redeemed = claimOf('redeemed');
const revoked = claimOf('revoked');

/** Stores a link as a creation does: named in its identity's outstanding set first. */
async function storeLink(store: RecoveryStore, link: NewRecoveryLink): Promise<void> {
  await store.addOutstandingRecoveryLink(link.identityId, link);
  await store.insertRecoveryLink(link);
}

function failure(identityId: string | null, clientAddress: string, second = 0): RecoveryEvent {
  return {
    type: 'failed',
    identityId,
    flowId: randomUUID(),
    errorId: 'recovery_link_invalid',
    actor: null,
    requestId: `req-fail-${second}`,
    clientAddress,
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, second)),
    count: 1,
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
      expect(await subject.store.findStoredRecoveryLink(link.flowId)).toEqual(link);
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
      for (const link of links) await storeLink(subject.store, link);
      await subject.store.claimRecoveryLinks([links[1]!.flowId], claimOf('revoked', a));
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
      for (const link of [open, expired, used, someoneElses]) await storeLink(subject.store, link);
      await subject.store.claimRecoveryLinks([used.flowId], claimOf('redeemed', identityId));
      expect(await subject.store.listOutstandingRecoveryLinks(identityId, NOW)).toEqual([
        { flowId: open.flowId, createdAt: open.createdAt, expiresAt: open.expiresAt },
      ]);
    });

    it("answers the identity's outstanding set as it was before each addition, and forgets on request", async () => {
      const identityId = randomUUID();
      const [first, second, third] = [
        linkFixture({ identityId }),
        linkFixture({ identityId }),
        linkFixture({ identityId }),
      ];
      const entry = ({ flowId, createdAt, expiresAt }: NewRecoveryLink) => ({ flowId, createdAt, expiresAt });
      expect(await subject.store.addOutstandingRecoveryLink(identityId, first)).toEqual([]);
      expect(await subject.store.addOutstandingRecoveryLink(identityId, second)).toEqual([entry(first)]);
      await subject.store.forgetOutstandingRecoveryLinks(identityId, [first.flowId]);
      expect(await subject.store.addOutstandingRecoveryLink(identityId, third)).toEqual([entry(second)]);
      expect(await subject.store.addOutstandingRecoveryLink(randomUUID(), first)).toEqual([]);
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

    it('keeps the audit trail per identity, newest first: links as created, claims, and failures', async () => {
      const identityId = randomUUID();
      const link = linkFixture({ identityId, createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, 1)) });
      await storeLink(subject.store, link);
      await storeLink(subject.store, linkFixture());
      await subject.store.recordFailure(failure(identityId, '10.0.0.9', 2));
      await subject.store.claimRecoveryLinks([link.flowId], {
        ...claimOf('redeemed', identityId),
        at: new Date(Date.UTC(2026, 0, 1, 0, 0, 3)),
      });
      const trail = await subject.store.listEvents(identityId, 10);
      expect(trail.map((event) => [event.type, event.at.getUTCSeconds(), event.count])).toEqual([
        ['redeemed', 3, 1],
        ['failed', 2, 1],
        ['created', 1, 1],
      ]);
      expect(trail[2]).toEqual({
        type: 'created',
        identityId,
        flowId: link.flowId,
        errorId: null,
        actor: link.actor,
        requestId: link.requestId,
        clientAddress: link.clientAddress,
        at: link.createdAt,
        count: 1,
      });
      expect(trail[0]).toMatchObject({ flowId: link.flowId, requestId: 'req-redeemed', clientAddress: '10.0.0.1' });
      expect(JSON.stringify(trail)).not.toContain(link.tokenHash);
      expect(await subject.store.listEvents(identityId, 2)).toHaveLength(2);
      expect(await subject.store.listEvents(randomUUID(), 10)).toEqual([]);
    });

    it('counts repeated failures of one client in one window in a single entry', async () => {
      const identityId = randomUUID();
      for (let i = 0; i < 30; i++) await subject.store.recordFailure(failure(identityId, '10.0.0.7', i));
      await subject.store.recordFailure(failure(identityId, '10.0.0.8', 1));
      const trail = await subject.store.listEvents(identityId, 10);
      expect(trail.map((event) => [event.clientAddress, event.count]).sort()).toEqual([
        ['10.0.0.7', 30],
        ['10.0.0.8', 1],
      ]);
      // The entry keeps the first attempt of its window.
      expect(trail.find((event) => event.clientAddress === '10.0.0.7')?.requestId).toBe('req-fail-0');
    });

    it('counts failures per identity tried, never under another identity or an unknown flow', async () => {
      const victim = randomUUID();
      const other = randomUUID();
      // An attempt against a flow that does not exist, made first in the window...
      await subject.store.recordFailure(failure(null, '10.0.0.4', 0));
      // ...then guesses against the victim's links and another identity's, by the same client.
      for (let i = 1; i <= 20; i++) await subject.store.recordFailure(failure(victim, '10.0.0.4', i));
      await subject.store.recordFailure(failure(other, '10.0.0.4', 21));
      const trail = await subject.store.listEvents(victim, 10);
      expect(
        trail.map(({ type, identityId, clientAddress, count }) => ({ type, identityId, clientAddress, count })),
      ).toEqual([{ type: 'failed', identityId: victim, clientAddress: '10.0.0.4', count: 20 }]);
      expect((await subject.store.listEvents(other, 10)).map((event) => event.count)).toEqual([1]);
    });

    it('records concurrent failures of one client and window without an error, in one entry', async () => {
      const identityId = randomUUID();
      await Promise.all(
        Array.from({ length: 30 }, (_, i) => subject.store.recordFailure(failure(identityId, '10.0.0.6', i))),
      );
      const trail = await subject.store.listEvents(identityId, 10);
      expect(trail).toHaveLength(1);
      // FerretDB's $inc reads then writes, so racing increments may be lost there; never the entry.
      expect(trail[0]!.count).toBeGreaterThanOrEqual(1);
    });

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
