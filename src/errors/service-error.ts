import { STATUS_CODES } from 'node:http';

/**
 * The closed set of errors this service answers with, and the errorGeneric object the
 * seed's REST endpoint returns for them. Every failure a client sees is one of these
 * ids, whichever layer answers it (the HTTP edge or GraphQL); anything unexpected
 * becomes `internal_server_error` at the GraphQL boundary.
 */
const ERROR_STATUS = {
  bad_request: 400,
  invalid_json: 400,
  operation_not_allowed: 400,
  persisted_query_hash_mismatch: 400,
  graphql_parse_failed: 400,
  graphql_validation_failed: 400,
  invalid_input: 400,
  invalid_uuid: 400,
  invalid_duration: 400,
  expires_in_out_of_range: 400,
  recovery_link_invalid: 400,
  return_to_forbidden: 400,
  recovery_code_invalid: 400,
  unauthenticated: 401,
  router_secret_required: 401,
  forbidden: 403,
  route_not_found: 404,
  identity_not_found: 404,
  method_not_allowed: 405,
  identity_disabled: 409,
  recovery_link_expired: 410,
  recovery_code_expired: 410,
  // Gone rather than invalid: the flow is dead for good, whatever code comes next.
  recovery_code_attempts_exhausted: 410,
  payload_too_large: 413,
  rate_limited: 429,
  unsupported_media_type: 415,
  internal_server_error: 500,
  storage_unavailable: 503,
  identity_provider_unavailable: 503,
  too_many_connections: 503,
} as const satisfies Record<string, number>;

export type ErrorId = keyof typeof ERROR_STATUS;

/** Apollo's string codes (and the community's NOT_FOUND / CONFLICT) per HTTP status. */
const APOLLO_CODE_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'BAD_USER_INPUT',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'BAD_REQUEST',
  409: 'CONFLICT',
  410: 'GONE',
  413: 'BAD_REQUEST',
  429: 'RATE_LIMITED',
  415: 'BAD_REQUEST',
  500: 'INTERNAL_SERVER_ERROR',
  503: 'SERVICE_UNAVAILABLE',
};

/** Generic text per status, as Kratos (herodot) words it; `reason` carries the specifics. */
const MESSAGE_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'The request was malformed or contained invalid parameters',
  401: 'The request could not be authorized',
  403: 'The requested action was forbidden',
  404: 'The resource could not be found',
  405: 'The request method is not supported for this resource',
  409: 'The request could not be completed due to a conflict with the resource',
  410: 'The requested resource is no longer available',
  413: 'The request body is too large',
  429: 'Too many requests, please try again later',
  415: 'The request content type is not supported',
  500: 'An internal server error occurred, please contact the system administrator',
  503: 'The service is temporarily unavailable, please try again later',
};

export type ErrorDetails = Readonly<Record<string, unknown>>;

/** A failure with a known meaning, thrown by resolvers and the HTTP layer alike. */
export class ServiceError extends Error {
  constructor(
    readonly id: ErrorId,
    readonly reason: string,
    readonly details: ErrorDetails = {},
  ) {
    super(reason);
    this.name = 'ServiceError';
  }

  get status(): number {
    return ERROR_STATUS[this.id];
  }
}

/** The seed's errorGeneric `error` object. */
export interface ErrorGeneric {
  code: number;
  status: string;
  id: ErrorId;
  message: string;
  reason: string;
  request: string;
  details: ErrorDetails;
  debug?: string;
}

export function apolloCodeFor(id: ErrorId): string {
  return APOLLO_CODE_BY_STATUS[ERROR_STATUS[id]] ?? 'INTERNAL_SERVER_ERROR';
}

export function toErrorGeneric(error: ServiceError, requestId: string, debug?: string): ErrorGeneric {
  const code = error.status;
  return {
    code,
    status: STATUS_CODES[code] ?? 'Error',
    id: error.id,
    message: MESSAGE_BY_STATUS[code] ?? error.reason,
    reason: error.reason,
    request: requestId,
    details: error.details,
    ...(debug === undefined ? {} : { debug }),
  };
}
