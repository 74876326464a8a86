import type { IdentityResolvers } from '../generated/resolvers-types.js';
import { representationId } from '../entities.js';
import { unknownIdentity } from '../unknown-identity.js';

/**
 * Resolves Identity entities for a router: `{ __typename: "Identity", id }` references,
 * batched into one store query per request. Identity data is admin data, so the same
 * credentials apply as for the identity query; the router forwards them. The `_entities`
 * guard (entities.ts) has already checked them once per request; this repeats the
 * memoized check so a reference can never resolve without it.
 */
export const resolveIdentityReference: NonNullable<IdentityResolvers['__resolveReference']> = async (
  reference,
  context,
) => {
  await context.requireAdmin();
  const id = representationId(reference);
  // Never null: see unknown-identity.ts for what an identity without a record answers.
  if (id === null) return unknownIdentity(reference.id);
  const identity = await context.identities.load(id);
  // @apollo/subgraph defines __typename on what this returns, and the embedded store's
  // identities are frozen: hand it a copy of its own.
  return identity === null ? unknownIdentity(id) : { ...identity };
};
