import type { CodeGenerator } from './code.js';
import type { Duration } from './duration.js';
import type { RateLimit } from './rate-limit.js';
import type { ReturnToAllowlist } from './return-to.js';
import type { SessionIssuer } from './session.js';
import type { AuditStore, CodeAttemptStore, IdentityReader, RateLimitStore, RecoveryLinkStore } from './store.js';
import type { TokenGenerator, TokenHasher } from './token.js';

/**
 * Everything the recovery operations need; time and randomness are injected for tests.
 * Its own module so that the operations (create-link, create-code, redeem-link, redeem-code, revoke-links) and the
 * service that bundles them each depend on it, not on one another.
 */
export interface RecoveryServiceDependencies {
  /** The roles the operations use; maintenance (purge, ping, close) belongs to whoever opened the store. */
  readonly store: IdentityReader & RecoveryLinkStore & CodeAttemptStore & RateLimitStore & AuditStore;
  readonly now: () => Date;
  readonly newFlowId: () => string;
  readonly generateToken: TokenGenerator;
  readonly generateCode: CodeGenerator;
  readonly hashToken: TokenHasher;
  readonly issueSession: SessionIssuer;
  /** A function because the default base URL depends on the port the server got. */
  readonly linkBaseUrl: () => URL;
  readonly defaultLifespan: Duration;
  /** Bounds links and codes alike (RECOVERY_LINK_MAX_LIFESPAN), so claims outlive both. */
  readonly maxLifespan: Duration;
  /** A code's default lifespan (RECOVERY_CODE_LIFESPAN): shorter than a link's, as it is read out or typed. */
  readonly codeLifespan: Duration;
  /** Submissions a code flow takes, right or wrong, before it is dead (RECOVERY_CODE_MAX_ATTEMPTS). */
  readonly codeMaxAttempts: number;
  /** False: a new link revokes the identity's older unused ones. */
  readonly keepOlderLinks: boolean;
  readonly createLimitPerIdentity: RateLimit;
  readonly redeemLimitPerClient: RateLimit;
  /** Where a flow may send the person afterwards (RECOVERY_RETURN_TO_ALLOWLIST); empty: nowhere. */
  readonly returnToAllowlist: ReturnToAllowlist;
}
