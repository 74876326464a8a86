import { identityNotFound } from '../../errors/index.js';
import type { MutationResolvers } from '../generated/resolvers-types.js';
import { originOf } from '../origin.js';

export const revokeRecoveryLinks: NonNullable<MutationResolvers['revokeRecoveryLinks']> = async (
  _parent,
  { identityId },
  context,
) => {
  const principal = await context.requireAdmin();
  const outcome = await context.recovery.revokeRecoveryLinks({ identityId, origin: originOf(context, principal) });
  switch (outcome.kind) {
    case 'revoked':
      return outcome.count;
    case 'identity_not_found':
      throw identityNotFound(outcome.identityId);
    default:
      return outcome satisfies never;
  }
};
