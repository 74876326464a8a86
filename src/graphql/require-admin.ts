import type { Authenticator, Principal } from '../auth/index.js';
import { ServiceError, identityProviderUnavailable } from '../errors/index.js';

/** The context's requireAdmin for one request: authenticates at most once, on first use. */
export function adminGuard(
  authenticate: Authenticator,
  authorizationHeader: string | undefined,
): () => Promise<Principal> {
  let authentication: ReturnType<Authenticator> | undefined;
  return async () => {
    authentication ??= authenticate(authorizationHeader);
    const outcome = await authentication;
    switch (outcome.kind) {
      case 'authenticated':
        return outcome.principal;
      case 'unauthenticated':
        throw new ServiceError('unauthenticated', outcome.reason);
      case 'forbidden':
        throw new ServiceError('forbidden', outcome.reason);
      case 'unavailable':
        // As storage_unavailable: the wait is in the body too, for clients that drop headers.
        throw identityProviderUnavailable(outcome.reason);
      default:
        return outcome satisfies never;
    }
  };
}
