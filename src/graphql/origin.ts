import { HeaderMap } from '@apollo/server';
import type { Principal } from '../auth/index.js';
import { type RequestOrigin } from '../recovery/index.js';
import { ServiceError } from './errors.js';
import type { GraphQLContext } from './context.js';

/** Where a request came from, for the audit trail: the caller as named in logs, never a key. */
export function originOf(context: GraphQLContext, principal: Principal | null): RequestOrigin {
  return {
    requestId: context.requestId,
    clientAddress: context.clientAddress,
    actor:
      principal === null
        ? null
        : principal.kind === 'api_key'
          ? `api_key:${principal.keyId}`
          : `jwt:${principal.subject}`,
  };
}

/**
 * 429 rate_limited. Apollo applies `extensions.http` of an error to the HTTP response, so a
 * response whose operation was limited also carries status 429 and Retry-After.
 */
export function rateLimited(reason: string, retryAfterSeconds: number): ServiceError {
  const error = new ServiceError('rate_limited', reason, { retryAfterSeconds });
  Object.assign(error, {
    extensions: { http: { status: 429, headers: new HeaderMap([['retry-after', String(retryAfterSeconds)]]) } },
  });
  return error;
}
