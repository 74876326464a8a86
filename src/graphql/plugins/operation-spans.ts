import type { ApolloServerPlugin } from '@apollo/server';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { GraphQLFormattedError } from 'graphql';
import type { OperationTracer } from '../../observability/tracing.js';
import type { GraphQLContext } from '../context.js';

/** Names from the OpenTelemetry GraphQL semantic conventions (still "development" there). */
const ATTR_GRAPHQL_OPERATION_TYPE = 'graphql.operation.type';
const ATTR_GRAPHQL_OPERATION_NAME = 'graphql.operation.name';

/**
 * Operation names are the caller's text: a router's generated names
 * (`CreateRecoveryLink__recovery__0`) are far below this; a longer one is cut, not dropped.
 */
const MAX_NAME_LENGTH = 256;

/**
 * One span per GraphQL operation, from an Apollo plugin so that it covers every operation
 * Apollo's pipeline answers, whatever executes it. The span is named and labelled by the
 * operation's type and name as written in the document, never by its text or variables
 * (the variables hold tokens). Its parent is the HTTP server span that is active when
 * Apollo starts the request; plugins cannot make it the active span, so database command
 * spans are its siblings under the server span.
 */
export function operationSpans({ tracer, activeContext }: OperationTracer): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      // As the conventions name an operation not (yet) known: parse or validation failed.
      const span = tracer.startSpan('GraphQL Operation', { kind: SpanKind.INTERNAL }, activeContext());
      return {
        async didResolveOperation({ operation }) {
          if (operation === undefined) return;
          const type = operation.operation;
          const name = operation.name?.value.slice(0, MAX_NAME_LENGTH);
          span.setAttribute(ATTR_GRAPHQL_OPERATION_TYPE, type);
          if (name !== undefined) span.setAttribute(ATTR_GRAPHQL_OPERATION_NAME, name);
          span.updateName(name === undefined ? type : `${type} ${name}`);
        },
        async willSendResponse({ response }) {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          if (errors !== undefined && errors.length > 0) {
            // The error id (a closed set), never the message: messages can quote the input.
            span.setAttribute('error.type', errorIdOf(errors[0]!));
            span.setStatus({ code: SpanStatusCode.ERROR });
          }
          span.end();
        },
      };
    },
  };
}

function errorIdOf(error: GraphQLFormattedError): string {
  const id = (error.extensions?.error as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' ? id : 'unknown';
}
