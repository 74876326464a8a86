import type { ApolloServer, ApolloServerPlugin } from '@apollo/server';
import { labelErrors, requestIdOfRequest } from '../http/request-id.js';
import type { GraphQLContext } from './context.js';

/**
 * Labels every error Apollo is about to format with the id of its request, so that the
 * error formatter (which Apollo gives no context) can put it in `extensions.error.request`
 * and in its log lines. Two ways in, between them every error formatError sees:
 */

/** Errors of an operation: Apollo calls didEncounterErrors with the very errors it formats next. */
export function labelOperationErrors(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ contextValue, errors }) {
          labelErrors(errors, contextValue.requestId);
        },
      };
    },
  };
}

type ErrorResponse = (error: unknown, request: unknown) => Promise<unknown>;

/**
 * Errors Apollo answers outside an operation (a malformed request, CSRF prevention, a
 * server stopping) pass its private `errorResponse(error, httpGraphQLRequest)`, with the
 * request object the HTTP layer labelled. Checked at start: an Apollo Server without that
 * method fails here, not in production error bodies.
 */
export function labelRequestErrors(apollo: ApolloServer<GraphQLContext>): void {
  const server = apollo as unknown as { errorResponse: ErrorResponse };
  const errorResponse = server.errorResponse;
  if (typeof errorResponse !== 'function')
    throw new Error('@apollo/server no longer has errorResponse: see error-request-ids.ts');
  server.errorResponse = function (error, request) {
    const requestId = requestIdOfRequest(request);
    if (requestId !== undefined) labelErrors([error], requestId);
    return errorResponse.call(this, error, request);
  };
}
