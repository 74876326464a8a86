import { ENUM_VALUES } from '../enum-values.js';
import type { Resolvers } from '../generated/resolvers-types.js';
import { DateTimeScalar, DurationScalar, JSONObjectScalar, UUIDScalar } from '../scalars.js';
import { createRecoveryLink } from './create-recovery-link.js';
import { identity } from './identity.js';
import { resolveIdentityReference } from './identity-reference.js';
import { recoveryEvents } from './recovery-events.js';
import { redeemRecoveryLink } from './redeem-recovery-link.js';
import { revokeRecoveryLinks } from './revoke-recovery-links.js';

export const resolvers: Resolvers = {
  UUID: UUIDScalar,
  Duration: DurationScalar,
  DateTime: DateTimeScalar,
  JSONObject: JSONObjectScalar,
  ...ENUM_VALUES,
  Query: { identity, recoveryEvents },
  Identity: {
    __resolveReference: resolveIdentityReference,
    activeRecoveryLinks: (identity, _args, { activeLinkCounts }) => activeLinkCounts.load(identity.id),
  },
  Mutation: { createRecoveryLink, redeemRecoveryLink, revokeRecoveryLinks },
};
