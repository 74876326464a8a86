import type { ErrorDetails } from './service-error.js';

/**
 * Seconds a client should wait before asking again while the database is unreachable.
 * Each attempt fails within MONGODB_TIMEOUT (2s by default) and the driver notices a
 * database that is back within about a second, so a short wait suffices; a replica-set
 * failover takes about 10–12s, which 5s spans in two or three attempts instead of a storm
 * of retries from every client at once.
 */
export const STORAGE_RETRY_AFTER_SECONDS = 5;

/**
 * jose waits 30s (its cooldown) before fetching a JWKS again after a key miss, but
 * refetches right away after a failed fetch: a few seconds let a flapping provider recover.
 */
export const IDENTITY_PROVIDER_RETRY_AFTER_SECONDS = 5;

/** A connection over HTTP_MAX_CONNECTIONS: the cap frees up as soon as any request ends. */
export const TOO_MANY_CONNECTIONS_RETRY_AFTER_SECONDS = 1;

/** What an error tells HTTP: the errorGeneric's `code` (its status) and `details`. */
export interface ErrorHead {
  readonly code: number;
  readonly details: ErrorDetails;
}

/** The status and `Retry-After` an answer takes from its errors. */
export interface WaitHead {
  readonly status: number;
  readonly retryAfter: string;
}

/**
 * The one rule from errors to HTTP: an error that asks the client to wait (429 or 503,
 * with `details.retryAfterSeconds`, which every such error carries so that clients that
 * drop headers still see it) gives the answer its status and a `Retry-After` of the
 * longest wait. A rate limit is the caller's own doing and always speaks (429 over any
 * other status); an outage (503) only where nothing else chose a status, so that an
 * answer of 400 stays 400. Null: the answer keeps its status.
 *
 * The HTTP layer answers one error at a time with its status (`waitOf` for the header);
 * a GraphQL answer stays 200 with its errors unless this rule says otherwise.
 */
export function waitHeadOf(errors: readonly ErrorHead[], status: number | undefined): WaitHead | null {
  const limited = waitsWith(errors, 429);
  if (limited.length > 0) return { status: 429, retryAfter: String(Math.max(...limited)) };
  if ((status ?? 200) !== 200) return null;
  const unavailable = waitsWith(errors, 503);
  return unavailable.length === 0 ? null : { status: 503, retryAfter: String(Math.max(...unavailable)) };
}

/** The seconds an error asks the client to wait, or undefined when it asks for none. */
export function waitOf(error: ErrorHead): number | undefined {
  if (error.code !== 429 && error.code !== 503) return undefined;
  const seconds = error.details.retryAfterSeconds;
  return typeof seconds === 'number' ? seconds : undefined;
}

function waitsWith(errors: readonly ErrorHead[], code: number): number[] {
  return errors.flatMap((error) => {
    const seconds = error.code === code ? waitOf(error) : undefined;
    return seconds === undefined ? [] : [seconds];
  });
}
