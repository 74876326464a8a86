import type { Collection } from 'mongodb';
import {
  currentWindow,
  type RateDecision,
  type RateLimit,
  type RateLimitBucket,
  type RateLimitRequest,
  type RateLimitStore,
} from '../../recovery/index.js';
import type { RateSlotDocument } from './documents.js';
import { isDuplicateKey, type UnlessUnreachable } from './errors.js';

/**
 * The MongoDB store's rate limits. Slots are found by `_id` rather than by counting
 * documents: inserts where this process knows the next free slot, `_id` lookups where
 * it does not. Every command is by `_id` alone, the one filter FerretDB v1 pushes down.
 */
export class MongoRateLimits implements RateLimitStore {
  private readonly hints = new RateSlotHints();

  constructor(
    private readonly slots: Collection<RateSlotDocument>,
    private readonly unlessUnreachable: UnlessUnreachable,
  ) {}

  consumeRateLimit(bucket: RateLimitBucket, key: string, limit: RateLimit, now: Date): Promise<RateDecision> {
    return this.unlessUnreachable(async () => {
      const taken = await this.takeSlot({ bucket, key, limit, now }, async (slot) => {
        try {
          await this.slots.insertOne(slot);
          return true;
        } catch (error) {
          if (isDuplicateKey(error)) return SLOT_TAKEN;
          throw error;
        }
      });
      return taken.allowed ? { allowed: true } : taken;
    });
  }

  /**
   * A slot read from the database as taken (an outstanding set's `rateSlot`): this
   * process's next reservation in its window starts after it. Slots are taken in order,
   * so the ones below it are taken too, as a lookup would have found.
   */
  learnTaken(slot: RateSlotDocument): void {
    const separator = slot._id.lastIndexOf('|');
    const taken = Number(slot._id.slice(separator + 1));
    // A window that has ended is only a key no request asks for again, dropped as hints fill up.
    if (separator < 0 || !Number.isSafeInteger(taken)) return;
    this.hints.learn(slot._id.slice(0, separator), taken + 1, slot.purgeAt.getTime());
  }

  knownRateLimitWait(request: RateLimitRequest): number | null {
    const window = currentWindow(request.limit, request.now);
    const windowKey = windowKeyOf(request, window.start);
    return this.hints.knownFull(windowKey, request.limit.limit) ? window.retryAfterSeconds : null;
  }

  /**
   * Inserts the window's next free slot through `insert`, which may write more after it in
   * the same command (a creation's decision, claims and flow) and answers SLOT_TAKEN when
   * the slot was taken elsewhere (nothing else written then). Answers what `insert` did,
   * or that the limit is used up.
   */
  async takeSlot<T>(
    request: RateLimitRequest,
    insert: (slot: RateSlotDocument) => Promise<T | typeof SLOT_TAKEN>,
  ): Promise<{ readonly allowed: true; readonly result: T } | Extract<RateDecision, { allowed: false }>> {
    const { limit, now } = request;
    const window = currentWindow(limit, now);
    const windowKey = windowKeyOf(request, window.start);
    const purgeAt = new Date(window.start + limit.windowMilliseconds);
    const until = purgeAt.getTime();
    // The slot a lookup just found free: not looked up again before its insert.
    let foundFree = -1;
    for (let slot = this.hints.reserve(windowKey, until); slot < limit.limit;) {
      let result: T | typeof SLOT_TAKEN;
      try {
        // A window another process takes slots in too (a replica serving the same caller):
        // a lookup first, so its slots cost one find each instead of one failing insert.
        const known = this.hints.isShared(windowKey) && slot !== foundFree && (await this.isTaken(windowKey, slot));
        result = known ? SLOT_TAKEN : await insert({ _id: slotId(windowKey, slot), purgeAt });
      } catch (error) {
        // Not taken (or not known to be): the failed request must not keep it.
        this.hints.giveBack(windowKey, slot);
        throw error;
      }
      if (result !== SLOT_TAKEN) {
        this.hints.noteTook(windowKey);
        return { allowed: true, result };
      }
      // Taken by another process, or by this one before it restarted: this process does
      // not know the window, so it looks the next free slot up instead of trying each.
      this.hints.noteTaken(windowKey);
      foundFree = await this.firstFreeSlot(windowKey, slot + 1, limit.limit);
      this.hints.skipTo(windowKey, foundFree);
      slot = this.hints.reserve(windowKey, until);
    }
    return { allowed: false, retryAfterSeconds: window.retryAfterSeconds };
  }

  /**
   * The first slot from `from` on that no document holds, or `limit` when all do. A
   * window's slots are taken in order, so they form a prefix: galloping then bisecting
   * finds its end in about 2·log2(used) `_id` lookups, where probing took one failing
   * insert per used slot (on FerretDB each an ERROR line and a rolled-back transaction).
   * A count or a range query would be one command, but FerretDB v1 pushes neither down:
   * it would read every slot of every window. Holes (a slot given back, a process that
   * died between reserving and inserting) can hide used slots above them; the unique
   * insert still decides, so that costs at most a failed insert, never an extra admission.
   */
  private async firstFreeSlot(windowKey: string, from: number, limit: number): Promise<number> {
    const taken = (slot: number) => this.isTaken(windowKey, slot);
    // Invariant: `low` is taken; `high` is free, or the limit.
    let low = from - 1;
    let high = limit;
    for (let step = 1; low + step < limit; step *= 2) {
      const probe = low + step;
      if (!(await taken(probe))) {
        high = probe;
        break;
      }
      low = probe;
    }
    while (high - low > 1) {
      const middle = Math.floor((low + high) / 2);
      if (await taken(middle)) low = middle;
      else high = middle;
    }
    return high;
  }

  private async isTaken(windowKey: string, slot: number): Promise<boolean> {
    return (await this.slots.findOne({ _id: slotId(windowKey, slot) }, { projection: { _id: 1 } })) !== null;
  }
}

/** What a slot's insert answers when another request holds that slot. */
export const SLOT_TAKEN = Symbol('slot taken');

/** One window of one key in one bucket: what its slots' `_id`s start with. */
function windowKeyOf(request: Pick<RateLimitRequest, 'bucket' | 'key'>, start: number): string {
  return `${request.bucket}|${request.key}|${start}`;
}

function slotId(windowKey: string, slot: number): string {
  return `${windowKey}|${slot}`;
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
  private readonly hints = new Map<
    string,
    { next: number; givenBack: number[]; until: number; took?: true; shared?: true }
  >();

  /** The slot to try next for this window, reserved for the caller: given-back ones first. */
  reserve(windowKey: string, until: number): number {
    const hint = this.hints.get(windowKey);
    if (hint !== undefined) return hint.givenBack.pop() ?? hint.next++;
    this.start(windowKey, 1, until);
    return 0;
  }

  /** True when every slot below `limit` is known to be taken (none given back). */
  knownFull(windowKey: string, limit: number): boolean {
    const hint = this.hints.get(windowKey);
    return hint !== undefined && hint.next >= limit && hint.givenBack.length === 0;
  }

  /** As skipTo, for a window this process may not know yet (it ends at `until`). */
  learn(windowKey: string, slot: number, until: number): void {
    if (this.hints.has(windowKey)) this.skipTo(windowKey, slot);
    else this.start(windowKey, slot, until);
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

  /** This process took a slot in this window. */
  noteTook(windowKey: string): void {
    const hint = this.hints.get(windowKey);
    if (hint !== undefined) hint.took = true;
  }

  /**
   * A slot this process tried was taken. In a window it had taken slots in before, another
   * process takes them too, now, and will again; a first one only says this process did
   * not know the window (it restarted, or came late), which one lookup has mended.
   */
  noteTaken(windowKey: string): void {
    const hint = this.hints.get(windowKey);
    if (hint?.took === true) hint.shared = true;
  }

  isShared(windowKey: string): boolean {
    return this.hints.get(windowKey)?.shared === true;
  }

  private start(windowKey: string, next: number, until: number): void {
    if (this.hints.size >= MAX_HINTS) this.forget(Date.now());
    this.hints.set(windowKey, { next, givenBack: [], until });
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
