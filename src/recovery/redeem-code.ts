import type { RequestOrigin } from './audit.js';
import { hashRecoveryCode, normalizeRecoveryCode } from './code.js';
import type { RecoveryServiceDependencies } from './dependencies.js';
import {
  completeRedemption,
  recordRedemptionFailure,
  redemptionRateLimit,
  sameHash,
  type Redemption,
} from './redeem-flow.js';

export interface RedeemRecoveryCodeRequest {
  readonly flowId: string;
  readonly code: string;
  readonly origin: RequestOrigin;
}

/**
 * Unknown flow, wrong code, used and revoked codes, and a link's flow are one outcome on
 * purpose: telling them apart would tell an attacker which flows exist and what is close.
 * Exhaustion is told apart: the flow is dead whatever comes next, and the person must
 * ask for a new code rather than keep typing.
 */
export type RedeemRecoveryCodeOutcome =
  | { readonly kind: 'redeemed'; readonly redemption: Redemption }
  | { readonly kind: 'recovery_code_invalid'; readonly flowId: string }
  | { readonly kind: 'recovery_code_attempts_exhausted'; readonly flowId: string; readonly maxAttempts: number }
  | { readonly kind: 'recovery_code_expired'; readonly flowId: string; readonly expiredAt: Date }
  | { readonly kind: 'identity_not_found'; readonly identityId: string }
  | { readonly kind: 'identity_disabled'; readonly identityId: string }
  | { readonly kind: 'rate_limited'; readonly retryAfterSeconds: number };

type Failure = Exclude<RedeemRecoveryCodeOutcome, { kind: 'redeemed' | 'rate_limited' }>;

/** Our codes are a few digits; anything much longer is not one and is not hashed. */
const MAX_CODE_LENGTH = 64;

export async function redeemRecoveryCode(
  deps: RecoveryServiceDependencies,
  request: RedeemRecoveryCodeRequest,
): Promise<RedeemRecoveryCodeOutcome> {
  const { origin, flowId } = request;
  const now = deps.now();
  const retryAfterSeconds = await redemptionRateLimit(deps, origin, now);
  if (retryAfterSeconds !== null) return { kind: 'rate_limited', retryAfterSeconds };

  const failed = async (failure: Failure, identityId: string | null): Promise<Failure> => {
    await recordRedemptionFailure(deps, origin, now, { method: 'code', flowId, identityId, errorId: failure.kind });
    return failure;
  };
  const invalid = { kind: 'recovery_code_invalid', flowId } as const;

  const flow = await deps.store.findStoredRecoveryLink(flowId);
  // A link's flow id is no code flow: its token is the only way in.
  if (flow === null || flow.method !== 'code') return failed(invalid, flow?.identityId ?? null);

  // Counted before the comparison, right or wrong, so racing guesses cannot all be
  // compared: past the maximum the flow is dead, even for the right code.
  const attempt = await deps.store.countCodeAttempt(flow, deps.codeMaxAttempts, now);
  if (!attempt.counted) {
    return failed(
      { kind: 'recovery_code_attempts_exhausted', flowId, maxAttempts: deps.codeMaxAttempts },
      flow.identityId,
    );
  }
  const code = normalizeRecoveryCode(request.code);
  if (code.length > MAX_CODE_LENGTH || !sameHash(flow.tokenHash, hashRecoveryCode(deps.hashToken, flowId, code)))
    return failed(invalid, flow.identityId);

  const step = await completeRedemption(deps, flow, origin, now);
  switch (step.kind) {
    case 'redeemed':
      return step;
    case 'invalid':
      return failed(invalid, flow.identityId);
    case 'expired':
      return failed({ kind: 'recovery_code_expired', flowId, expiredAt: step.expiredAt }, flow.identityId);
    case 'identity_not_found':
    case 'identity_disabled':
      return failed(step, flow.identityId);
    default:
      return step satisfies never;
  }
}
