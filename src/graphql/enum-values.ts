import { IDENTITY_STATES, RECOVERY_EVENT_TYPES, RECOVERY_METHODS } from '../recovery/index.js';

type SchemaEnum<V extends string> = { readonly [K in V as Uppercase<K>]: K };

/** The schema spells each domain value in upper case: `rate_limited` is RATE_LIMITED. */
function schemaEnum<const V extends string>(values: readonly V[]): SchemaEnum<V> {
  return Object.fromEntries(values.map((value) => [value.toUpperCase(), value])) as SchemaEnum<V>;
}

/**
 * How the schema's enums map to the domain's values, derived from the domain's lists. One
 * source for both the resolvers (runtime) and codegen.ts (the generated types), so the
 * schema, the resolvers and the domain cannot drift apart.
 */
export const ENUM_VALUES = {
  IdentityState: schemaEnum(IDENTITY_STATES),
  RecoveryEventType: schemaEnum(RECOVERY_EVENT_TYPES),
  RecoveryMethod: schemaEnum(RECOVERY_METHODS),
} as const;
