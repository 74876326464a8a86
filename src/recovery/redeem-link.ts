import { timingSafeEqual } from 'node:crypto';
import { revokeOutstandingLinks } from './revoke-links.js';
import type { RecoveryServiceDependencies } from './service.js';

export interface RedeemRecoveryLinkRequest {
  readonly flowId: string;
  readonly token: string;
  readonly requestId: string;
}

export interface Redemption {
  readonly identityId: string;
  readonly sessionToken: string;
  readonly sessionExpiresAt: Date;
}

/**
 * Unknown flow, wrong token, used and revoked links are one outcome on purpose: telling
 * them apart would tell an attacker which flows exist and which tokens were close.
 */
export type RedeemRecoveryLinkOutcome =
  | { readonly kind: 'redeemed'; readonly redemption: Redemption }
  | { readonly kind: 'recovery_link_invalid'; readonly flowId: string }
  | { readonly kind: 'recovery_link_expired'; readonly flowId: string; readonly expiredAt: Date }
  | { readonly kind: 'identity_not_found'; readonly identityId: string }
  | { readonly kind: 'identity_disabled'; readonly identityId: string };

/** Our tokens are 43 characters; anything much longer is not one and is not hashed. */
const MAX_TOKEN_LENGTH = 256;

export async function redeemRecoveryLink(
  deps: RecoveryServiceDependencies,
  request: RedeemRecoveryLinkRequest,
): Promise<RedeemRecoveryLinkOutcome> {
  const { store } = deps;
  const invalid = { kind: 'recovery_link_invalid', flowId: request.flowId } as const;
  if (request.token.length > MAX_TOKEN_LENGTH) return invalid;

  const link = await store.findRecoveryLink(request.flowId);
  if (link === null || !sameHash(link.tokenHash, deps.hashToken(request.token))) return invalid;
  if (link.usedAt !== null || link.revokedAt !== null) return invalid;
  // Expiry is told apart only to someone holding the right token, so they can ask again.
  const now = deps.now();
  if (link.expiresAt.getTime() <= now.getTime()) {
    return { kind: 'recovery_link_expired', flowId: link.flowId, expiredAt: link.expiresAt };
  }

  const identity = await store.findIdentity(link.identityId);
  if (identity === null) return { kind: 'identity_not_found', identityId: link.identityId };
  if (identity.state !== 'active') return { kind: 'identity_disabled', identityId: identity.id };

  // The claim is the single atomic step: of any number of concurrent redemptions (or a
  // redemption racing a revocation) in any number of processes, exactly one wins.
  const claimed = await store.claimRecoveryLinks([link.flowId], {
    outcome: 'redeemed',
    at: now,
    requestId: request.requestId,
  });
  if (claimed.length !== 1) return invalid;

  await revokeOutstandingLinks(deps, identity.id, { except: link.flowId, requestId: request.requestId });
  const session = await deps.issueSession(identity.id, link.flowId, now);
  return {
    kind: 'redeemed',
    redemption: { identityId: identity.id, sessionToken: session.token, sessionExpiresAt: session.expiresAt },
  };
}

function sameHash(stored: string, presented: string): boolean {
  const a = Buffer.from(stored);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}
