import { randomUUID } from 'node:crypto';

/**
 * The request id ties a client's error (`extensions.error.request`), the response's
 * X-Request-Id header, the stored link and the logs together. An incoming X-Request-Id
 * (from a router or load balancer) is kept when it looks like an id; anything else is
 * replaced, so a header can never smuggle text into logs or error bodies.
 */
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function resolveRequestId(header: string | string[] | undefined): string {
  const incoming = Array.isArray(header) ? header[0] : header;
  return incoming !== undefined && ACCEPTABLE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}
