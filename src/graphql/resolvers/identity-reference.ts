import type { IdentityResolvers } from '../generated/resolvers-types.js';

/**
 * Resolves Identity entities for a router: `{ __typename: "Identity", id }` references,
 * batched into one store query per request. Identity data is admin data, so the same
 * credentials apply as for the identity query; the router forwards them.
 */
export const resolveIdentityReference: NonNullable<IdentityResolvers['__resolveReference']> = async (
  reference,
  context,
) => {
  await context.requireAdmin();
  return context.identities.load(String(reference.id).toLowerCase());
};
