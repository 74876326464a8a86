import { ApolloServerErrorCode } from '@apollo/server/errors';
import { GraphQLError, Kind, type GraphQLFormattedError } from 'graphql';
import { StoreUnavailableError } from '../recovery/index.js';
import {
  ServiceError,
  apolloCodeFor,
  formatServiceError,
  storageUnavailable,
  withTraceId,
  type ErrorId,
} from '../errors/index.js';
import type { Logger } from '../logger.js';

/**
 * The one boundary every GraphQL error passes (parse, validation, variable coercion,
 * resolver, internal, and Apollo's own HTTP-level errors): each leaves as
 * `{message, locations, path, extensions: {code, error: <errorGeneric>}}`.
 * Unexpected errors are logged here with the request id and masked for the client.
 */

export interface ErrorFormatterOptions {
  readonly debugErrors: boolean;
  readonly logger: Logger;
  /** The id of the request an error belongs to (see src/errors/request-labels.ts). */
  readonly requestId: (error: unknown) => string;
  /**
   * The trace the error is formatted in (tracing's `traceId`): errors are formatted inside
   * their request's server span, so the active one is theirs. Undefined: not traced.
   */
  readonly traceId?: () => string | undefined;
}

const ERROR_ID_BY_APOLLO_CODE: Readonly<Record<string, ErrorId>> = {
  [ApolloServerErrorCode.GRAPHQL_PARSE_FAILED]: 'graphql_parse_failed',
  [ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED]: 'graphql_validation_failed',
  [ApolloServerErrorCode.BAD_USER_INPUT]: 'invalid_input',
  [ApolloServerErrorCode.BAD_REQUEST]: 'bad_request',
  [ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE]: 'bad_request',
  [ApolloServerErrorCode.PERSISTED_QUERY_NOT_FOUND]: 'bad_request',
  [ApolloServerErrorCode.PERSISTED_QUERY_NOT_SUPPORTED]: 'bad_request',
};

export function createErrorFormatter(options: ErrorFormatterOptions) {
  const { traceId } = options;
  // Untraced, the formatter is the plain one: nothing of tracing runs per error.
  if (traceId === undefined) return format;
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError =>
    withTraceId(format(formatted, error), traceId());

  function format(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
    const apolloCode = typeof formatted.extensions?.code === 'string' ? formatted.extensions.code : undefined;
    const cause = innermostCause(error);
    const requestId = options.requestId(error);

    if (cause instanceof ServiceError) {
      const field = cause.details.field === undefined ? coercedFieldPath(error) : undefined;
      const known =
        field === undefined
          ? cause
          : new ServiceError(cause.id, `${field}: ${cause.reason}`, { field, ...cause.details });
      // Errors raised during validation or coercion keep Apollo's code (clients such as
      // Apollo Client and routers branch on it); resolver errors get the code of their status.
      const code =
        apolloCode !== undefined && apolloCode !== ApolloServerErrorCode.INTERNAL_SERVER_ERROR
          ? apolloCode
          : apolloCodeFor(known.id);
      return formatServiceError(known, requestId, { formatted, code });
    }

    const knownId = apolloCode === undefined ? undefined : ERROR_ID_BY_APOLLO_CODE[apolloCode];
    if (knownId !== undefined) {
      return formatServiceError(new ServiceError(knownId, formatted.message), requestId, {
        formatted,
        code: apolloCode,
      });
    }

    // Apollo's few code-less errors with a 4xx status (an unsupported persisted query
    // version) are the client's doing: no error line, no stack, not internal.
    const status = httpStatusOf(error);
    if (status !== undefined && status >= 400 && status < 500) {
      return formatServiceError(new ServiceError('bad_request', formatted.message), requestId, { formatted });
    }

    if (cause instanceof StoreUnavailableError) {
      options.logger.warn({ err: cause.cause, requestId }, 'database unreachable');
      // As rate_limited does: the wait is in the body too, for clients that drop headers.
      const unavailable = storageUnavailable('The service cannot reach its database right now; try again shortly.');
      return formatServiceError(unavailable, requestId, { formatted });
    }

    options.logger.error(
      { err: cause, requestId, path: formatted.path },
      'unexpected error while answering a GraphQL request',
    );
    const masked = new ServiceError(
      'internal_server_error',
      'An unexpected error occurred; it has been logged with this request id.',
    );
    const debug = options.debugErrors ? (cause instanceof Error ? cause.message : String(cause)) : undefined;
    return formatServiceError(masked, requestId, { formatted, debug });
  }
}

function httpStatusOf(error: unknown): number | undefined {
  if (!(error instanceof GraphQLError)) return undefined;
  const http = error.extensions.http as { status?: unknown } | undefined;
  return typeof http?.status === 'number' ? http.status : undefined;
}

/** graphql-js and Apollo wrap errors in GraphQLErrors, sometimes twice (variable coercion). */
function innermostCause(error: unknown): unknown {
  let cause = error;
  while (cause instanceof GraphQLError && cause.originalError !== undefined) cause = cause.originalError;
  return cause;
}

/**
 * graphql-js names the variable field that failed coercion only in its message
 * (`Variable "$input" got invalid value "x" at "input.expiresIn"; …`). The last match
 * is taken: the printed value comes first and can contain look-alike text, which then
 * at worst mislabels the field in the sender's own error.
 */
function coercedFieldPath(error: unknown): string | undefined {
  if (!(error instanceof GraphQLError)) return undefined;
  const node = error.nodes?.[0];
  if (node?.kind !== Kind.VARIABLE_DEFINITION) return undefined;
  const name = node.variable.name.value;
  const matches = [...error.message.matchAll(new RegExp(` at "(${name}(?:\\.\\w+|\\[\\d+\\])*)"; `, 'g'))];
  return matches.at(-1)?.[1] ?? name;
}
