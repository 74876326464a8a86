import { eventFrom, type RequestOrigin } from './audit.js';
import type { RecoveryServiceDependencies } from './service.js';

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

export interface RevokeOptions {
  /** A link to leave alone: the one being redeemed or just created. */
  readonly except?: string;
  /**
   * Only links created no later than this: a new link revokes its predecessors, not
   * links created after it. Two creations in the same millisecond that interleave can
   * revoke each other; that fails safe (no working link, the admin asks again).
   */
  readonly createdNoLaterThan?: Date;
}

/**
 * Revokes the identity's unused, unexpired links, answering how many this call revoked,
 * and records a `revoked` event for each. A link redeemed or revoked concurrently is not
 * counted: claims decide, so a link is never both redeemed and revoked.
 */
export async function revokeOutstandingLinks(
  deps: Pick<RecoveryServiceDependencies, 'store' | 'now'>,
  identityId: string,
  origin: RequestOrigin,
  options: RevokeOptions = {},
): Promise<number> {
  const now = deps.now();
  const outstanding = await deps.store.listOutstandingRecoveryLinks(identityId, now);
  const toRevoke = outstanding
    .filter((link) => link.flowId !== options.except)
    .filter((link) => options.createdNoLaterThan === undefined || link.createdAt <= options.createdNoLaterThan)
    .map((link) => link.flowId);
  if (toRevoke.length === 0) return 0;
  const revoked = await deps.store.claimRecoveryLinks(toRevoke, {
    outcome: 'revoked',
    at: now,
    requestId: origin.requestId,
  });
  if (revoked.length > 0) {
    await deps.store.recordEvents(
      revoked.map((flowId) => eventFrom(origin, now, { type: 'revoked', identityId, flowId })),
    );
  }
  return revoked.length;
}
