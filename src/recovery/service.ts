import { durationToMilliseconds, type Duration } from './duration.js';
import { buildRecoveryLink } from './link.js';
import type { TokenGenerator, TokenHasher } from './token.js';
import type { Identity, RecoveryStore } from './store.js';

export interface RecoveryServiceDependencies {
  readonly store: Pick<RecoveryStore, 'findIdentity' | 'insertRecoveryLink'>;
  readonly now: () => Date;
  readonly newFlowId: () => string;
  readonly generateToken: TokenGenerator;
  readonly hashToken: TokenHasher;
  /** A function because the default base URL depends on the port the server got. */
  readonly linkBaseUrl: () => URL;
  readonly defaultLifespan: Duration;
  readonly maxLifespan: Duration;
}

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

export class RecoveryService {
  constructor(private readonly deps: RecoveryServiceDependencies) {}

  findIdentity(id: string): Promise<Identity | null> {
    return this.deps.store.findIdentity(id);
  }

  async createRecoveryLink(request: CreateRecoveryLinkRequest): Promise<CreateRecoveryLinkOutcome> {
    const { store, now, maxLifespan } = this.deps;
    const lifespan = request.expiresIn ?? this.deps.defaultLifespan;
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
    const flowId = this.deps.newFlowId();
    const token = this.deps.generateToken();
    await store.insertRecoveryLink({
      flowId,
      identityId: identity.id,
      tokenHash: this.deps.hashToken(token),
      createdAt,
      expiresAt,
      usedAt: null,
      requestId: request.requestId,
    });
    return {
      kind: 'created',
      link: { flowId, expiresAt, recoveryLink: buildRecoveryLink(this.deps.linkBaseUrl(), flowId, token) },
    };
  }
}
