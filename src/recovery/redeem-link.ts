import type { RequestOrigin } from './audit.js';
import type { RecoveryServiceDependencies } from './dependencies.js';
import {
  completeRedemption,
  recordRedemptionFailure,
  redemptionRateLimit,
  sameHash,
  type Redemption,
} from './redeem-flow.js';

export interface RedeemRecoveryLinkRequest {
  readonly flowId: string;
  readonly token: string;
  readonly origin: RequestOrigin;
}

export type { Redemption };

/**
 * Unknown flow, wrong token, used and revoked links are one outcome on purpose: telling
 * them apart would tell an attacker which flows exist and which tokens were close.
 */
export type RedeemRecoveryLinkOutcome =
  | { readonly kind: 'redeemed'; readonly redemption: Redemption }
  | { readonly kind: 'recovery_link_invalid'; readonly flowId: string }
  | { readonly kind: 'recovery_link_expired'; readonly flowId: string; readonly expiredAt: Date }
  | { readonly kind: 'identity_not_found'; readonly identityId: string }
  | { readonly kind: 'identity_disabled'; readonly identityId: string }
  | { readonly kind: 'rate_limited'; readonly retryAfterSeconds: number };

type Failure = Exclude<RedeemRecoveryLinkOutcome, { kind: 'redeemed' | 'rate_limited' }>;

/** Our tokens are 43 characters; anything much longer is not one and is not hashed. */
const MAX_TOKEN_LENGTH = 256;

export async function redeemRecoveryLink(
  deps: RecoveryServiceDependencies,
  request: RedeemRecoveryLinkRequest,
): Promise<RedeemRecoveryLinkOutcome> {
  const { origin, flowId } = request;
  const now = deps.now();
  const retryAfterSeconds = await redemptionRateLimit(deps, origin, now);
  if (retryAfterSeconds !== null) return { kind: 'rate_limited', retryAfterSeconds };

  const failed = async (failure: Failure, identityId: string | null): Promise<Failure> => {
    await recordRedemptionFailure(deps, origin, now, { method: 'link', flowId, identityId, errorId: failure.kind });
    return failure;
  };
  const invalid = { kind: 'recovery_link_invalid', flowId } as const;

  const link = await deps.store.findStoredRecoveryLink(flowId);
  if (link === null) return failed(invalid, null);
  // The caller hears only "invalid"; the admin-only trail names whose link was tried, also
  // for a token too long to be one of ours (not hashed, but an attempt on that link all
  // the same). A code's flow never takes a token: that would skip its attempt count.
  if (
    link.method !== 'link' ||
    request.token.length > MAX_TOKEN_LENGTH ||
    !sameHash(link.tokenHash, deps.hashToken(request.token))
  )
    return failed(invalid, link.identityId);

  const step = await completeRedemption(deps, link, origin, now);
  switch (step.kind) {
    case 'redeemed':
      return step;
    case 'invalid':
      return failed(invalid, link.identityId);
    case 'expired':
      return failed({ kind: 'recovery_link_expired', flowId, expiredAt: step.expiredAt }, link.identityId);
    case 'identity_not_found':
    case 'identity_disabled':
      return failed(step, link.identityId);
    default:
      return step satisfies never;
  }
}
