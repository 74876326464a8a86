import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Identity } from '../../src/recovery/index.js';
import { MemoryRecoveryStore, type InspectableRecoveryStore } from '../../src/stores/index.js';
import { connectMongoStore, insertIdentity, openScratchDatabase } from '../support/mongo.js';
import { testOrigin, testRecoveryService } from '../support/service.js';
import { identityFixture } from '../support/fixtures.js';

/**
 * FerretDB has no transactions, so a creation is several writes; a process can die
 * between any two. Whatever it leaves, no usable link may lack its `created` entry, and an
 * identity may never have two usable links. Each case kills a creation at its n-th write.
 * A creation's decision, claims and flow are one ordered insert, which MongoDB (unlike
 * FerretDB) may leave half done: so that insert counts as two writes here, dying between
 * them leaving the decision and its claims without the flow.
 */

const NOW = new Date('2026-01-01T00:00:00.000Z');
const WRITES = ['decideOutstandingSetChange', 'applyOutstandingSetChange', 'insertRecoveryLink', 'claimRecoveryLinks'];

/** The store, dying at its `failAt`-th write: what a process killed there leaves behind. */
function crashingAt(store: InspectableRecoveryStore, failAt: number): InspectableRecoveryStore {
  let writes = 0;
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (WRITES.includes(String(property)) && ++writes === failAt) return Promise.reject(new Error('crash'));
        if (property === 'decideOutstandingSetChange' && args[3] != null && ++writes === failAt) {
          // Killed within the insert, after the claims: the same decision, without the flow.
          return (value.apply(target, [...args.slice(0, 3), null]) as Promise<unknown>).then(() => {
            throw new Error('crash');
          });
        }
        // Synchronous methods (knownRateLimitWait) stay synchronous.
        return value.apply(target, args);
      };
    },
  });
}

/** Links someone could redeem: stored, unclaimed, unexpired. */
async function usableLinks(store: InspectableRecoveryStore, identityId: string): Promise<string[]> {
  const outstanding = await store.listOutstandingRecoveryLinks(identityId, NOW);
  const stored = await Promise.all(outstanding.map((link) => store.findRecoveryLink(link.flowId)));
  return stored.flatMap((link) =>
    link !== null && link.usedAt === null && link.revokedAt === null ? [link.flowId] : [],
  );
}

const stores: [
  string,
  (identity: Identity) => Promise<{ store: InspectableRecoveryStore; dispose(): Promise<void> }>,
][] = [
  ['embedded', async (identity) => ({ store: new MemoryRecoveryStore([identity]), dispose: async () => {} })],
  [
    'MongoDB',
    async (identity) => {
      const database = await openScratchDatabase();
      await insertIdentity(database.db, identity, 'string');
      const store = await connectMongoStore(database);
      return { store, dispose: async () => (await store.close(), await database.drop()) };
    },
  ],
];

/** Links and codes are created by the same writes (create-flow.ts), so each is killed alike. */
const KILLED = (['link', 'code'] as const).flatMap((method) => [1, 2, 3].map((failAt) => [failAt, method] as const));

describe.each(stores)('a creation killed between two writes, on the %s store', (_name, open) => {
  it.each(KILLED)(
    'at write %i of a %s leaves no usable flow without its created entry, and never two',
    async (failAt, method) => {
      const identity = identityFixture();
      const { store, dispose } = await open(identity);
      try {
        const service = (target: InspectableRecoveryStore) =>
          testRecoveryService({ store: target, now: () => NOW, newFlowId: randomUUID });
        const first = await service(store).createRecoveryLink({ identityId: identity.id, origin: testOrigin('a') });
        expect(first.kind).toBe('created');
        const crashing = service(crashingAt(store, failAt));
        const request = { identityId: identity.id, origin: testOrigin('b') };
        await expect(
          method === 'link' ? crashing.createRecoveryLink(request) : crashing.createRecoveryCode(request),
        ).rejects.toThrow('crash');

        const usable = await usableLinks(store, identity.id);
        expect(usable.length).toBeLessThanOrEqual(1);
        const created = (await store.listEvents(identity.id, 10)).filter((event) => event.type === 'created');
        for (const flowId of usable) expect(created.map((event) => event.flowId)).toContain(flowId);

        // Whatever was left, the next creation leaves exactly one usable link.
        const third = await service(store).createRecoveryLink({ identityId: identity.id, origin: testOrigin('c') });
        expect(third.kind).toBe('created');
        expect(await usableLinks(store, identity.id)).toHaveLength(1);
      } finally {
        await dispose();
      }
    },
  );
});

describe.each(stores)('a change decided by a process that died before its claims, on the %s store', (_name, open) => {
  it('is claimed and applied by the next change: no usable link leaves the set unclaimed', async () => {
    const identity = identityFixture();
    const { store, dispose } = await open(identity);
    try {
      const service = testRecoveryService({ store, now: () => NOW, newFlowId: randomUUID });
      const first = await service.createRecoveryLink({ identityId: identity.id, origin: testOrigin('a') });
      if (first.kind !== 'created') throw new Error(first.kind);
      // What MongoDB's ordered insert leaves when a claim before this one raced and the
      // process then died: the decision, dropping the first link, without its claim.
      const set = await store.readOutstandingSet(identity.id);
      const claim = {
        outcome: 'revoked',
        identityId: identity.id,
        at: NOW,
        requestId: 'x',
        actor: null,
        clientAddress: null,
      } as const;
      const decided = await store.decideOutstandingSetChange(
        { identityId: identity.id, generation: set.generation + 1, added: null, dropped: [first.link.flowId], at: NOW },
        [],
        claim,
      );
      expect(decided).toEqual({ won: true, claimed: [] });
      expect(await usableLinks(store, identity.id)).toEqual([first.link.flowId]);

      const next = await service.createRecoveryLink({ identityId: identity.id, origin: testOrigin('b') });
      if (next.kind !== 'created') throw new Error(next.kind);
      expect((await store.findRecoveryLink(first.link.flowId))?.revokedAt).toEqual(NOW);
      expect(await usableLinks(store, identity.id)).toEqual([next.link.flowId]);
    } finally {
      await dispose();
    }
  });
});
