import { eventFrom, type RequestOrigin } from './audit.js';
import { durationToMilliseconds, type Duration } from './duration.js';
import { changeOutstandingSet } from './outstanding-set.js';
import { checkReturnTo, type ReturnToRefusal } from './return-to.js';
import type { RecoveryServiceDependencies } from './dependencies.js';
import type { NewRecoveryLink, RateLimitRequest, RecoveryMethod } from './store.js';

/** What creating a link and creating a code ask for alike. */
export interface CreateRecoveryFlowRequest {
  readonly identityId: string;
  /** Null or undefined means the configured default lifespan of the method. */
  readonly expiresIn?: Duration | null;
  /** Where the person continues after redeeming; null or undefined: the settings UI. */
  readonly returnTo?: string | null;
  readonly origin: RequestOrigin;
}

/** The refusals creating a link and creating a code share; callers switch over `kind`. */
export type CreationRefusal =
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

export type Admission =
  | {
      readonly kind: 'admitted';
      readonly createdAt: Date;
      readonly expiresAt: Date;
      /** The allowed return URL, normalized; null: none was asked for. */
      readonly returnTo: string | null;
    }
  | CreationRefusal;

/** expiresAt has millisecond precision, so anything shorter would already have expired. */
const MINIMUM_LIFESPAN_NANOSECONDS = 1_000_000n;

/**
 * The checks before a link or code is made: its lifespan, its return URL and the identity.
 * A refusal for the identity counts against its rate limit and writes its failure entry;
 * an admitted creation's rate limit is counted with its writes (storeRecoveryFlow).
 */
export async function admitCreation(
  deps: RecoveryServiceDependencies,
  request: CreateRecoveryFlowRequest,
  method: RecoveryMethod,
): Promise<Admission> {
  const { store, maxLifespan } = deps;
  const { origin, identityId } = request;
  const lifespan = request.expiresIn ?? (method === 'code' ? deps.codeLifespan : deps.defaultLifespan);
  if (lifespan.nanoseconds < MINIMUM_LIFESPAN_NANOSECONDS || lifespan.nanoseconds > maxLifespan.nanoseconds) {
    return { kind: 'expires_in_out_of_range', expiresIn: lifespan, minimum: '1ms', maximum: maxLifespan.text };
  }
  // Refused, never dropped: a flow that quietly lands elsewhere is what Kratos' and
  // Supabase's users report as bugs. Checked before the rate limit, as bad input costs none.
  let returnTo: string | null = null;
  const requested = request.returnTo ?? null;
  if (requested !== null) {
    const checked = checkReturnTo(deps.returnToAllowlist, requested);
    if (!checked.allowed) return { kind: 'return_to_forbidden', returnTo: requested, refusal: checked.refusal };
    returnTo = checked.url;
  }

  const createdAt = deps.now();
  const rate = creationRateLimit(deps, identityId, createdAt);
  // A window this process knows is used up is refused before anything is read.
  const wait = store.knownRateLimitWait(rate);
  if (wait !== null) return { kind: 'rate_limited', identityId, retryAfterSeconds: wait };
  const identity = await store.findIdentity(identityId);
  // Kratos creates links for disabled identities that then fail when opened (#3858);
  // refusing here tells the admin at once, before a useless link reaches the person.
  const refusal = identity === null ? 'identity_not_found' : identity.state === 'active' ? null : 'identity_disabled';
  if (refusal !== null) {
    // Counted as a creation would be, so probing for identities is limited too; an
    // admitted creation is counted by the write that stores it (storeRecoveryFlow).
    const decision = await store.consumeRateLimit(rate.bucket, rate.key, rate.limit, rate.now);
    if (!decision.allowed) return { kind: 'rate_limited', identityId, retryAfterSeconds: decision.retryAfterSeconds };
    await store.recordFailure(eventFrom(origin, createdAt, { type: 'failed', method, identityId, errorId: refusal }));
    return { kind: refusal, identityId };
  }
  const expiresAt = new Date(createdAt.getTime() + durationToMilliseconds(lifespan));
  return { kind: 'admitted', createdAt, expiresAt, returnTo };
}

/** One budget per identity for links and codes alike, so asking for codes cannot add to the links allowed. */
function creationRateLimit(
  deps: Pick<RecoveryServiceDependencies, 'createLimitPerIdentity'>,
  identityId: string,
  now: Date,
): RateLimitRequest {
  return { bucket: 'create_per_identity', key: identityId, limit: deps.createLimitPerIdentity, now };
}

export interface NewRecoveryFlow {
  readonly flowId: string;
  readonly identityId: string;
  readonly method: RecoveryMethod;
  /** The HMAC of the secret (token or code); the secret itself is never stored. */
  readonly secretHash: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  /** An allowed return URL (admitCreation), or null. */
  readonly returnTo: string | null;
  readonly origin: RequestOrigin;
}

/**
 * The writes of a creation, link or code alike, in an order that keeps three invariants
 * however the process dies between any two of them (FerretDB has no transactions):
 * 1. the identity's outstanding set names the new flow before it exists (its change's
 *    decision does, until the change is applied), so no later creation can miss it;
 * 2. older links and codes are claimed as revoked before the new one exists, so there is
 *    never a moment with two usable ones (dying in between leaves none: the admin asks again);
 * 3. the flow document is its own `created` audit entry, so no usable flow lacks one.
 * The identity's rate limit is counted first: a used-up limit writes nothing. Where the
 * store can, rate-limit slot, decision, claims and flow are one ordered insert.
 * Two creations racing for one identity are ordered by the set's change (a unique
 * insert): the later one claims the earlier one's flow, so exactly one stays usable.
 */
export async function storeRecoveryFlow(
  deps: RecoveryServiceDependencies,
  flow: NewRecoveryFlow,
): Promise<{ readonly stored: true } | Extract<CreationRefusal, { kind: 'rate_limited' }>> {
  const { flowId, identityId, createdAt, expiresAt, origin } = flow;
  const link: NewRecoveryLink = {
    flowId,
    identityId,
    method: flow.method,
    tokenHash: flow.secretHash,
    createdAt,
    expiresAt,
    requestId: origin.requestId,
    actor: origin.actor,
    clientAddress: origin.clientAddress,
    returnTo: flow.returnTo,
  };
  // Only the newest should work: an older link or code may sit in a mailbox someone else
  // reads. The set holds only flows not yet claimed, so in the steady state each claim succeeds.
  const outcome = await changeOutstandingSet(
    deps,
    identityId,
    { outcome: 'revoked', at: createdAt, origin },
    (links) => ({ added: { flowId, createdAt, expiresAt }, toClaim: deps.keepOlderLinks ? [] : links }),
    { link, rateLimit: creationRateLimit(deps, identityId, createdAt) },
  );
  if (!outcome.changed) return { kind: 'rate_limited', identityId, retryAfterSeconds: outcome.retryAfterSeconds };
  return { stored: true };
}
