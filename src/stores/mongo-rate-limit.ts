import { MongoServerError, type Collection } from 'mongodb';
import { currentWindow, type RateDecision, type RateLimit, type RateLimitBucket } from '../recovery/index.js';
import { RateSlotHints } from './shared.js';

/**
 * One per request admitted by a rate limit: `_id` is bucket, key, window and slot, so a
 * window holds at most `limit` of them however many processes race for the last slot.
 * (FerretDB's $inc upsert reads then writes; a unique insert is its one atomic step.)
 */
export interface RateSlotDocument {
  _id: string;
  purgeAt: Date;
}

const DUPLICATE_KEY = 11000;

/**
 * The MongoDB store's rate limits. Slots are found by `_id` rather than by counting
 * documents: inserts where this process knows the next free slot, `_id` lookups where
 * it does not. Every command is by `_id` alone, the one filter FerretDB v1 pushes down.
 */
export class MongoRateLimiter {
  private readonly hints = new RateSlotHints();

  constructor(private readonly slots: Collection<RateSlotDocument>) {}

  async consume(bucket: RateLimitBucket, key: string, limit: RateLimit, now: Date): Promise<RateDecision> {
    const window = currentWindow(limit, now);
    const windowKey = `${bucket}|${key}|${window.start}`;
    const purgeAt = new Date(window.start + limit.windowMilliseconds);
    const until = purgeAt.getTime();
    for (let slot = this.hints.reserve(windowKey, until); slot < limit.limit;) {
      try {
        await this.slots.insertOne({ _id: slotId(windowKey, slot), purgeAt });
        return { allowed: true };
      } catch (error) {
        if (!(error instanceof MongoServerError && error.code === DUPLICATE_KEY)) {
          // Not taken (or not known to be): the failed request must not keep it.
          this.hints.giveBack(windowKey, slot);
          throw error;
        }
      }
      // Taken by another process, or by this one before it restarted: this process does
      // not know the window, so it looks the next free slot up instead of trying each.
      this.hints.skipTo(windowKey, await this.firstFreeSlot(windowKey, slot + 1, limit.limit));
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
    const taken = async (slot: number) =>
      (await this.slots.findOne({ _id: slotId(windowKey, slot) }, { projection: { _id: 1 } })) !== null;
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
}

function slotId(windowKey: string, slot: number): string {
  return `${windowKey}|${slot}`;
}
