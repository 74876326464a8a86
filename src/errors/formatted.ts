import type { GraphQLFormattedError } from 'graphql';
import { apolloCodeFor, toErrorGeneric, type ServiceError } from './service-error.js';

/**
 * The shape every error leaves in, whoever answers it: the GraphQL boundary
 * (src/graphql/format-error.ts) and the HTTP layer, which answers malformed bodies
 * before GraphQL runs, write the same `{message, extensions: {code, error}}`.
 */

/** `extensions.traceId` beside `code` and `error`, which keep their shape; shared with the HTTP layer. */
export function withTraceId(formatted: GraphQLFormattedError, traceId: string | undefined): GraphQLFormattedError {
  return traceId === undefined ? formatted : { ...formatted, extensions: { ...formatted.extensions, traceId } };
}

interface FormatOptions {
  readonly formatted?: GraphQLFormattedError;
  readonly code?: string | undefined;
  readonly debug?: string | undefined;
}

/** Shared with the HTTP layer, which answers malformed bodies before GraphQL runs. */
export function formatServiceError(
  error: ServiceError,
  requestId: string,
  options: FormatOptions = {},
): GraphQLFormattedError {
  const { formatted, code = apolloCodeFor(error.id), debug } = options;
  return {
    message: error.reason,
    ...(formatted?.locations ? { locations: formatted.locations } : {}),
    ...(formatted?.path ? { path: formatted.path } : {}),
    extensions: { code, error: toErrorGeneric(error, requestId, debug) },
  };
}
