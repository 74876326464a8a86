import { MAX_RETURN_TO_LENGTH, type ReturnToRefusal } from '../recovery/index.js';
import {
  IDENTITY_PROVIDER_RETRY_AFTER_SECONDS,
  STORAGE_RETRY_AFTER_SECONDS,
  TOO_MANY_CONNECTIONS_RETRY_AFTER_SECONDS,
} from './retry-after.js';
import { ServiceError } from './service-error.js';

/** The identity errors several operations answer with, worded once. */
export function identityNotFound(identityId: string): ServiceError {
  return new ServiceError('identity_not_found', `Identity with ID ${identityId} does not exist.`, { identityId });
}

export function identityDisabled(identityId: string): ServiceError {
  return new ServiceError('identity_disabled', `Identity with ID ${identityId} is disabled.`, { identityId });
}

/** What creating a link or a code answers when expiresIn is out of its bounds. */
export function expiresInOutOfRange(outcome: {
  readonly expiresIn: { readonly text: string };
  readonly minimum: string;
  readonly maximum: string;
}): ServiceError {
  const { expiresIn, minimum, maximum } = outcome;
  return new ServiceError(
    'expires_in_out_of_range',
    `expiresIn ${JSON.stringify(expiresIn.text)} is out of range: it must be at least ${minimum} and at most ${maximum}.`,
    { field: 'input.expiresIn', value: expiresIn.text, minimum, maximum },
  );
}

/**
 * 429 rate_limited. The wait is in the body (`details.retryAfterSeconds`) and, by the
 * rule of retry-after.ts, in the answer's status and Retry-After.
 */
export function rateLimited(reason: string, retryAfterSeconds: number): ServiceError {
  return new ServiceError('rate_limited', reason, { retryAfterSeconds });
}

/** What each refusal of a returnTo tells the admin; every flow taking a returnTo answers these. */
const RETURN_TO_REFUSAL_TEXT: Readonly<Record<ReturnToRefusal, string>> = {
  too_long: `it is longer than ${MAX_RETURN_TO_LENGTH} characters`,
  not_absolute_url: 'it is not an absolute URL',
  not_http: 'it is not an http or https URL',
  has_userinfo: 'it carries a user name or password',
  has_fragment: 'it carries a fragment (#…), where the session token goes',
  encoded_separator: 'its path holds an encoded / or \\, which servers read differently',
  not_allowlisted: 'its origin and path are not in RECOVERY_RETURN_TO_ALLOWLIST',
};

/**
 * 400 return_to_forbidden, as Kratos' `self_service_flow_return_to_forbidden`: the link
 * is not created, so nobody lands somewhere the admin did not ask for.
 */
export function returnToForbidden(returnTo: string, refusal: ReturnToRefusal, field = 'input.returnTo'): ServiceError {
  // An overlong value is not echoed back whole: the reason says what is wrong with it.
  const value = returnTo.length > MAX_RETURN_TO_LENGTH ? `${returnTo.slice(0, 64)}…` : returnTo;
  return new ServiceError(
    'return_to_forbidden',
    `returnTo ${JSON.stringify(value)} is not allowed: ${RETURN_TO_REFUSAL_TEXT[refusal]}.`,
    { field, value, refusal },
  );
}

/** 503 storage_unavailable: the database did not answer; the wait is in the body as well. */
export function storageUnavailable(reason: string): ServiceError {
  return new ServiceError('storage_unavailable', reason, { retryAfterSeconds: STORAGE_RETRY_AFTER_SECONDS });
}

/** 503 identity_provider_unavailable: the JWKS could not be fetched. */
export function identityProviderUnavailable(reason: string): ServiceError {
  return new ServiceError('identity_provider_unavailable', reason, {
    retryAfterSeconds: IDENTITY_PROVIDER_RETRY_AFTER_SECONDS,
  });
}

/** 503 too_many_connections: a connection over HTTP_MAX_CONNECTIONS. */
export function tooManyConnections(): ServiceError {
  return new ServiceError('too_many_connections', 'The service has too many open connections; try again shortly.', {
    retryAfterSeconds: TOO_MANY_CONNECTIONS_RETRY_AFTER_SECONDS,
  });
}
