import { identityNotFound } from '../../recovery/index.js';
import type { MutationResolvers } from '../generated/resolvers-types.js';

export const revokeRecoveryLinks: NonNullable<MutationResolvers['revokeRecoveryLinks']> = async (
  _parent,
  { identityId },
  { recovery, requestId, requireAdmin },
) => {
  await requireAdmin();
  const outcome = await recovery.revokeRecoveryLinks({ identityId, requestId });
  switch (outcome.kind) {
    case 'revoked':
      return outcome.count;
    case 'identity_not_found':
      throw identityNotFound(outcome.identityId);
    default:
      return outcome satisfies never;
  }
};
