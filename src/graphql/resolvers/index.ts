import { ENUM_VALUES } from '../enum-values.js';
import type { IdentityResolvers, Resolvers } from '../generated/resolvers-types.js';
import { DateTimeScalar, DurationScalar, JSONObjectScalar, UUIDScalar } from '../scalars.js';
import { createRecoveryCode } from './create-recovery-code.js';
import { createRecoveryLink } from './create-recovery-link.js';
import { identity } from './identity.js';
import { resolveIdentityReference } from './identity-reference.js';
import { recoveryEvents } from './recovery-events.js';
import { redeemRecoveryCode } from './redeem-recovery-code.js';
import { redeemRecoveryLink } from './redeem-recovery-link.js';
import { revokeRecoveryLinks } from './revoke-recovery-links.js';
import { isUnknown, known } from '../unknown-identity.js';

export const resolvers: Resolvers = {
  UUID: UUIDScalar,
  Duration: DurationScalar,
  DateTime: DateTimeScalar,
  JSONObject: JSONObjectScalar,
  ...ENUM_VALUES,
  Query: { identity, recoveryEvents },
  Identity: {
    __resolveReference: resolveIdentityReference,
    // The generated type of an enum field with mapped values is `null` (a codegen quirk
    // with enumValues given as objects); the domain value is what graphql-js maps.
    state: known('state') as unknown as IdentityResolvers['state'],
    traits: known('traits'),
    activeRecoveryLinks: (identity, _args, { activeLinkCounts }) =>
      isUnknown(identity) ? 0 : activeLinkCounts.load(identity.id),
  },
  Mutation: { createRecoveryLink, createRecoveryCode, redeemRecoveryLink, redeemRecoveryCode, revokeRecoveryLinks },
};
