import { eventFrom, type RequestOrigin } from './audit.js';
import { durationToMilliseconds, type Duration } from './duration.js';
import { buildRecoveryLink } from './link.js';
import { changeOutstandingSet } from './outstanding-set.js';
import { checkReturnTo, type ReturnToRefusal } from './return-to.js';
import type { RecoveryServiceDependencies } from './dependencies.js';

export interface CreateRecoveryLinkRequest {
  readonly identityId: string;
  /** Null or undefined means the configured default lifespan. */
  readonly expiresIn?: Duration | null;
  /** Where the person continues after redeeming; null or undefined: the settings UI. */
  readonly returnTo?: string | null;
  readonly origin: RequestOrigin;
}

export interface CreatedRecoveryLink {
  readonly flowId: string;
  readonly recoveryLink: string;
  readonly expiresAt: Date;
}

/** Every expected outcome of creating a link; callers switch over `kind` exhaustively. */
export type CreateRecoveryLinkOutcome =
  | { readonly kind: 'created'; readonly link: CreatedRecoveryLink }
  | { readonly kind: 'identity_not_found'; readonly identityId: string }
  | { readonly kind: 'identity_disabled'; readonly identityId: string }
  | { readonly kind: 'rate_limited'; readonly identityId: string; readonly retryAfterSeconds: number }
  | {
      readonly kind: 'expires_in_out_of_range';
      readonly expiresIn: Duration;
      readonly minimum: string;
      readonly maximum: string;
    }
  | { readonly kind: 'return_to_forbidden'; readonly returnTo: string; readonly refusal: ReturnToRefusal };

/** expiresAt has millisecond precision, so anything shorter would already have expired. */
const MINIMUM_LIFESPAN_NANOSECONDS = 1_000_000n;

/**
 * The writes of a creation, in an order that keeps three invariants however the process
 * dies between any two of them (FerretDB has no transactions):
 * 1. the identity's outstanding set names the new link before the link exists, so no
 *    later creation can miss it (a set entry without a link is harmless);
 * 2. older links are claimed as revoked before the new link exists, so there is never a
 *    moment with two usable links (dying in between leaves none: the admin asks again);
 * 3. the link document is its own `created` audit entry, so no usable link lacks one.
 * Two creations racing for one identity are ordered by the set's change (a unique
 * insert): the later one claims the earlier one's link, so exactly one stays usable.
 */
export async function createRecoveryLink(
  deps: RecoveryServiceDependencies,
  request: CreateRecoveryLinkRequest,
): Promise<CreateRecoveryLinkOutcome> {
  const { store, maxLifespan } = deps;
  const { origin, identityId } = request;
  const lifespan = request.expiresIn ?? deps.defaultLifespan;
  if (lifespan.nanoseconds < MINIMUM_LIFESPAN_NANOSECONDS || lifespan.nanoseconds > maxLifespan.nanoseconds) {
    return { kind: 'expires_in_out_of_range', expiresIn: lifespan, minimum: '1ms', maximum: maxLifespan.text };
  }
  // Refused, never dropped: a link that quietly lands elsewhere is what Kratos' and
  // Supabase's users report as bugs. Checked before the rate limit, as bad input costs none.
  let returnTo: string | null = null;
  const requested = request.returnTo ?? null;
  if (requested !== null) {
    const checked = checkReturnTo(deps.returnToAllowlist, requested);
    if (!checked.allowed) return { kind: 'return_to_forbidden', returnTo: requested, refusal: checked.refusal };
    returnTo = checked.url;
  }

  const createdAt = deps.now();
  // Counted before the lookup, so probing for identities that exist is limited too. A
  // refused request writes nothing: the metrics count refusals.
  const decision = await store.consumeRateLimit(
    'create_per_identity',
    identityId,
    deps.createLimitPerIdentity,
    createdAt,
  );
  if (!decision.allowed) return { kind: 'rate_limited', identityId, retryAfterSeconds: decision.retryAfterSeconds };

  const identity = await store.findIdentity(identityId);
  // Kratos creates links for disabled identities that then fail when opened (#3858);
  // refusing here tells the admin at once, before a useless link reaches the person.
  const refusal = identity === null ? 'identity_not_found' : identity.state === 'active' ? null : 'identity_disabled';
  if (refusal !== null) {
    await store.recordFailure(eventFrom(origin, createdAt, { type: 'failed', identityId, errorId: refusal }));
    return { kind: refusal, identityId };
  }

  const expiresAt = new Date(createdAt.getTime() + durationToMilliseconds(lifespan));
  const flowId = deps.newFlowId();
  const token = deps.generateToken();
  // Only the newest link should work: an older one may sit in a mailbox someone else reads.
  // The set holds only links not yet claimed, so in the steady state each claim succeeds.
  await changeOutstandingSet(deps, identityId, { outcome: 'revoked', at: createdAt, origin }, (links) => ({
    added: { flowId, createdAt, expiresAt },
    toClaim: deps.keepOlderLinks ? [] : links,
  }));
  await store.insertRecoveryLink({
    flowId,
    identityId,
    tokenHash: deps.hashToken(token),
    createdAt,
    expiresAt,
    requestId: origin.requestId,
    actor: origin.actor,
    clientAddress: origin.clientAddress,
    returnTo,
  });
  return {
    kind: 'created',
    link: { flowId, expiresAt, recoveryLink: buildRecoveryLink(deps.linkBaseUrl(), flowId, token) },
  };
}
