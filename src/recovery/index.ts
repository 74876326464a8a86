export { parseDuration, DurationSyntaxError, durationToMilliseconds } from './duration.js';
export type { Duration } from './duration.js';
export { generateToken, createTokenHasher } from './token.js';
export type { TokenGenerator, TokenHasher } from './token.js';
export { createSessionIssuer } from './session.js';
export type { SessionIssuer, PrivilegedSession } from './session.js';
export {
  MAX_RETURN_TO_LENGTH,
  ReturnToAllowlistError,
  checkReturnTo,
  parseReturnToAllowlist,
  returnToStillAllowed,
} from './return-to.js';
export type { ReturnToAllowlist, ReturnToAllowlistEntry, ReturnToCheck, ReturnToRefusal } from './return-to.js';
export { buildRecoveryFlowLink, buildRecoveryLink } from './link.js';
export {
  RECOVERY_CODE_DIGITS,
  defaultCodeLifespan,
  generateRecoveryCode,
  hashRecoveryCode,
  normalizeRecoveryCode,
} from './code.js';
export type { CodeGenerator } from './code.js';
export { RecoveryService } from './service.js';
export type { RecoveryServiceDependencies } from './dependencies.js';
export type { CreateRecoveryLinkRequest, CreateRecoveryLinkOutcome, CreatedRecoveryLink } from './create-link.js';
export type { RedeemRecoveryLinkRequest, RedeemRecoveryLinkOutcome, Redemption } from './redeem-link.js';
export type { CreateRecoveryCodeRequest, CreateRecoveryCodeOutcome, CreatedRecoveryCode } from './create-code.js';
export type { CreationRefusal } from './create-flow.js';
export type { RedeemRecoveryCodeRequest, RedeemRecoveryCodeOutcome } from './redeem-code.js';
export type { RevokeRecoveryLinksRequest, RevokeRecoveryLinksOutcome } from './revoke-links.js';
export {
  DuplicateRecoveryLinkError,
  IDENTITY_STATES,
  RECOVERY_METHODS,
  StoreUnavailableError,
  claimPurgeAt,
  linkPurgeAt,
} from './store.js';
export { RECOVERY_EVENT_TYPES, eventFrom } from './audit.js';
export { currentWindow, parseRateLimit } from './rate-limit.js';
export type { RateDecision, RateLimit, RateLimitBucket } from './rate-limit.js';
export type { RecoveryEvent, RecoveryEventType, RequestOrigin } from './audit.js';
export type {
  AuditStore,
  CodeAttemptDecision,
  CodeAttemptStore,
  CreationWrites,
  Identity,
  IdentityReader,
  IdentityState,
  RecoveryMethod,
  RecoveryLinkRecord,
  RecoveryLinkClaim,
  NewRecoveryLink,
  OutstandingRecoveryLink,
  OutstandingSet,
  OutstandingSetChange,
  OutstandingSetDecision,
  RateLimitRequest,
  RateLimitStore,
  RecoveryLinkStore,
  RecoveryStore,
  RetentionPolicy,
  StoreMaintenance,
} from './store.js';
