import {
  expiresInOutOfRange,
  identityDisabled,
  identityNotFound,
  rateLimited,
  returnToForbidden,
} from '../../errors/index.js';
import type { MutationResolvers } from '../generated/resolvers-types.js';
import { originOf } from '../origin.js';

export const createRecoveryLink: NonNullable<MutationResolvers['createRecoveryLink']> = async (
  _parent,
  { input },
  context,
) => {
  const principal = await context.requireAdmin();
  const outcome = await context.recovery.createRecoveryLink({
    identityId: input.identityId,
    expiresIn: input.expiresIn,
    returnTo: input.returnTo,
    origin: originOf(context, principal),
  });
  switch (outcome.kind) {
    case 'created':
      return outcome.link;
    case 'identity_not_found':
      throw identityNotFound(outcome.identityId);
    case 'identity_disabled':
      throw identityDisabled(outcome.identityId);
    case 'rate_limited':
      throw rateLimited(
        `Too many recovery links were created for identity ${outcome.identityId}; try again later.`,
        outcome.retryAfterSeconds,
      );
    case 'expires_in_out_of_range':
      throw expiresInOutOfRange(outcome);
    case 'return_to_forbidden':
      throw returnToForbidden(outcome.returnTo, outcome.refusal);
    default:
      return outcome satisfies never;
  }
};
