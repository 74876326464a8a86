import { durationToMilliseconds, type Duration } from './duration.js';
import { buildRecoveryLink } from './link.js';
import { revokeOutstandingLinks } from './revoke-links.js';
import type { RecoveryServiceDependencies } from './service.js';

export interface CreateRecoveryLinkRequest {
  readonly identityId: string;
  /** Null or undefined means the configured default lifespan. */
  readonly expiresIn?: Duration | null;
  readonly requestId: string;
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
  const { store, now, maxLifespan } = deps;
  const lifespan = request.expiresIn ?? deps.defaultLifespan;
  if (lifespan.nanoseconds < MINIMUM_LIFESPAN_NANOSECONDS || lifespan.nanoseconds > maxLifespan.nanoseconds) {
    return { kind: 'expires_in_out_of_range', expiresIn: lifespan, minimum: '1ms', maximum: maxLifespan.text };
  }

  const identity = await store.findIdentity(request.identityId);
  if (identity === null) return { kind: 'identity_not_found', identityId: request.identityId };
  // Kratos creates links for disabled identities that then fail when opened (#3858);
  // refusing here tells the admin at once, before a useless link reaches the person.
  if (identity.state !== 'active') return { kind: 'identity_disabled', identityId: identity.id };

  const createdAt = now();
  const expiresAt = new Date(createdAt.getTime() + durationToMilliseconds(lifespan));
  const flowId = deps.newFlowId();
  const token = deps.generateToken();
  await store.insertRecoveryLink({
    flowId,
    identityId: identity.id,
    tokenHash: deps.hashToken(token),
    createdAt,
    expiresAt,
    requestId: request.requestId,
  });
  // Only the newest link should work: an older one may sit in a mailbox someone else reads.
  if (!deps.keepOlderLinks) {
    await revokeOutstandingLinks(deps, identity.id, {
      except: flowId,
      createdNoLaterThan: createdAt,
      requestId: request.requestId,
    });
  }
  return {
    kind: 'created',
    link: { flowId, expiresAt, recoveryLink: buildRecoveryLink(deps.linkBaseUrl(), flowId, token) },
  };
}
