/**
 * Defaults that the modules a setting configures also fall back on when built without a
 * Config (tests, tools): kept here, with no imports, so configuration depends on none of them.
 */

export const DEFAULT_CONNECTION_LIMITS = {
  headersTimeout: '10s',
  requestTimeout: '30s',
  keepAliveTimeout: '5s',
  /** Well under the common 1,024 file descriptors, with room for the reserve and the database pool. */
  maxConnections: 512,
} as const;

/** ENTITIES_MAX_REPRESENTATIONS unless set: a router's fetch for one query plan step stays far below. */
export const DEFAULT_MAX_ENTITY_REPRESENTATIONS = 1_000;
