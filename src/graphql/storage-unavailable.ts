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
 * HTTP 503 with Retry-After for any operation that met `storage_unavailable`, as rate
 * limiting answers 429: clients, routers and load balancers that only read the status see
 * an outage instead of a 200. An error that already chose a status (429 with its own
 * Retry-After) keeps it. The error id is read from the formatted errors, which the error
 * formatter has already reduced to the closed set of ids. Null: the response stays as is.
 */
export function storageUnavailableHead(
  errors: readonly GraphQLFormattedError[],
  status: number | undefined,
): { readonly status: number; readonly retryAfter: string } | null {
  const unavailable = errors.some(
    (error) => (error.extensions?.error as { id?: unknown } | undefined)?.id === 'storage_unavailable',
  );
  return unavailable && (status ?? 200) === 200
    ? { status: 503, retryAfter: String(STORAGE_RETRY_AFTER_SECONDS) }
    : null;
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
