import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * ROUTER_SECRET: only the router should reach a subgraph, and it proves that it is the
 * router with a shared secret in `Router-Authorization` (Apollo's guidance for securing
 * subgraphs). Digests of equal length are compared, in constant time, so neither the
 * secret's length nor its first wrong byte shows in how long a refusal takes.
 */
export const ROUTER_AUTHORIZATION_HEADER = 'router-authorization';

/** Whether the headers carry the secret: false for a missing, repeated or wrong header. */
export type RouterCheck = (value: string | string[] | undefined) => boolean;

export function routerSecretCheck(secret: string): RouterCheck {
  const expected = digest(secret);
  return (value) => typeof value === 'string' && timingSafeEqual(digest(value), expected);
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * The status the router gets: 200 for rate_limited (429) and storage_unavailable (503),
 * with the same GraphQL errors and `details.retryAfterSeconds`. Routers treat a non-2xx
 * subgraph answer as a failed fetch (Apollo Router adds SUBREQUEST_HTTP_ERROR and drops
 * Retry-After); a 200 with errors reaches the client as this service wrote them.
 */
export function routerStatus(status: number): number {
  return status === 429 || status === 503 ? 200 : status;
}
