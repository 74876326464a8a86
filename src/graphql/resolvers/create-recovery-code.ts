import type { MutationResolvers } from '../generated/resolvers-types.js';
import { originOf } from '../origin.js';
import { creationRefusalError } from './creation-refusal.js';

export const createRecoveryCode: NonNullable<MutationResolvers['createRecoveryCode']> = async (
  _parent,
  { input },
  context,
) => {
  const principal = await context.requireAdmin();
  const outcome = await context.recovery.createRecoveryCode({
    identityId: input.identityId,
    expiresIn: input.expiresIn,
    returnTo: input.returnTo,
    origin: originOf(context, principal),
  });
  if (outcome.kind === 'created') return outcome.code;
  // One budget per identity for links and codes alike, so the message names both.
  throw creationRefusalError(
    outcome,
    `Too many recovery links or codes were created for identity ${input.identityId}; try again later.`,
  );
};
