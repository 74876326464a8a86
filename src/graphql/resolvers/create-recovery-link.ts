import type { MutationResolvers } from '../generated/resolvers-types.js';
import { originOf } from '../origin.js';
import { creationRefusalError } from './creation-refusal.js';

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
  if (outcome.kind === 'created') return outcome.link;
  throw creationRefusalError(
    outcome,
    `Too many recovery links were created for identity ${input.identityId}; try again later.`,
  );
};
