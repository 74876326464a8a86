import type { RecoveryEvent } from '../recovery/index.js';

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

/** Past this many windows, hints are dropped (ended ones first); a dropped hint only costs probes. */
const MAX_HINTS = 10_000;

/**
 * Per rate-limit window, what this process knows of its slots: the next one to try, and
 * the ones it reserved and gave back. Each probe reserves its slot here before the insert
 * is sent, so concurrent requests of one process try different slots instead of all
 * racing for the same one: one insert per admitted request in the steady state, and none
 * at all once this process knows the window is full. A slot whose insert failed for any
 * reason but a duplicate key is given back: the request took nothing, so it must not
 * count, or an outage would leave callers refused with no slot in the database.
 */
export class RateSlotHints {
  private readonly hints = new Map<string, { next: number; givenBack: number[]; until: number }>();

  /** The slot to try next for this window, reserved for the caller: given-back ones first. */
  reserve(windowKey: string, until: number): number {
    const hint = this.hints.get(windowKey);
    if (hint !== undefined) return hint.givenBack.pop() ?? hint.next++;
    if (this.hints.size >= MAX_HINTS) this.forget(Date.now());
    this.hints.set(windowKey, { next: 1, givenBack: [], until });
    return 0;
  }

  /** Every slot below `slot` is known to be taken: reservations continue from there. */
  skipTo(windowKey: string, slot: number): void {
    const hint = this.hints.get(windowKey);
    if (hint !== undefined) hint.next = Math.max(hint.next, slot);
  }

  /**
   * Gives back a slot `reserve` handed out and that was not taken. Only its one reserver
   * gives it back, so the list holds each slot once and never more than the limit.
   */
  giveBack(windowKey: string, slot: number): void {
    const hint = this.hints.get(windowKey);
    if (hint !== undefined && slot < hint.next) hint.givenBack.push(slot);
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
