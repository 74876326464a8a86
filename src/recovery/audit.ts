import type { RecoveryMethod } from './store.js';

/**
 * The audit trail: what happened to whose recovery links, by whom, from where. Kratos
 * only logs a line; an admin investigating a takeover needs a queryable record. Events
 * never carry a token or a token hash. Links are their own `created` entries and claims
 * their `redeemed`/`revoked` ones (see store.ts); only failures are written as events.
 * `rate_limited` is no longer recorded (a refused request writes nothing; the metrics count
 * it): it stays a type only because the schema keeps its deprecated enum value, so trails
 * written before still read.
 */
export const RECOVERY_EVENT_TYPES = ['created', 'redeemed', 'failed', 'revoked', 'rate_limited'] as const;
export type RecoveryEventType = (typeof RECOVERY_EVENT_TYPES)[number];

export interface RecoveryEvent {
  readonly type: RecoveryEventType;
  /** Link or code; null when no longer known (a claim whose flow was purged or never stored). */
  readonly method: RecoveryMethod | null;
  readonly identityId: string | null;
  readonly flowId: string | null;
  /** For `failed`: the error id the caller received. */
  readonly errorId: string | null;
  /** `api_key:<key id>` or `jwt:<subject>` for admin operations; null for the public one. */
  readonly actor: string | null;
  readonly requestId: string;
  readonly clientAddress: string | null;
  /** When it happened; for an aggregated failure, the first time in its window. */
  readonly at: Date;
  /** How many times: 1, except for failures, which are counted per who, identity tried, what and window. */
  readonly count: number;
}

/** Where a request came from, as every operation records it. */
export interface RequestOrigin {
  readonly requestId: string;
  readonly actor: string | null;
  readonly clientAddress: string | null;
}

export function eventFrom(
  origin: RequestOrigin,
  at: Date,
  event: Pick<RecoveryEvent, 'type' | 'method'> & Partial<Pick<RecoveryEvent, 'identityId' | 'flowId' | 'errorId'>>,
): RecoveryEvent {
  return {
    identityId: null,
    flowId: null,
    errorId: null,
    ...event,
    actor: origin.actor,
    requestId: origin.requestId,
    clientAddress: origin.clientAddress,
    at,
    count: 1,
  };
}
