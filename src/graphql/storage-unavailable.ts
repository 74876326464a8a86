import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import type { GraphQLContext } from './context.js';

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

/** The outages a client should wait out, and how long. */
const RETRY_AFTER_SECONDS_BY_ID: Readonly<Record<string, number>> = {
  storage_unavailable: STORAGE_RETRY_AFTER_SECONDS,
  identity_provider_unavailable: IDENTITY_PROVIDER_RETRY_AFTER_SECONDS,
};

/**
 * HTTP 503 with Retry-After for any operation that met `storage_unavailable` (or
 * `identity_provider_unavailable`), as rate
 * limiting answers 429: clients, routers and load balancers that only read the status see
 * an outage instead of a 200. An error that already chose a status (429 with its own
 * Retry-After) keeps it. The error id is read from the formatted errors, which the error
 * formatter has already reduced to the closed set of ids. Null: the response stays as is.
 */
function storageUnavailableHead(
  errors: readonly GraphQLFormattedError[],
  status: number | undefined,
): { readonly status: number; readonly retryAfter: string } | null {
  if ((status ?? 200) !== 200) return null;
  const waits = errors.flatMap((error) => {
    const id = (error.extensions?.error as { id?: unknown } | undefined)?.id;
    const seconds = typeof id === 'string' ? RETRY_AFTER_SECONDS_BY_ID[id] : undefined;
    return seconds === undefined ? [] : [seconds];
  });
  return waits.length === 0 ? null : { status: 503, retryAfter: String(Math.max(...waits)) };
}

/** storageUnavailableHead for the responses Apollo answers. */
export function storageUnavailableStatus(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const head = storageUnavailableHead(response.body.singleResult.errors ?? [], response.http.status);
          if (head === null) return;
          response.http.status = head.status;
          response.http.headers.set('retry-after', head.retryAfter);
        },
      };
    },
  };
}
