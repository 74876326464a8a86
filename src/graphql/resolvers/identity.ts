import type { QueryResolvers } from '../generated/resolvers-types.js';

export const identity: NonNullable<QueryResolvers['identity']> = async (
  _parent,
  { id },
  { recovery, requireAdmin },
) => {
  await requireAdmin();
  return recovery.findIdentity(id);
};
