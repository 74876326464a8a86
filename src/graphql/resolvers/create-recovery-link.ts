import { ServiceError, identityDisabled, identityNotFound } from '../../recovery/index.js';
import type { MutationResolvers } from '../generated/resolvers-types.js';

export const createRecoveryLink: NonNullable<MutationResolvers['createRecoveryLink']> = async (
  _parent,
  { input },
  { recovery, requestId, requireAdmin },
) => {
  await requireAdmin();
  const outcome = await recovery.createRecoveryLink({
    identityId: input.identityId,
    expiresIn: input.expiresIn,
    requestId,
  });
  switch (outcome.kind) {
    case 'created':
      return outcome.link;
    case 'identity_not_found':
      throw identityNotFound(outcome.identityId);
    case 'identity_disabled':
      throw identityDisabled(outcome.identityId);
    case 'expires_in_out_of_range':
      throw new ServiceError(
        'expires_in_out_of_range',
        `expiresIn ${JSON.stringify(outcome.expiresIn.text)} is out of range: it must be at least ${outcome.minimum} and at most ${outcome.maximum}.`,
        {
          field: 'input.expiresIn',
          value: outcome.expiresIn.text,
          minimum: outcome.minimum,
          maximum: outcome.maximum,
        },
      );
    default:
      return outcome satisfies never;
  }
};
