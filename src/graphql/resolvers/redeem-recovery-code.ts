import { ServiceError, identityDisabled, identityNotFound, rateLimited } from '../../errors/index.js';
import type { MutationResolvers } from '../generated/resolvers-types.js';
import { originOf } from '../origin.js';

/** Public: the code is the credential, so no requireAdmin here. */
export const redeemRecoveryCode: NonNullable<MutationResolvers['redeemRecoveryCode']> = async (
  _parent,
  { input },
  context,
) => {
  const outcome = await context.recovery.redeemRecoveryCode({
    flowId: input.flow,
    code: input.code,
    origin: originOf(context, null),
  });
  switch (outcome.kind) {
    case 'redeemed':
      return outcome.redemption;
    case 'recovery_code_invalid':
      // The same words and details for an unknown flow, a wrong code and a used one.
      throw new ServiceError('recovery_code_invalid', 'The recovery code is invalid or has already been used.', {
        flow: outcome.flowId,
      });
    case 'recovery_code_attempts_exhausted':
      throw new ServiceError(
        'recovery_code_attempts_exhausted',
        'The recovery code was entered wrongly too many times. Ask for a new one.',
        { flow: outcome.flowId, maxAttempts: outcome.maxAttempts },
      );
    case 'recovery_code_expired':
      throw new ServiceError('recovery_code_expired', 'The recovery code has expired. Ask for a new one.', {
        flow: outcome.flowId,
        expiredAt: outcome.expiredAt.toISOString(),
      });
    case 'identity_not_found':
      throw identityNotFound(outcome.identityId);
    case 'identity_disabled':
      throw identityDisabled(outcome.identityId);
    case 'rate_limited':
      throw rateLimited('Too many recovery attempts from this address; try again later.', outcome.retryAfterSeconds);
    default:
      return outcome satisfies never;
  }
};
