import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RecoveryStore } from '../../../src/recovery/index.js';
import { identityFixture, linkFixture } from '../../support/fixtures.js';
import { testOrigin, testRecoveryService } from '../../support/service.js';
import type { StoreUnderTest } from './support.js';

const MAX_ATTEMPTS = 5;
const NOW = new Date('2026-01-01T00:30:00.000Z');
const CODE = '12345678';

/** The same store as another process sees it: no in-process turns between the two. */
const asAnotherProcess = (store: RecoveryStore): RecoveryStore => new Proxy(store, {});

/** Codes on top of the link contract: attempts, and the lifecycle links and codes share. */
export function describeRecoveryCodeContract(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(`${name} store contract for recovery codes`, () => {
    let subject: StoreUnderTest;
    beforeEach(async () => {
      subject = await open();
    });
    afterEach(async () => {
      await subject.dispose();
    });

    const services = () => {
      const shared = { now: () => NOW, newFlowId: randomUUID, generateCode: () => CODE, codeMaxAttempts: MAX_ATTEMPTS };
      return [
        testRecoveryService({ store: subject.store, ...shared }),
        testRecoveryService({ store: asAnotherProcess(subject.store), ...shared }),
      ] as const;
    };
    const seeded = async () => {
      const identity = identityFixture();
      await subject.seedIdentity(identity);
      return identity;
    };
    const flowIdOf = (outcome: { kind: string; code?: { flowId: string }; link?: { flowId: string } }) => {
      const flowId = outcome.code?.flowId ?? outcome.link?.flowId;
      if (flowId === undefined) throw new Error(`not created: ${outcome.kind}`);
      return flowId;
    };

    it('stores a code flow with its method and reads every field back', async () => {
      const flow = linkFixture({ method: 'code' });
      await subject.store.insertRecoveryLink(flow);
      expect(await subject.store.findStoredRecoveryLink(flow.flowId)).toEqual(flow);
    });

    it('counts attempts one to the maximum, then refuses every further one', async () => {
      const flow = linkFixture({ method: 'code' });
      await subject.store.insertRecoveryLink(flow);
      const decisions = [];
      for (let i = 0; i < MAX_ATTEMPTS + 2; i++) decisions.push(await subject.store.countCodeAttempt(flow, 5, NOW));
      expect(decisions).toEqual([
        ...[1, 2, 3, 4, 5].map((attempt) => ({ counted: true, attempt })),
        { counted: false },
        { counted: false },
      ]);
    });

    it('counts exactly the maximum of twenty attempts racing in two processes, each number once', async () => {
      const flow = linkFixture({ method: 'code' });
      await subject.store.insertRecoveryLink(flow);
      const other = asAnotherProcess(subject.store);
      const decisions = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? subject.store : other).countCodeAttempt(flow, 5, NOW)),
      );
      const numbers = decisions.flatMap((decision) => (decision.counted ? [decision.attempt] : []));
      expect(numbers.sort()).toEqual([1, 2, 3, 4, 5]);
    });

    it("counts each flow's attempts on their own", async () => {
      const [a, b] = [linkFixture({ method: 'code' }), linkFixture({ method: 'code' })];
      await subject.store.insertRecoveryLink(a);
      await subject.store.insertRecoveryLink(b);
      for (let i = 0; i < MAX_ATTEMPTS; i++) await subject.store.countCodeAttempt(a, MAX_ATTEMPTS, NOW);
      expect(await subject.store.countCodeAttempt(a, MAX_ATTEMPTS, NOW)).toEqual({ counted: false });
      expect(await subject.store.countCodeAttempt(b, MAX_ATTEMPTS, NOW)).toEqual({ counted: true, attempt: 1 });
    });

    it('purges the attempts with their flow, so nothing of a flow outlives it', async () => {
      const flow = linkFixture({ method: 'code' });
      await subject.store.insertRecoveryLink(flow);
      for (let i = 0; i < MAX_ATTEMPTS; i++) await subject.store.countCodeAttempt(flow, MAX_ATTEMPTS, NOW);
      await subject.store.purgeExpired(new Date('2026-01-02T00:00:00.000Z'), 100);
      expect(await subject.store.countCodeAttempt(flow, MAX_ATTEMPTS, NOW)).toEqual({ counted: false });
      await subject.store.purgeExpired(new Date('2027-06-01T00:00:00.000Z'), 100);
      expect(await subject.store.findStoredRecoveryLink(flow.flowId)).toBeNull();
      // The same flow stored again starts from its first attempt: none was left behind.
      await subject.store.insertRecoveryLink(flow);
      expect(await subject.store.countCodeAttempt(flow, MAX_ATTEMPTS, NOW)).toEqual({ counted: true, attempt: 1 });
    });

    it('lets a new code revoke the older link and a new link the older code', async () => {
      const identity = await seeded();
      const [service] = services();
      const origin = testOrigin('r');
      const link = flowIdOf(await service.createRecoveryLink({ identityId: identity.id, origin }));
      const code = flowIdOf(await service.createRecoveryCode({ identityId: identity.id, origin }));
      expect(await subject.store.findRecoveryLink(link)).toMatchObject({ revokedAt: NOW });
      expect(await service.countOutstandingLinks([identity.id])).toEqual(new Map([[identity.id, 1]]));
      const newer = flowIdOf(await service.createRecoveryLink({ identityId: identity.id, origin }));
      expect(await subject.store.findRecoveryLink(code)).toMatchObject({ method: 'code', revokedAt: NOW });
      expect(await subject.store.findRecoveryLink(newer)).toMatchObject({ method: 'link', revokedAt: null });
    });

    it('counts kept links and codes alike, and a code redemption revokes the rest', async () => {
      const identity = await seeded();
      const service = testRecoveryService({
        ...{ store: subject.store, now: () => NOW },
        keepOlderLinks: true,
        newFlowId: randomUUID,
        generateCode: () => CODE,
      });
      const origin = testOrigin('r');
      const link = flowIdOf(await service.createRecoveryLink({ identityId: identity.id, origin }));
      const code = flowIdOf(await service.createRecoveryCode({ identityId: identity.id, origin }));
      expect(await service.countOutstandingLinks([identity.id])).toEqual(new Map([[identity.id, 2]]));
      const outcome = await service.redeemRecoveryCode({ flowId: code, code: CODE, origin });
      expect(outcome.kind).toBe('redeemed');
      expect(await subject.store.findRecoveryLink(link)).toMatchObject({ revokedAt: NOW });
      expect(await service.countOutstandingLinks([identity.id])).toEqual(new Map());
    });

    it('ends codes with revokeRecoveryLinks, and a revoked code reads as invalid', async () => {
      const identity = await seeded();
      const [service] = services();
      const origin = testOrigin('r');
      const code = flowIdOf(await service.createRecoveryCode({ identityId: identity.id, origin }));
      expect(await service.revokeRecoveryLinks({ identityId: identity.id, origin })).toEqual({
        kind: 'revoked',
        count: 1,
      });
      expect(await service.redeemRecoveryCode({ flowId: code, code: CODE, origin })).toEqual({
        kind: 'recovery_code_invalid',
        flowId: code,
      });
    });

    it('redeems a code exactly once of many redemptions racing in two processes', async () => {
      const identity = await seeded();
      const [here, there] = services();
      const code = flowIdOf(await here.createRecoveryCode({ identityId: identity.id, origin: testOrigin('c') }));
      // Within the attempt maximum, so every one of them is compared.
      const outcomes = await Promise.all(
        Array.from({ length: MAX_ATTEMPTS }, (_, i) =>
          (i % 2 === 0 ? here : there).redeemRecoveryCode({ flowId: code, code: CODE, origin: testOrigin(`${i}`) }),
        ),
      );
      const kinds = outcomes.map((outcome) => outcome.kind).sort();
      expect(kinds).toEqual([
        'recovery_code_invalid',
        'recovery_code_invalid',
        'recovery_code_invalid',
        'recovery_code_invalid',
        'redeemed',
      ]);
    });

    it('names the method in the audit trail: created, redeemed, revoked and failed', async () => {
      const identity = await seeded();
      const [service] = services();
      const origin = testOrigin('r');
      const link = flowIdOf(await service.createRecoveryLink({ identityId: identity.id, origin }));
      const code = flowIdOf(await service.createRecoveryCode({ identityId: identity.id, origin }));
      await service.redeemRecoveryCode({ flowId: code, code: '00000000', origin });
      await service.redeemRecoveryCode({ flowId: code, code: CODE, origin });
      const trail = await subject.store.listEvents(identity.id, 10);
      const seen = trail.map((event) => [event.type, event.flowId === link ? 'the link' : 'the code', event.method]);
      expect(seen.sort()).toEqual(
        [
          ['created', 'the link', 'link'],
          ['revoked', 'the link', 'link'],
          ['created', 'the code', 'code'],
          ['failed', 'the code', 'code'],
          ['redeemed', 'the code', 'code'],
        ].sort(),
      );
    });
  });
}
