import {
  expiresInOutOfRange,
  identityDisabled,
  identityNotFound,
  rateLimited,
  returnToForbidden,
  type ServiceError,
} from '../../errors/index.js';
import type { CreationRefusal } from '../../recovery/index.js';

/**
 * The error for a refused creation, link or code alike; `rateLimitMessage` words the
 * identity's budget as the caller asked for it.
 */
export function creationRefusalError(refusal: CreationRefusal, rateLimitMessage: string): ServiceError {
  switch (refusal.kind) {
    case 'identity_not_found':
      return identityNotFound(refusal.identityId);
    case 'identity_disabled':
      return identityDisabled(refusal.identityId);
    case 'rate_limited':
      return rateLimited(rateLimitMessage, refusal.retryAfterSeconds);
    case 'expires_in_out_of_range':
      return expiresInOutOfRange(refusal);
    case 'return_to_forbidden':
      return returnToForbidden(refusal.returnTo, refusal.refusal);
    default:
      return refusal satisfies never;
  }
}
