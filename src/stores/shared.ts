import type { RecoveryEvent } from '../recovery/index.js';

/**
 * Failures are counted per who (actor or client address), whose link was tried (the
 * identity; or none, when the flow is unknown), error id and window of this length: an
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
  return { key: `${who}|${whose}|${event.errorId ?? '-'}|${windowStart}`, windowStart };
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

/** Past this many windows, hints are dropped (ended ones first); a dropped hint only costs probes. */
const MAX_HINTS = 10_000;

/**
 * Per rate-limit window, the next slot this process will try. Slots are found by probing
 * `_id`s rather than counting documents. Each probe reserves its slot here before the
 * insert is sent, so concurrent requests of one process try different slots instead of
 * all racing for the same one: one insert per admitted request in the steady state, and
 * none at all once this process knows the window is full. A slot taken by another process
 * costs one failed insert; a slot whose insert failed otherwise is skipped (fails closed).
 */
export class RateSlotHints {
  private readonly hints = new Map<string, { next: number; until: number }>();

  /** The slot to try next for this window, reserved for the caller. */
  reserve(windowKey: string, until: number): number {
    const hint = this.hints.get(windowKey);
    if (hint !== undefined) return hint.next++;
    if (this.hints.size >= MAX_HINTS) this.forget(Date.now());
    this.hints.set(windowKey, { next: 1, until });
    return 0;
  }

  private forget(now: number): void {
    for (const [key, hint] of this.hints) if (hint.until <= now) this.hints.delete(key);
    // Still full: drop the oldest half (Maps iterate in insertion order).
    let excess = this.hints.size - MAX_HINTS / 2;
    for (const key of this.hints.keys()) {
      if (excess-- <= 0) break;
      this.hints.delete(key);
    }
  }
}
