import { timingSafeEqual } from 'node:crypto';
import { eventFrom, type RequestOrigin } from './audit.js';
import { returnToStillAllowed } from './return-to.js';
import { revokeOutstandingLinks } from './revoke-links.js';
import type { RecoveryServiceDependencies } from './dependencies.js';

export interface RedeemRecoveryLinkRequest {
  readonly flowId: string;
  readonly token: string;
  readonly origin: RequestOrigin;
}

export interface Redemption {
  readonly identityId: string;
  readonly sessionToken: string;
  readonly sessionExpiresAt: Date;
  /** Where the page continues with the session: the link's allowed returnTo, or null for the settings UI. */
  readonly returnTo: string | null;
}

/**
 * Unknown flow, wrong token, used and revoked links are one outcome on purpose: telling
 * them apart would tell an attacker which flows exist and which tokens were close.
 */
export type RedeemRecoveryLinkOutcome =
  | { readonly kind: 'redeemed'; readonly redemption: Redemption }
  | { readonly kind: 'recovery_link_invalid'; readonly flowId: string }
  | { readonly kind: 'recovery_link_expired'; readonly flowId: string; readonly expiredAt: Date }
  | { readonly kind: 'identity_not_found'; readonly identityId: string }
  | { readonly kind: 'identity_disabled'; readonly identityId: string }
  | { readonly kind: 'rate_limited'; readonly retryAfterSeconds: number };

type Failure = Exclude<RedeemRecoveryLinkOutcome, { kind: 'redeemed' | 'rate_limited' }>;

/** Our tokens are 43 characters; anything much longer is not one and is not hashed. */
const MAX_TOKEN_LENGTH = 256;

export async function redeemRecoveryLink(
  deps: RecoveryServiceDependencies,
  request: RedeemRecoveryLinkRequest,
): Promise<RedeemRecoveryLinkOutcome> {
  const { store } = deps;
  const { origin } = request;
  const now = deps.now();
  // Per client, before anything else: this is the endpoint where tokens would be guessed.
  // A refused attempt writes nothing, so a flood costs the store nothing.
  const clientKey = origin.clientAddress ?? 'unknown';
  const decision = await store.consumeRateLimit('redeem_per_client', clientKey, deps.redeemLimitPerClient, now);
  if (!decision.allowed) return { kind: 'rate_limited', retryAfterSeconds: decision.retryAfterSeconds };

  const failed = async (failure: Failure, identityId: string | null): Promise<Failure> => {
    await store.recordFailure(
      eventFrom(origin, now, { type: 'failed', identityId, flowId: request.flowId, errorId: failure.kind }),
    );
    return failure;
  };
  const invalid = { kind: 'recovery_link_invalid', flowId: request.flowId } as const;

  const link = await store.findStoredRecoveryLink(request.flowId);
  if (link === null) return failed(invalid, null);
  // The caller hears only "invalid"; the admin-only trail names whose link was tried, also
  // for a token too long to be one of ours (not hashed, but an attempt on that link all the same).
  if (request.token.length > MAX_TOKEN_LENGTH || !sameHash(link.tokenHash, deps.hashToken(request.token)))
    return failed(invalid, link.identityId);
  // The claim insert below answers "already used" on the way to success; the rarer
  // refusals ask first, so a used link reads as invalid rather than expired or disabled.
  const refuse = async (failure: Failure) =>
    failed((await claimedAlready(deps, link.flowId)) ? invalid : failure, link.identityId);
  // Expiry is told apart only to someone holding the right token, so they can ask again.
  if (link.expiresAt.getTime() <= now.getTime()) {
    return refuse({ kind: 'recovery_link_expired', flowId: link.flowId, expiredAt: link.expiresAt });
  }

  const identity = await store.findIdentity(link.identityId);
  if (identity === null) return refuse({ kind: 'identity_not_found', identityId: link.identityId });
  if (identity.state !== 'active') return refuse({ kind: 'identity_disabled', identityId: identity.id });

  // The claim is the single atomic step: of any number of concurrent redemptions (or a
  // redemption racing a revocation) in any number of processes, exactly one wins. It is
  // also the `redeemed` entry of the audit trail.
  const claimed = await store.claimRecoveryLinks([link.flowId], {
    outcome: 'redeemed',
    identityId: identity.id,
    at: now,
    requestId: origin.requestId,
    actor: origin.actor,
    clientAddress: origin.clientAddress,
  });
  if (claimed.length !== 1) return failed(invalid, identity.id);

  // Whatever RECOVERY_LINK_KEEP_OLDER says, a redeemed link ends the others: a link
  // created by a racing creation, or kept, must not open the account a second time.
  await revokeOutstandingLinks(deps, identity.id, origin, link.flowId);
  const returnTo = returnToStillAllowed(deps.returnToAllowlist, link.returnTo);
  const session = await deps.issueSession(identity.id, link.flowId, now, returnTo);
  return {
    kind: 'redeemed',
    redemption: { identityId: identity.id, sessionToken: session.token, sessionExpiresAt: session.expiresAt, returnTo },
  };
}

async function claimedAlready(deps: Pick<RecoveryServiceDependencies, 'store'>, flowId: string): Promise<boolean> {
  const record = await deps.store.findRecoveryLink(flowId);
  return record === null || record.usedAt !== null || record.revokedAt !== null;
}

function sameHash(stored: string, presented: string): boolean {
  const a = Buffer.from(stored);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}
