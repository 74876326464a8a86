import { eventFrom, type RequestOrigin } from './audit.js';
import { durationToMilliseconds, type Duration } from './duration.js';
import { buildRecoveryLink } from './link.js';
import { revokeOutstandingLinks } from './revoke-links.js';
import type { RecoveryServiceDependencies } from './service.js';

export interface CreateRecoveryLinkRequest {
  readonly identityId: string;
  /** Null or undefined means the configured default lifespan. */
  readonly expiresIn?: Duration | null;
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
    };

/** expiresAt has millisecond precision, so anything shorter would already have expired. */
const MINIMUM_LIFESPAN_NANOSECONDS = 1_000_000n;

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

  const createdAt = deps.now();
  // Counted before the lookup, so probing for identities that exist is limited too.
  const decision = await store.consumeRateLimit(
    'create_per_identity',
    identityId,
    deps.createLimitPerIdentity,
    createdAt,
  );
  if (!decision.allowed) {
    await store.recordEvents([
      eventFrom(origin, createdAt, { type: 'rate_limited', identityId, errorId: 'rate_limited' }),
    ]);
    return { kind: 'rate_limited', identityId, retryAfterSeconds: decision.retryAfterSeconds };
  }

  const identity = await store.findIdentity(identityId);
  // Kratos creates links for disabled identities that then fail when opened (#3858);
  // refusing here tells the admin at once, before a useless link reaches the person.
  const refusal = identity === null ? 'identity_not_found' : identity.state === 'active' ? null : 'identity_disabled';
  if (refusal !== null) {
    await store.recordEvents([eventFrom(origin, createdAt, { type: 'failed', identityId, errorId: refusal })]);
    return { kind: refusal, identityId };
  }

  const expiresAt = new Date(createdAt.getTime() + durationToMilliseconds(lifespan));
  const flowId = deps.newFlowId();
  const token = deps.generateToken();
  await store.insertRecoveryLink({
    flowId,
    identityId,
    tokenHash: deps.hashToken(token),
    createdAt,
    expiresAt,
    requestId: origin.requestId,
  });
  try {
    await store.recordEvents([eventFrom(origin, createdAt, { type: 'created', identityId, flowId })]);
  } catch (error) {
    // A link nobody can account for must not exist: withdraw it and fail the request.
    await store
      .claimRecoveryLinks([flowId], { outcome: 'revoked', at: createdAt, requestId: origin.requestId })
      .catch(() => {});
    throw error;
  }
  // Only the newest link should work: an older one may sit in a mailbox someone else reads.
  if (!deps.keepOlderLinks) {
    await revokeOutstandingLinks(deps, identityId, origin, { except: flowId, createdNoLaterThan: createdAt });
  }
  return {
    kind: 'created',
    link: { flowId, expiresAt, recoveryLink: buildRecoveryLink(deps.linkBaseUrl(), flowId, token) },
  };
}
