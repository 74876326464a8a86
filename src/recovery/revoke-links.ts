import type { RequestOrigin } from './audit.js';
import type { RecoveryServiceDependencies } from './dependencies.js';
import type { OutstandingRecoveryLink, RecoveryLinkClaim } from './store.js';

export interface RevokeRecoveryLinksRequest {
  readonly identityId: string;
  readonly origin: RequestOrigin;
}

export type RevokeRecoveryLinksOutcome =
  | { readonly kind: 'revoked'; readonly count: number }
  | { readonly kind: 'identity_not_found'; readonly identityId: string };

export async function revokeRecoveryLinks(
  deps: RecoveryServiceDependencies,
  request: RevokeRecoveryLinksRequest,
): Promise<RevokeRecoveryLinksOutcome> {
  const identity = await deps.store.findIdentity(request.identityId);
  if (identity === null) return { kind: 'identity_not_found', identityId: request.identityId };
  const count = await revokeOutstandingLinks(deps, identity.id, request.origin);
  return { kind: 'revoked', count };
}

/**
 * Revokes the identity's unused, unexpired links (but `except`), answering how many this
 * call revoked. A link redeemed or revoked concurrently is not counted: claims decide, so
 * a link is never both redeemed and revoked.
 */
export async function revokeOutstandingLinks(
  deps: Pick<RecoveryServiceDependencies, 'store' | 'now'>,
  identityId: string,
  origin: RequestOrigin,
  except?: string,
): Promise<number> {
  const now = deps.now();
  // The set as stored, claimed entries included: claiming those again just loses, which
  // costs less than asking about each first.
  const known = await deps.store.readOutstandingSet(identityId);
  const toClaim = known.filter((link) => link.flowId !== except);
  const revoked = await claimAndForget(deps, identityId, known, toClaim, {
    outcome: 'revoked',
    at: now,
    origin,
  });
  return revoked.length;
}

/**
 * An identity's outstanding set is a hint that keeps growing by one per creation; it is
 * trimmed once it holds this many entries, so trimming costs one command every few
 * creations instead of one per creation, and the set stays small.
 */
export const OUTSTANDING_SET_TRIM_SIZE = 8;

/**
 * Claims the unexpired links of `toClaim`, then drops from the identity's outstanding set
 * what can no longer be outstanding: every entry of `toClaim` (now claimed, by this call
 * or an earlier one) and every expired entry of `known`, once the set is large enough to
 * be worth a command. Claiming first means a crash in between only leaves stale entries,
 * never an outstanding link missing from the set.
 */
export async function claimAndForget(
  deps: Pick<RecoveryServiceDependencies, 'store'>,
  identityId: string,
  known: readonly OutstandingRecoveryLink[],
  toClaim: readonly OutstandingRecoveryLink[],
  claim: { outcome: RecoveryLinkClaim['outcome']; at: Date; origin: RequestOrigin },
): Promise<string[]> {
  const live = toClaim.filter((link) => link.expiresAt > claim.at).map((link) => link.flowId);
  const claimed =
    live.length === 0
      ? []
      : await deps.store.claimRecoveryLinks(live, {
          outcome: claim.outcome,
          identityId,
          at: claim.at,
          requestId: claim.origin.requestId,
          actor: claim.origin.actor,
          clientAddress: claim.origin.clientAddress,
        });
  if (known.length >= OUTSTANDING_SET_TRIM_SIZE) {
    const expired = known.filter((link) => link.expiresAt <= claim.at);
    const gone = new Set([...toClaim, ...expired].map((link) => link.flowId));
    if (gone.size > 0) await deps.store.forgetOutstandingRecoveryLinks(identityId, [...gone]);
  }
  return claimed;
}
