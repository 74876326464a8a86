import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DuplicateRecoveryLinkError,
  type CreatedRecoveryLink,
  type Identity,
  type NewRecoveryLink,
  type OutstandingRecoveryLink,
  type OutstandingSetChange,
  type RecoveryEvent,
  type RecoveryLinkClaim,
  type RecoveryStore,
} from '../../src/recovery/index.js';
import { identityFixture, linkFixture } from '../support/fixtures.js';
import { testOrigin, testRecoveryService } from '../support/service.js';

/** A store with a way to put identities in it, as that store's deployments do. */
export interface StoreUnderTest {
  readonly store: RecoveryStore;
  seedIdentity(identity: Identity): Promise<void>;
  dispose(): Promise<void>;
}

const NOW = new Date('2026-01-01T00:30:00.000Z');
const claimOf = (outcome: RecoveryLinkClaim['outcome'], identityId: string = randomUUID()): RecoveryLinkClaim => ({
  outcome,
  identityId,
  at: NOW,
  requestId: `req-${outcome}`,
  actor: null,
  clientAddress: '10.0.0.1',
});
const redeemed = claimOf('redeemed');
const revoked = claimOf('revoked');

const entry = ({ flowId, createdAt, expiresAt }: NewRecoveryLink): OutstandingRecoveryLink => ({
  flowId,
  createdAt,
  expiresAt,
});

/** A change of the identity's set planned on what it holds now, claiming nothing. */
async function changeAdding(store: RecoveryStore, identityId: string, link: NewRecoveryLink | null) {
  const set = await store.readOutstandingSet(identityId);
  const change: OutstandingSetChange = {
    identityId,
    generation: set.generation + 1,
    added: link === null ? null : entry(link),
    dropped: [],
    at: NOW,
  };
  return change;
}

/** Stores a link as a creation does: named in its identity's outstanding set first. */
async function storeLink(store: RecoveryStore, link: NewRecoveryLink): Promise<void> {
  const change = await changeAdding(store, link.identityId, link);
  expect(await store.decideOutstandingSetChange(change, [], claimOf('revoked', link.identityId))).toEqual({
    won: true,
    claimed: [],
  });
  await store.applyOutstandingSetChange(change);
  await store.insertRecoveryLink(link);
}

/** Links someone could redeem: named in the set, stored, unclaimed, unexpired. */
async function usableLinks(store: RecoveryStore, identityId: string, now = NOW): Promise<string[]> {
  const outstanding = await store.listOutstandingRecoveryLinks(identityId, now);
  const stored = await Promise.all(outstanding.map((link) => store.findRecoveryLink(link.flowId)));
  return stored.flatMap((link) =>
    link !== null && link.usedAt === null && link.revokedAt === null ? [link.flowId] : [],
  );
}

/**
 * The same store as another process sees it: its changes do not take turns with this
 * process's (they do within one process), so the two race in the store itself.
 */
const asAnotherProcess = (store: RecoveryStore): RecoveryStore => new Proxy(store, {});

function failure(identityId: string | null, clientAddress: string, second = 0): RecoveryEvent {
  return {
    type: 'failed',
    method: 'link',
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

    it('changes an outstanding set one generation at a time: one decision per generation wins', async () => {
      const identityId = randomUUID();
      const [first, second, third] = [
        linkFixture({ identityId }),
        linkFixture({ identityId }),
        linkFixture({ identityId }),
      ];
      expect(await subject.store.readOutstandingSet(identityId)).toEqual({ generation: 0, links: [] });
      await subject.store.insertRecoveryLink(first);
      const adding = await changeAdding(subject.store, identityId, first);
      const rival = await changeAdding(subject.store, identityId, second);
      expect(await subject.store.decideOutstandingSetChange(adding, [], revoked)).toEqual({ won: true, claimed: [] });
      // The loser claims nothing and learns the winner, to apply it for a maker that died.
      expect(await subject.store.decideOutstandingSetChange(rival, [third.flowId], revoked)).toEqual({
        won: false,
        winner: adding,
      });
      expect(await subject.store.claimRecoveryLinks([third.flowId], revoked)).toEqual([third.flowId]);
      await subject.store.applyOutstandingSetChange(adding);
      await subject.store.applyOutstandingSetChange(adding);
      expect(await subject.store.readOutstandingSet(identityId)).toEqual({ generation: 1, links: [entry(first)] });

      const replacing: OutstandingSetChange = {
        ...(await changeAdding(subject.store, identityId, second)),
        dropped: [first.flowId],
      };
      expect(await subject.store.decideOutstandingSetChange(replacing, [first.flowId], revoked)).toEqual({
        won: true,
        claimed: [first.flowId],
      });
      await subject.store.applyOutstandingSetChange(replacing);
      // A change applied late, onto a set that moved on, changes nothing.
      await subject.store.applyOutstandingSetChange(adding);
      expect(await subject.store.readOutstandingSet(identityId)).toEqual({ generation: 2, links: [entry(second)] });
      expect((await subject.store.findRecoveryLink(first.flowId))?.revokedAt).toEqual(NOW);
      expect(await subject.store.readOutstandingSet(randomUUID())).toEqual({ generation: 0, links: [] });
    });

    describe('with the recovery service, two processes at once', () => {
      const PAIRS = 30;
      const at = new Date('2026-01-01T00:00:00.000Z');
      const services = (keepOlderLinks = false) => {
        const shared = { now: () => at, newFlowId: randomUUID, keepOlderLinks };
        return [
          testRecoveryService({ store: subject.store, ...shared }),
          testRecoveryService({ store: asAnotherProcess(subject.store), ...shared }),
        ] as const;
      };
      /** Seeds first: the embedded store under test is made anew with its identities. */
      const seeded = async () => {
        const identities = Array.from({ length: PAIRS }, () => identityFixture());
        for (const identity of identities) await subject.seedIdentity(identity);
        return identities;
      };
      const linkOf = (outcome: Awaited<ReturnType<ReturnType<typeof services>[0]['createRecoveryLink']>>) => {
        if (outcome.kind !== 'created') throw new Error(`not created: ${outcome.kind}`);
        return outcome.link;
      };

      it(`leaves exactly one usable link of two creations racing for one identity (${PAIRS} pairs)`, async () => {
        const identities = await seeded();
        const [here, there] = services();
        const pairs = await Promise.all(
          identities.map((identity) =>
            Promise.all([
              here.createRecoveryLink({ identityId: identity.id, origin: testOrigin('here') }),
              there.createRecoveryLink({ identityId: identity.id, origin: testOrigin('there') }),
            ]),
          ),
        );
        for (const [index, identity] of identities.entries()) {
          const created = pairs[index]!.map(linkOf);
          const usable = await usableLinks(subject.store, identity.id, at);
          expect(usable).toHaveLength(1);
          expect(created.map((link) => link.flowId)).toContain(usable[0]);
        }
      });

      it(`revokes every other link on redemption, even with RECOVERY_LINK_KEEP_OLDER (${PAIRS} pairs)`, async () => {
        const identities = await seeded();
        const [here, there] = services(true);
        const pairs = await Promise.all(
          identities.map((identity) =>
            Promise.all([
              here.createRecoveryLink({ identityId: identity.id, origin: testOrigin('here') }),
              there.createRecoveryLink({ identityId: identity.id, origin: testOrigin('there') }),
            ]),
          ),
        );
        await Promise.all(
          pairs.map(async (pair, index) => {
            const [first, second] = pair.map(linkOf) as [CreatedRecoveryLink, CreatedRecoveryLink];
            expect(await usableLinks(subject.store, identities[index]!.id, at)).toHaveLength(2);
            const token = new URL(first.recoveryLink).searchParams.get('token')!;
            const redeemed = await there.redeemRecoveryLink({ flowId: first.flowId, token, origin: testOrigin('r') });
            expect(redeemed.kind).toBe('redeemed');
            expect(await usableLinks(subject.store, identities[index]!.id, at)).toEqual([]);
            expect((await subject.store.findRecoveryLink(second.flowId))?.revokedAt).toEqual(at);
          }),
        );
      });
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
        method: 'link',
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
