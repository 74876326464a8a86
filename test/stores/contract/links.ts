import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DuplicateRecoveryLinkError,
  type CreatedRecoveryLink,
  type OutstandingSetChange,
} from '../../../src/recovery/index.js';
import { identityFixture, linkFixture } from '../../support/fixtures.js';
import { testOrigin, testRecoveryService } from '../../support/service.js';
import {
  NOW,
  asAnotherProcess,
  changeAdding,
  claimOf,
  describeStoreContract,
  entry,
  redeemed,
  revoked,
  storeLink,
  usableLinks,
  type StoreUnderTest,
} from './support.js';

/** RecoveryLinkStore: links, the claims that end them, and outstanding sets, alone and under the service. */
export function describeRecoveryLinkStoreContract(name: string, open: () => Promise<StoreUnderTest>): void {
  describeStoreContract(name, open, (subject) => {
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
  });
}
