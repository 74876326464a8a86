import type { QueryResolvers } from '../generated/resolvers-types.js';

export const identity: NonNullable<QueryResolvers['identity']> = (_parent, { id }, { recovery }) =>
  recovery.findIdentity(id);
