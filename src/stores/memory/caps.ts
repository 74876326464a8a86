import type { RetentionPolicy } from '../../recovery/index.js';

/**
 * Hard caps, so `npm start` stays within a bounded memory however long it runs and
 * whatever callers send. Past a cap the oldest entries go first (Maps iterate in
 * insertion order); a link forgotten early reads as unknown, which fails safe.
 */
export const MEMORY_STORE_CAPS = {
  links: 20_000,
  failures: 10_000,
  /** Per bucket; past it, new keys are refused as rate limited (see rate-limits.ts). */
  rateWindows: 10_000,
} as const;

/** Development defaults, for tests and tools that build the store without a Config. */
export const DEFAULT_RETENTION: RetentionPolicy = {
  linkMilliseconds: 7 * 24 * 3600_000,
  eventMilliseconds: 90 * 24 * 3600_000,
  maxLifespanMilliseconds: 30 * 24 * 3600_000,
};
