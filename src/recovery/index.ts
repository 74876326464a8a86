export { parseDuration, DurationSyntaxError, durationToMilliseconds } from './duration.js';
export type { Duration } from './duration.js';
export { generateToken, createTokenHasher } from './token.js';
export type { TokenGenerator, TokenHasher } from './token.js';
export { buildRecoveryLink } from './link.js';
export { ServiceError, toErrorGeneric, apolloCodeFor } from './errors.js';
export type { ErrorId, ErrorGeneric, ErrorDetails } from './errors.js';
export { RecoveryService } from './service.js';
export type {
  RecoveryServiceDependencies,
  CreateRecoveryLinkRequest,
  CreateRecoveryLinkOutcome,
  CreatedRecoveryLink,
} from './service.js';
export { DuplicateRecoveryLinkError } from './store.js';
export type { Identity, IdentityState, RecoveryLinkRecord, RecoveryStore } from './store.js';
