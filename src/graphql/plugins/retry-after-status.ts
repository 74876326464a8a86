import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import { waitHeadOf, type ErrorHead } from '../../errors/index.js';
import type { GraphQLContext } from '../context.js';

/**
 * The status and Retry-After of an operation's answer, by the one rule of
 * src/errors/retry-after.ts: 429 for an operation that was rate limited, 503 for one that
 * met `storage_unavailable` or `identity_provider_unavailable`, so that clients, routers
 * and load balancers that only read the status see a limit or an outage instead of a 200.
 * The errors are read as formatted, which the error formatter has already reduced to the
 * closed set of ids.
 */
export function retryAfterStatus(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const errors = response.body.singleResult.errors;
          if (errors === undefined) return;
          const head = waitHeadOf(errors.flatMap(errorHeadOf), response.http.status);
          if (head === null) return;
          response.http.status = head.status;
          response.http.headers.set('retry-after', head.retryAfter);
        },
      };
    },
  };
}

function errorHeadOf(error: GraphQLFormattedError): ErrorHead[] {
  const generic = error.extensions?.error as Partial<ErrorHead> | undefined;
  return typeof generic?.code === 'number' && typeof generic.details === 'object' && generic.details !== null
    ? [{ code: generic.code, details: generic.details }]
    : [];
}
