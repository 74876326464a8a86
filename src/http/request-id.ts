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
 * every request; what that cost is in bench/README.md, "Where the time goes"), two
 * supported hooks between them name the request of every error (src/graphql/request-ids.ts):
 * - errors of an operation are labelled with its id in didEncounterErrors, which Apollo
 *   calls with the very errors it formats next; weak maps, so a label lives exactly as
 *   long as its error;
 * - errors Apollo answers before any operation started (a malformed request, CSRF
 *   prevention, a 406) reach the formatter unlabelled, as `unknown`: the HTTP layer, which
 *   knows the request, writes its id into such an answer (withRequestId).
 */
const requestIdByError = new WeakMap<object, string>();
/** Contexts whose operation reached Apollo's request pipeline (requestDidStart). */
const operationContexts = new WeakSet<object>();

export function labelErrors(errors: readonly unknown[], requestId: string): void {
  for (const error of errors) if (typeof error === 'object' && error !== null) requestIdByError.set(error, requestId);
}

export function markOperationStarted(context: object): void {
  operationContexts.add(context);
}

export function operationStarted(context: object | undefined): boolean {
  return context !== undefined && operationContexts.has(context);
}

export function requestIdOf(error: unknown): string {
  return (typeof error === 'object' && error !== null ? requestIdByError.get(error) : undefined) ?? 'unknown';
}

/**
 * A JSON answer whose errors were formatted without their request (see above), with the
 * request id written into each error's `extensions.error.request`; anything else as it is.
 */
export function withRequestId(body: string, requestId: string): string {
  let answer: unknown;
  try {
    answer = JSON.parse(body);
  } catch {
    return body;
  }
  const errors = (answer as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors)) return body;
  for (const error of errors as { extensions?: { error?: { request?: unknown } } }[]) {
    const generic = error?.extensions?.error;
    if (typeof generic === 'object' && generic !== null && 'request' in generic) generic.request = requestId;
  }
  return serializeResult(answer);
}

/** Apollo's stringifyResult, set explicitly so that withRequestId writes what Apollo would. */
export function serializeResult(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}
