import { ServiceError, identityDisabled, identityNotFound, rateLimited } from '../../errors/index.js';
import type { MutationResolvers } from '../generated/resolvers-types.js';
import { originOf } from '../origin.js';

/** Public: the token is the credential, so no requireAdmin here. */
export const redeemRecoveryLink: NonNullable<MutationResolvers['redeemRecoveryLink']> = async (
  _parent,
  { input },
  context,
) => {
  const outcome = await context.recovery.redeemRecoveryLink({
    flowId: input.flow,
    token: input.token,
    origin: originOf(context, null),
  });
  switch (outcome.kind) {
    case 'redeemed':
      return outcome.redemption;
    case 'recovery_link_invalid':
      throw new ServiceError(
        'recovery_link_invalid',
        'The recovery link is invalid or has already been used. Ask for a new one.',
        {
          flow: outcome.flowId,
        },
      );
    case 'recovery_link_expired':
      throw new ServiceError('recovery_link_expired', 'The recovery link has expired. Ask for a new one.', {
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
