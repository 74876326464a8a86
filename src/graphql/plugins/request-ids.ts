import type { ApolloServerPlugin } from '@apollo/server';
import { labelErrors } from '../../errors/index.js';
import type { GraphQLContext } from '../context.js';

/**
 * The request id of every error of an operation, for the error formatter (which Apollo
 * gives no context): didEncounterErrors receives the very errors Apollo formats next.
 * The errors Apollo formats outside an operation are labelled by the HTTP layer (see
 * src/errors/request-labels.ts).
 */
export function requestIds(): ApolloServerPlugin<GraphQLContext> {
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
