import type { ApolloServerPlugin } from '@apollo/server';
import { labelErrors, markOperationStarted } from '../http/request-id.js';
import type { GraphQLContext } from './context.js';

/**
 * The request id of every error of an operation, for the error formatter (which Apollo
 * gives no context): didEncounterErrors receives the very errors Apollo formats next.
 * requestDidStart marks the operation's context as started, so that the HTTP layer knows
 * which answers Apollo gave before any operation ran (see src/http/request-id.ts).
 */
export function requestIds(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart({ contextValue }) {
      markOperationStarted(contextValue);
      return {
        async didEncounterErrors({ contextValue, errors }) {
          labelErrors(errors, contextValue.requestId);
        },
      };
    },
  };
}
