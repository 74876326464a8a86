import {
  currentWindow,
  type RateDecision,
  type RateLimit,
  type RateLimitBucket,
  type RateLimitRequest,
  type RateLimitStore,
} from '../../recovery/index.js';
import { MEMORY_STORE_CAPS } from './caps.js';

/** The embedded store's rate limits: a bounded table of windows per bucket. */
export class MemoryRateLimits implements RateLimitStore {
  /** Per bucket and key: the current window and how much of it is used. */
  private readonly rateWindows = new Map<RateLimitBucket, BoundedRateWindows>();

  async consumeRateLimit(bucket: RateLimitBucket, key: string, limit: RateLimit, now: Date): Promise<RateDecision> {
    let windows = this.rateWindows.get(bucket);
    if (windows === undefined) {
      windows = new BoundedRateWindows(MEMORY_STORE_CAPS.rateWindows);
      this.rateWindows.set(bucket, windows);
    }
    return windows.consume(key, limit, now);
  }

  knownRateLimitWait(request: RateLimitRequest): number | null {
    return this.rateWindows.get(request.bucket)?.knownWait(request.key, request.limit, request.now) ?? null;
  }
}

/**
 * The embedded store's rate-limit windows for one bucket, in bounded memory. A window
 * still within its period is never forgotten: forgetting it would hand its key a fresh
 * allowance, so a flood of new keys (10,001 addresses) would reset everyone's limits,
 * an identity's creation limit included. When the table is full of live windows, a new
 * key is refused as rate limited until the earliest of them ends, and keys already
 * counted go on as before. Buckets have tables of their own, so a flood of redeeming
 * clients cannot refuse an admin's creation.
 */
export class BoundedRateWindows {
  private readonly windows = new Map<string, { start: number; end: number; count: number }>();
  /** No window ends before this: until then, a full table has nothing to drop. */
  private earliestEnd = Infinity;

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.windows.size;
  }

  /** The seconds until the key's window ends when it is used up; null otherwise. */
  knownWait(key: string, limit: RateLimit, now: Date): number | null {
    const window = currentWindow(limit, now);
    const entry = this.windows.get(key);
    return entry !== undefined && entry.start === window.start && entry.count >= limit.limit
      ? window.retryAfterSeconds
      : null;
  }

  consume(key: string, limit: RateLimit, now: Date): RateDecision {
    const window = currentWindow(limit, now);
    const entry = this.windows.get(key);
    const count = entry !== undefined && entry.start === window.start ? entry.count : 0;
    if (count >= limit.limit) return { allowed: false, retryAfterSeconds: window.retryAfterSeconds };
    if (entry === undefined && this.windows.size >= this.capacity) {
      this.dropEnded(now.getTime());
      if (this.windows.size >= this.capacity) {
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((this.earliestEnd - now.getTime()) / 1000)) };
      }
    }
    const end = window.start + limit.windowMilliseconds;
    this.windows.set(key, { start: window.start, end, count: count + 1 });
    this.earliestEnd = Math.min(this.earliestEnd, end);
    return { allowed: true };
  }

  /**
   * Ended windows count for nothing and go. The scan runs only once some window has ended
   * (windows are aligned to their period, so ends are few distinct instants): a full table
   * of live windows refuses new keys at constant cost.
   */
  private dropEnded(now: number): void {
    if (now < this.earliestEnd) return;
    let earliest = Infinity;
    for (const [key, { end }] of this.windows) {
      if (end <= now) this.windows.delete(key);
      else earliest = Math.min(earliest, end);
    }
    this.earliestEnd = earliest;
  }
}
