import type { Duration } from './duration.js';
import type { RateLimit } from './rate-limit.js';
import type { SessionIssuer } from './session.js';
import type { TokenGenerator, TokenHasher } from './token.js';
import type { RecoveryEvent } from './audit.js';
import type { Identity, RecoveryStore, StoreMaintenance } from './store.js';
import { createRecoveryLink, type CreateRecoveryLinkOutcome, type CreateRecoveryLinkRequest } from './create-link.js';
import { redeemRecoveryLink, type RedeemRecoveryLinkOutcome, type RedeemRecoveryLinkRequest } from './redeem-link.js';
import {
  revokeRecoveryLinks,
  type RevokeRecoveryLinksOutcome,
  type RevokeRecoveryLinksRequest,
} from './revoke-links.js';

/** Everything the recovery operations need; time and randomness are injected for tests. */
export interface RecoveryServiceDependencies {
  readonly store: Omit<RecoveryStore, keyof StoreMaintenance>;
  readonly now: () => Date;
  readonly newFlowId: () => string;
  readonly generateToken: TokenGenerator;
  readonly hashToken: TokenHasher;
  readonly issueSession: SessionIssuer;
  /** A function because the default base URL depends on the port the server got. */
  readonly linkBaseUrl: () => URL;
  readonly defaultLifespan: Duration;
  readonly maxLifespan: Duration;
  /** False: a new link revokes the identity's older unused ones. */
  readonly keepOlderLinks: boolean;
  readonly createLimitPerIdentity: RateLimit;
  readonly redeemLimitPerClient: RateLimit;
}

/** The recovery lifecycle: create a link, redeem it once, or revoke what is outstanding. */
export class RecoveryService {
  constructor(private readonly deps: RecoveryServiceDependencies) {}

  findIdentity(id: string): Promise<Identity | null> {
    return this.deps.store.findIdentity(id);
  }

  findIdentities(ids: readonly string[]): Promise<Identity[]> {
    return this.deps.store.findIdentities(ids);
  }

  countOutstandingLinks(identityIds: readonly string[]): Promise<Map<string, number>> {
    return this.deps.store.countOutstandingRecoveryLinks(identityIds, this.deps.now());
  }

  listEvents(identityId: string, limit: number): Promise<RecoveryEvent[]> {
    return this.deps.store.listEvents(identityId, limit);
  }

  createRecoveryLink(request: CreateRecoveryLinkRequest): Promise<CreateRecoveryLinkOutcome> {
    return createRecoveryLink(this.deps, request);
  }

  redeemRecoveryLink(request: RedeemRecoveryLinkRequest): Promise<RedeemRecoveryLinkOutcome> {
    return redeemRecoveryLink(this.deps, request);
  }

  revokeRecoveryLinks(request: RevokeRecoveryLinksRequest): Promise<RevokeRecoveryLinksOutcome> {
    return revokeRecoveryLinks(this.deps, request);
  }
}
