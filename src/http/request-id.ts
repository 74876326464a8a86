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

/**
 * Apollo's formatError sees an error but not the request it belongs to. Instead of
 * request-scoped storage (AsyncLocalStorage, whose promise hooks ran on every promise of
 * every request: about 5% of the service's CPU), each error is labelled with its request's
 * id before Apollo formats it: errors are objects of one request each. Weak maps: a label
 * lives exactly as long as its error or request.
 */
const requestIdByError = new WeakMap<object, string>();
const requestIdByRequest = new WeakMap<object, string>();

export function labelErrors(errors: readonly unknown[], requestId: string): void {
  for (const error of errors) if (typeof error === 'object' && error !== null) requestIdByError.set(error, requestId);
}

/** Labels an HTTP request object passed to Apollo, for the errors Apollo answers before any context exists. */
export function labelRequest(request: object, requestId: string): void {
  requestIdByRequest.set(request, requestId);
}

export function requestIdOfRequest(request: unknown): string | undefined {
  return typeof request === 'object' && request !== null ? requestIdByRequest.get(request) : undefined;
}

export function requestIdOf(error: unknown): string {
  return (typeof error === 'object' && error !== null ? requestIdByError.get(error) : undefined) ?? 'unknown';
}
