/** The bottom layer: the closed set of errors, their answer shape and their HTTP rule. */
export { ServiceError, apolloCodeFor } from './service-error.js';
export type { ErrorId } from './service-error.js';
export {
  expiresInOutOfRange,
  identityDisabled,
  identityNotFound,
  identityProviderUnavailable,
  rateLimited,
  returnToForbidden,
  storageUnavailable,
  tooManyConnections,
} from './factories.js';
export { waitHeadOf, waitOf } from './retry-after.js';
export type { ErrorHead } from './retry-after.js';
export { formatServiceError, withTraceId } from './formatted.js';
export {
  UNLABELLED_REQUEST,
  labelErrors,
  mayHoldUnlabelledErrors,
  requestIdOf,
  serializeResult,
  withRequestId,
} from './request-labels.js';
