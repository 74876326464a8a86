/**
 * How the schema's enums map to the domain's values. One source for both the resolvers
 * (runtime) and codegen.ts (the generated types), so the two cannot drift apart.
 */
export const ENUM_VALUES = {
  IdentityState: { ACTIVE: 'active', INACTIVE: 'inactive' },
  RecoveryEventType: {
    CREATED: 'created',
    REDEEMED: 'redeemed',
    FAILED: 'failed',
    REVOKED: 'revoked',
    RATE_LIMITED: 'rate_limited',
  },
} as const;
