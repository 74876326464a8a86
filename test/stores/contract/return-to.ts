import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseReturnToAllowlist } from '../../../src/recovery/index.js';
import { identityFixture, linkFixture } from '../../support/fixtures.js';
import { testOrigin, testRecoveryService } from '../../support/service.js';
import type { StoreUnderTest } from './support.js';

const ALLOWLIST = parseReturnToAllowlist('https://app.example.com/settings/');

/**
 * The return URL a flow carries, on every store: part of the store contract, in a file of
 * its own beside it, run by each store's test file with the same opener.
 */
export function describeReturnToStoreContract(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(`${name} store contract: return URLs`, () => {
    let subject: StoreUnderTest;
    beforeEach(async () => {
      subject = await open();
    });
    afterEach(async () => {
      await subject.dispose();
    });

    it('keeps a link’s returnTo, before and after the link is claimed', async () => {
      const link = linkFixture({ returnTo: 'https://app.example.com/settings/password?lang=de' });
      await subject.store.insertRecoveryLink(link);
      expect(await subject.store.findStoredRecoveryLink(link.flowId)).toEqual(link);
      await subject.store.claimRecoveryLinks([link.flowId], {
        outcome: 'redeemed',
        identityId: link.identityId,
        at: link.createdAt,
        requestId: 'req-claim',
        actor: null,
        clientAddress: null,
      });
      const claimed = await subject.store.findRecoveryLink(link.flowId);
      expect(claimed).toMatchObject({ returnTo: link.returnTo, usedAt: link.createdAt });
    });

    it('reads a link created without a returnTo as null', async () => {
      const link = linkFixture();
      await subject.store.insertRecoveryLink(link);
      expect((await subject.store.findStoredRecoveryLink(link.flowId))?.returnTo).toBeNull();
      expect((await subject.store.findRecoveryLink(link.flowId))?.returnTo).toBeNull();
    });

    it('carries an allowed returnTo from creation to the redemption and its session', async () => {
      const identity = identityFixture();
      await subject.seedIdentity(identity);
      const service = testRecoveryService({ store: subject.store, returnToAllowlist: ALLOWLIST });
      const created = await service.createRecoveryLink({
        identityId: identity.id,
        returnTo: 'HTTPS://App.Example.com:443/settings/./password',
        origin: testOrigin('req-create'),
      });
      if (created.kind !== 'created') throw new Error(`not created: ${created.kind}`);
      const stored = await subject.store.findStoredRecoveryLink(created.link.flowId);
      expect(stored?.returnTo).toBe('https://app.example.com/settings/password');

      const url = new URL(created.link.recoveryLink);
      const redeemed = await service.redeemRecoveryLink({
        flowId: url.searchParams.get('flow') ?? '',
        token: url.searchParams.get('token') ?? '',
        origin: testOrigin('req-redeem'),
      });
      if (redeemed.kind !== 'redeemed') throw new Error(`not redeemed: ${redeemed.kind}`);
      expect(redeemed.redemption.returnTo).toBe('https://app.example.com/settings/password');
      expect(decodeJwt(redeemed.redemption.sessionToken).return_to).toBe('https://app.example.com/settings/password');
    });

    it('stores nothing for a refused returnTo, and redeems a link whose origin left the allowlist without one', async () => {
      const identity = identityFixture();
      await subject.seedIdentity(identity);
      const refused = await testRecoveryService({
        store: subject.store,
        returnToAllowlist: ALLOWLIST,
      }).createRecoveryLink({
        identityId: identity.id,
        returnTo: 'https://app.example.com/admin',
        origin: testOrigin('req-refused'),
      });
      expect(refused).toEqual({
        kind: 'return_to_forbidden',
        returnTo: 'https://app.example.com/admin',
        refusal: 'not_allowlisted',
      });
      expect(await subject.store.listOutstandingRecoveryLinks(identity.id, new Date('2026-01-01T00:00:00Z'))).toEqual(
        [],
      );

      const created = await testRecoveryService({
        store: subject.store,
        returnToAllowlist: ALLOWLIST,
      }).createRecoveryLink({
        identityId: identity.id,
        returnTo: 'https://app.example.com/settings/',
        origin: testOrigin('req-create'),
      });
      if (created.kind !== 'created') throw new Error(`not created: ${created.kind}`);
      const url = new URL(created.link.recoveryLink);
      // The same store, served after RECOVERY_RETURN_TO_ALLOWLIST was emptied.
      const redeemed = await testRecoveryService({ store: subject.store, returnToAllowlist: [] }).redeemRecoveryLink({
        flowId: url.searchParams.get('flow') ?? '',
        token: url.searchParams.get('token') ?? '',
        origin: testOrigin('req-redeem'),
      });
      if (redeemed.kind !== 'redeemed') throw new Error(`not redeemed: ${redeemed.kind}`);
      expect(redeemed.redemption.returnTo).toBeNull();
      expect(decodeJwt(redeemed.redemption.sessionToken)).not.toHaveProperty('return_to');
    });
  });
}
