import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityFixture } from '../support/fixtures.js';
import { CREATE_RECOVERY_LINK, REDEEM_RECOVERY_LINK, linkParameters } from '../support/app.js';
import { STORES, startRecoveryOn, type RecoveryOnStore } from './gateway-support.js';

/**
 * The audit trail cannot be hidden: guesses against a victim's link are counted in the
 * victim's trail, whatever the same client tried first in the window.
 */
const RECOVERY_EVENTS =
  'query($id: UUID!) { recoveryEvents(identityId: $id) { type identityId flowId errorId clientAddress count } }';

describe.each(STORES)('the audit trail on the %s store', (store) => {
  const victim = identityFixture();
  let recovery: RecoveryOnStore;
  beforeAll(async () => {
    recovery = await startRecoveryOn(store, [victim]);
  });
  afterAll(() => recovery?.stop());

  it("shows every guess against the victim's link, counted, after an attempt on an unknown flow", async () => {
    const { app } = recovery;
    const created = await app.graphql(CREATE_RECOVERY_LINK, { input: { identityId: victim.id } });
    const { flow, token } = linkParameters(created.body.data?.createRecoveryLink.recoveryLink);
    const redeem = (input: { flow: string; token: string }) =>
      app.graphql(REDEEM_RECOVERY_LINK, { input }, { authorization: '' });
    // First in the window: a flow that does not exist. It used to name the window's entry.
    await redeem({ flow: randomUUID(), token: 'nothing' });
    for (let i = 0; i < 20; i++) await redeem({ flow, token: `${token.slice(0, -2)}${i}` });
    // A token too long to be one is an attempt on that link all the same.
    await redeem({ flow, token: 'x'.repeat(300) });

    const { body } = await app.graphql(RECOVERY_EVENTS, { id: victim.id });
    const failures = body.data?.recoveryEvents.filter((event: { type: string }) => event.type === 'FAILED');
    expect(failures).toEqual([
      expect.objectContaining({
        identityId: victim.id,
        flowId: flow,
        errorId: 'recovery_link_invalid',
        count: 21,
      }),
    ]);
  });
});
