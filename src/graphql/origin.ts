import type { Principal } from '../auth/index.js';
import { type RequestOrigin } from '../recovery/index.js';
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
