import type { RecoveryEvent } from '../recovery/index.js';

/** The audit trail's rules both stores follow: how failures are counted, and the trail's order. */

/**
 * Failures are counted per who (actor or client address), whose link was tried (the
 * identity; or none, when the flow is unknown), method, error id and window of this length: an
 * attacker's requests then add to a count instead of adding documents, and an
 * investigation still sees who failed how, when and how often. A failure is never counted
 * under another identity's entry: grouped per who alone, one attempt against an unknown
 * flow made first swallowed the guesses that followed against a victim's link, and the
 * victim's trail showed none of them. The entry keeps the flow and request of its
 * window's first attempt.
 */
export const FAILURE_WINDOW_MILLISECONDS = 15 * 60 * 1000;

export function failureKey(event: RecoveryEvent): { key: string; windowStart: number } {
  const windowStart = Math.floor(event.at.getTime() / FAILURE_WINDOW_MILLISECONDS) * FAILURE_WINDOW_MILLISECONDS;
  const who = event.actor ?? event.clientAddress ?? 'unknown';
  const whose = event.identityId === null ? 'no-identity' : `identity:${event.identityId}`;
  return { key: `${who}|${whose}|${event.method ?? '-'}|${event.errorId ?? '-'}|${windowStart}`, windowStart };
}

/** Among entries of one instant, the later step of a link's life first. */
const LIFE_ORDER: Record<RecoveryEvent['type'], number> = {
  revoked: 4,
  redeemed: 3,
  failed: 2,
  rate_limited: 1,
  created: 0,
};

/** The audit trail's order: newest first, then later steps of a link's life first. */
export function newestFirst(a: RecoveryEvent, b: RecoveryEvent): number {
  return b.at.getTime() - a.at.getTime() || LIFE_ORDER[b.type] - LIFE_ORDER[a.type];
}
