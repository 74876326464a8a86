import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect } from 'vitest';
import type {
  Identity,
  NewRecoveryLink,
  OutstandingRecoveryLink,
  OutstandingSetChange,
  RecoveryEvent,
  RecoveryLinkClaim,
} from '../../../src/recovery/index.js';
import type { InspectableRecoveryStore } from '../../../src/stores/index.js';

/** A store with a way to put identities in it, as that store's deployments do. */
export interface StoreUnderTest {
  readonly store: InspectableRecoveryStore;
  seedIdentity(identity: Identity): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * One role's cases of the store contract, each on a store opened afresh. `subject` is
 * the store of the case running, so cases read `subject.store` as they run.
 */
export function describeStoreContract(
  name: string,
  open: () => Promise<StoreUnderTest>,
  cases: (subject: StoreUnderTest) => void,
): void {
  describe(`${name} store contract`, () => {
    let current: StoreUnderTest | undefined;
    const opened = (): StoreUnderTest => {
      if (current === undefined) throw new Error('no store is open outside a case');
      return current;
    };
    const subject: StoreUnderTest = {
      get store() {
        return opened().store;
      },
      seedIdentity: (identity) => opened().seedIdentity(identity),
      dispose: () => opened().dispose(),
    };
    beforeEach(async () => {
      current = await open();
    });
    afterEach(async () => {
      await opened().dispose();
      current = undefined;
    });
    cases(subject);
  });
}

export const NOW = new Date('2026-01-01T00:30:00.000Z');
export const claimOf = (
  outcome: RecoveryLinkClaim['outcome'],
  identityId: string = randomUUID(),
): RecoveryLinkClaim => ({
  outcome,
  identityId,
  at: NOW,
  requestId: `req-${outcome}`,
  actor: null,
  clientAddress: '10.0.0.1',
});
export const redeemed = claimOf('redeemed');
export const revoked = claimOf('revoked');

export const entry = ({ flowId, createdAt, expiresAt }: NewRecoveryLink): OutstandingRecoveryLink => ({
  flowId,
  createdAt,
  expiresAt,
});

/** A change of the identity's set planned on what it holds now, claiming nothing. */
export async function changeAdding(store: InspectableRecoveryStore, identityId: string, link: NewRecoveryLink | null) {
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
export async function storeLink(store: InspectableRecoveryStore, link: NewRecoveryLink): Promise<void> {
  const change = await changeAdding(store, link.identityId, link);
  expect(await store.decideOutstandingSetChange(change, [], claimOf('revoked', link.identityId))).toEqual({
    won: true,
    claimed: [],
  });
  await store.applyOutstandingSetChange(change);
  await store.insertRecoveryLink(link);
}

/** Links someone could redeem: named in the set, stored, unclaimed, unexpired. */
export async function usableLinks(store: InspectableRecoveryStore, identityId: string, now = NOW): Promise<string[]> {
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
export const asAnotherProcess = (store: InspectableRecoveryStore): InspectableRecoveryStore => new Proxy(store, {});

export function failure(identityId: string | null, clientAddress: string, second = 0): RecoveryEvent {
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
