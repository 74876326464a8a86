import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { linkFixture } from '../../support/fixtures.js';
import { claimOf, describeStoreContract, failure, storeLink, type StoreUnderTest } from './support.js';

/** AuditStore: the trail per identity, and failures counted rather than stored one by one. */
export function describeAuditStoreContract(name: string, open: () => Promise<StoreUnderTest>): void {
  describeStoreContract(name, open, (subject) => {
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
  });
}
