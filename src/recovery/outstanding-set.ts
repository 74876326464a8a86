import type { RequestOrigin } from './audit.js';
import type { RecoveryServiceDependencies } from './dependencies.js';
import type { CreationWrites, OutstandingRecoveryLink, OutstandingSetChange, RecoveryLinkClaim } from './store.js';

/** What a change of the set does, planned on the entries it had. */
export interface OutstandingSetPlan {
  /** The link a creation adds, or null. */
  readonly added: OutstandingRecoveryLink | null;
  /** Entries to claim; those expired by then are only dropped. */
  readonly toClaim: readonly OutstandingRecoveryLink[];
  /** Entries to drop without claiming them (claimed already by the caller). */
  readonly alsoDropped?: readonly string[];
}

/**
 * Another process may win each attempt's generation, and each loss finishes the winner's
 * change first, so every attempt starts from a newer set; more losses in a row than this
 * mean something is wrong rather than busy.
 */
const MAX_ATTEMPTS = 20;

/** A change made (with the flow ids it claimed), or a creation refused by its rate limit. */
export type OutstandingSetOutcome =
  | { readonly changed: true; readonly claimed: string[] }
  | { readonly changed: false; readonly retryAfterSeconds: number };

/**
 * Changes an identity's outstanding set: reads it, claims what the plan says and writes
 * the change, answering the flow ids this call claimed. A creation's writes go with the
 * decision (CreationWrites): in steady state a creation is one write and one update. Who
 * changes a generation is a unique insert, so changes racing in several processes apply
 * one after another, and the claims are made by the winner alone, before its change is
 * written: a crash in between leaves a decided change that the next one applies for it,
 * never a usable link missing from the set. Within a process, changes of one identity
 * take turns, so they do not race each other for a generation at all.
 */
export async function changeOutstandingSet(
  deps: Pick<RecoveryServiceDependencies, 'store'>,
  identityId: string,
  claim: { outcome: RecoveryLinkClaim['outcome']; at: Date; origin: RequestOrigin },
  plan: (links: readonly OutstandingRecoveryLink[]) => OutstandingSetPlan,
  creation: CreationWrites | null = null,
): Promise<OutstandingSetOutcome> {
  const { store } = deps;
  const claimOf = (outcome: RecoveryLinkClaim['outcome']): RecoveryLinkClaim => ({
    outcome,
    identityId,
    at: claim.at,
    requestId: claim.origin.requestId,
    actor: claim.origin.actor,
    clientAddress: claim.origin.clientAddress,
  });
  return inTurn(store, identityId, async (): Promise<OutstandingSetOutcome> => {
    let writes = creation;
    for (let attempt = 1; ; attempt++) {
      const set = await store.readOutstandingSet(identityId);
      const { added, toClaim, alsoDropped = [] } = plan(set.links);
      const live = toClaim.filter((link) => link.expiresAt > claim.at).map((link) => link.flowId);
      const expired = set.links.filter((link) => link.expiresAt <= claim.at).map((link) => link.flowId);
      const change: OutstandingSetChange = {
        identityId,
        generation: set.generation + 1,
        added,
        dropped: [...new Set([...toClaim.map((link) => link.flowId), ...expired, ...alsoDropped])],
        at: claim.at,
      };
      const decision = await store.decideOutstandingSetChange(change, live, claimOf(claim.outcome), writes);
      if (decision.won) {
        await store.applyOutstandingSetChange(change);
        return { changed: true, claimed: decision.claimed };
      }
      if ('retryAfterSeconds' in decision) return { changed: false, retryAfterSeconds: decision.retryAfterSeconds };
      if (decision.rateCounted === true && writes !== null) writes = { ...writes, rateLimit: null };
      if (attempt >= MAX_ATTEMPTS) {
        throw new Error(`the outstanding set of identity ${identityId} changed ${MAX_ATTEMPTS} times in a row`);
      }
      if (decision.winner !== null) {
        // Its maker may have died before writing it, even before claiming all it drops (a
        // claim that raced stops MongoDB's ordered insert): what it drops is claimed first,
        // so no usable link leaves the set. Those claimed already just lose, and applying
        // a change twice changes nothing.
        await store.claimRecoveryLinks(decision.winner.dropped, claimOf('revoked'));
        await store.applyOutstandingSetChange(decision.winner);
      }
    }
  });
}

/**
 * Per store, the last change queued for each identity. An entry leaves as soon as its
 * queue is empty, so the map holds at most one entry per request in flight.
 */
const turns = new WeakMap<object, Map<string, Promise<unknown>>>();

async function inTurn<T>(store: object, identityId: string, work: () => Promise<T>): Promise<T> {
  let queues = turns.get(store);
  if (queues === undefined) turns.set(store, (queues = new Map()));
  // The queued tail never rejects (see below), so this runs once the one before settled.
  const mine = (queues.get(identityId) ?? Promise.resolve()).then(work);
  const tail = mine.catch(() => undefined);
  queues.set(identityId, tail);
  try {
    return await mine;
  } finally {
    if (queues.get(identityId) === tail) queues.delete(identityId);
  }
}
