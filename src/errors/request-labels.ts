/**
 * Apollo's formatError sees an error but not the request it belongs to. Instead of
 * request-scoped storage (AsyncLocalStorage, whose promise hooks ran on every promise of
 * every request; what that cost is in bench/README.md, "Where the time goes"), two
 * supported hooks between them name the request of every error (src/graphql/plugins/request-ids.ts):
 * - errors of an operation are labelled with its id in didEncounterErrors, which Apollo
 *   calls with the very errors it formats next; weak maps, so a label lives exactly as
 *   long as its error;
 * - errors Apollo formats without their operation (a malformed request, CSRF prevention,
 *   a 406 decided after the operation ran) reach the formatter unlabelled, as
 *   UNLABELLED_REQUEST: the HTTP layer, which knows the request, writes its id into such
 *   an answer (withRequestId).
 */
const requestIdByError = new WeakMap<object, string>();

export const UNLABELLED_REQUEST = 'unknown';

export function labelErrors(errors: readonly unknown[], requestId: string): void {
  for (const error of errors) if (typeof error === 'object' && error !== null) requestIdByError.set(error, requestId);
}

export function requestIdOf(error: unknown): string {
  return (typeof error === 'object' && error !== null ? requestIdByError.get(error) : undefined) ?? UNLABELLED_REQUEST;
}

/**
 * Whether an answer may hold an unlabelled error: how its error formatter writes one. A
 * string search, so that the answers of operations (labelled) are never parsed again.
 */
export function mayHoldUnlabelledErrors(body: string): boolean {
  return body.includes(`"request":"${UNLABELLED_REQUEST}"`);
}

/**
 * A JSON answer with the request id written into the `extensions.error.request` of each
 * error formatted without its request (see above); anything else as it is.
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
    if (typeof generic === 'object' && generic !== null && generic.request === UNLABELLED_REQUEST)
      generic.request = requestId;
  }
  return serializeResult(answer);
}

/** Apollo's stringifyResult, set explicitly so that withRequestId writes what Apollo would. */
export function serializeResult(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}
