/**
 * Fixed-window rate limits, counted in the store so every replica shares them. Kratos'
 * open-source server has none: without them, one stolen admin credential can mint
 * links for every identity, and one client can try tokens without end.
 */
export interface RateLimit {
  /** Requests allowed per window. */
  readonly limit: number;
  readonly windowMilliseconds: number;
  /** As configured, such as `10/1h`, for messages. */
  readonly text: string;
}

export type RateDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

export type RateLimitBucket = 'create_per_identity' | 'redeem_per_client';

/** A malformed rate limit setting; its message is the configuration problem. */
class RateLimitSyntaxError extends Error {}

/** Parses `<count>/<Go duration>`, such as `10/1h` or `30/1m`. */
export function parseRateLimit(text: string, parseWindow: (text: string) => number): RateLimit {
  const match = /^([1-9][0-9]{0,5})\/(.+)$/.exec(text);
  if (match === null) throw new RateLimitSyntaxError(`"${text}" is not a rate limit like 10/1h`);
  const windowMilliseconds = parseWindow(match[2]!);
  if (windowMilliseconds < 1000) throw new RateLimitSyntaxError(`the window of "${text}" must be at least 1s`);
  return { limit: Number(match[1]), windowMilliseconds, text };
}

/** The window `now` falls in, and the seconds until it ends (for Retry-After). */
export function currentWindow(limit: RateLimit, now: Date): { start: number; retryAfterSeconds: number } {
  const start = Math.floor(now.getTime() / limit.windowMilliseconds) * limit.windowMilliseconds;
  return {
    start,
    retryAfterSeconds: Math.max(1, Math.ceil((start + limit.windowMilliseconds - now.getTime()) / 1000)),
  };
}
