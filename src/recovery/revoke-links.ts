import type { RequestOrigin } from './audit.js';
import type { RecoveryServiceDependencies } from './dependencies.js';
import { changeOutstandingSet } from './outstanding-set.js';

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
 * Revokes the identity's unused, unexpired links (but `except`, which the caller claimed
 * already), answering how many this call revoked. A link redeemed or revoked concurrently
 * is not counted: claims decide, so a link is never both redeemed and revoked.
 */
export async function revokeOutstandingLinks(
  deps: Pick<RecoveryServiceDependencies, 'store' | 'now'>,
  identityId: string,
  origin: RequestOrigin,
  except?: string,
): Promise<number> {
  const outcome = await changeOutstandingSet(
    deps,
    identityId,
    { outcome: 'revoked', at: deps.now(), origin },
    (links) => ({
      added: null,
      toClaim: links.filter((link) => link.flowId !== except),
      alsoDropped: except === undefined ? [] : [except],
    }),
  );
  // No creation, so no rate limit: a revocation always changes the set.
  return outcome.changed ? outcome.claimed.length : 0;
}
