import { timingSafeEqual } from 'node:crypto';
import { eventFrom, type RequestOrigin } from './audit.js';
import { returnToStillAllowed } from './return-to.js';
import { revokeOutstandingLinks } from './revoke-links.js';
import type { RecoveryServiceDependencies } from './dependencies.js';
import type { NewRecoveryLink, RecoveryMethod } from './store.js';

export interface Redemption {
  readonly identityId: string;
  readonly sessionToken: string;
  readonly sessionExpiresAt: Date;
  /** Where the page continues with the session: the flow's allowed returnTo, or null for the settings UI. */
  readonly returnTo: string | null;
}

/**
 * The steps after the secret matched, shared by links and codes, in neutral terms: each
 * method names `invalid` and `expired` its own way. `invalid` covers a flow used or
 * revoked already, so a used one never reads as expired or disabled.
 */
export type RedemptionStep =
  | { readonly kind: 'redeemed'; readonly redemption: Redemption }
  | { readonly kind: 'invalid' }
  | { readonly kind: 'expired'; readonly expiredAt: Date }
  | { readonly kind: 'identity_not_found'; readonly identityId: string }
  | { readonly kind: 'identity_disabled'; readonly identityId: string };

/**
 * Per client, before anything else: this is where tokens and codes would be guessed. A
 * refused attempt writes nothing, so a flood costs the store nothing. Answers the seconds
 * to wait, or null when admitted.
 */
export async function redemptionRateLimit(
  deps: RecoveryServiceDependencies,
  origin: RequestOrigin,
  now: Date,
): Promise<number | null> {
  const clientKey = origin.clientAddress ?? 'unknown';
  const decision = await deps.store.consumeRateLimit('redeem_per_client', clientKey, deps.redeemLimitPerClient, now);
  return decision.allowed ? null : decision.retryAfterSeconds;
}

/** Records a refused redemption in the admin-only trail, under the identity whose flow was tried. */
export function recordRedemptionFailure(
  deps: Pick<RecoveryServiceDependencies, 'store'>,
  origin: RequestOrigin,
  now: Date,
  failure: { method: RecoveryMethod; flowId: string; identityId: string | null; errorId: string },
): Promise<void> {
  return deps.store.recordFailure(eventFrom(origin, now, { type: 'failed', ...failure }));
}

/**
 * Expiry, the identity, then the claim: the single atomic step, so of any number of
 * concurrent redemptions (or a redemption racing a revocation) in any number of
 * processes, exactly one wins. The claim is also the `redeemed` entry of the trail.
 */
export async function completeRedemption(
  deps: RecoveryServiceDependencies,
  flow: NewRecoveryLink,
  origin: RequestOrigin,
  now: Date,
): Promise<RedemptionStep> {
  const { store } = deps;
  // The claim insert answers "already used" on the way to success; the rarer refusals
  // ask first, so a used flow reads as invalid rather than expired or disabled.
  const refuse = async (step: RedemptionStep): Promise<RedemptionStep> =>
    (await claimedAlready(deps, flow.flowId)) ? { kind: 'invalid' } : step;
  // Expiry is told apart only to someone holding the right secret, so they can ask again.
  if (flow.expiresAt.getTime() <= now.getTime()) return refuse({ kind: 'expired', expiredAt: flow.expiresAt });

  const identity = await store.findIdentity(flow.identityId);
  if (identity === null) return refuse({ kind: 'identity_not_found', identityId: flow.identityId });
  if (identity.state !== 'active') return refuse({ kind: 'identity_disabled', identityId: identity.id });

  const claimed = await store.claimRecoveryLinks([flow.flowId], {
    outcome: 'redeemed',
    identityId: identity.id,
    at: now,
    requestId: origin.requestId,
    actor: origin.actor,
    clientAddress: origin.clientAddress,
  });
  if (claimed.length !== 1) return { kind: 'invalid' };

  // Whatever RECOVERY_LINK_KEEP_OLDER says, a redemption ends the other links and codes:
  // one created by a racing creation, or kept, must not open the account a second time.
  await revokeOutstandingLinks(deps, identity.id, origin, flow.flowId);
  // Checked again: a return URL whose origin left the allowlist since creation goes nowhere.
  const returnTo = returnToStillAllowed(deps.returnToAllowlist, flow.returnTo);
  const session = await deps.issueSession(identity.id, flow.flowId, now, flow.method, returnTo);
  return {
    kind: 'redeemed',
    redemption: { identityId: identity.id, sessionToken: session.token, sessionExpiresAt: session.expiresAt, returnTo },
  };
}

async function claimedAlready(deps: Pick<RecoveryServiceDependencies, 'store'>, flowId: string): Promise<boolean> {
  const record = await deps.store.findRecoveryLink(flowId);
  return record === null || record.usedAt !== null || record.revokedAt !== null;
}

/** Constant-time, so how much of a hash matched cannot be timed. */
export function sameHash(stored: string, presented: string): boolean {
  const a = Buffer.from(stored);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}
