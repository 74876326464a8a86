import { ServiceError } from '../../errors/index.js';
import type { QueryResolvers } from '../generated/resolvers-types.js';

const MAX_EVENTS = 100;

export const recoveryEvents: NonNullable<QueryResolvers['recoveryEvents']> = async (
  _parent,
  { identityId, first },
  context,
) => {
  await context.requireAdmin();
  if (first < 1 || first > MAX_EVENTS) {
    throw new ServiceError('invalid_input', `first must be between 1 and ${MAX_EVENTS}.`, {
      field: 'first',
      value: first,
    });
  }
  return context.recovery.listEvents(identityId, first);
};
