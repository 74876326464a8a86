import type { RecoveryEvent } from './audit.js';
import type { RecoveryServiceDependencies } from './dependencies.js';
import type { Identity } from './store.js';
import { createRecoveryCode, type CreateRecoveryCodeOutcome, type CreateRecoveryCodeRequest } from './create-code.js';
import { redeemRecoveryCode, type RedeemRecoveryCodeOutcome, type RedeemRecoveryCodeRequest } from './redeem-code.js';
import { createRecoveryLink, type CreateRecoveryLinkOutcome, type CreateRecoveryLinkRequest } from './create-link.js';
import { redeemRecoveryLink, type RedeemRecoveryLinkOutcome, type RedeemRecoveryLinkRequest } from './redeem-link.js';
import {
  revokeRecoveryLinks,
  type RevokeRecoveryLinksOutcome,
  type RevokeRecoveryLinksRequest,
} from './revoke-links.js';

/**
 * The recovery lifecycle: create a link or a code, redeem it once, or revoke what is
 * outstanding. Links and codes share it: one outstanding set, one claim per flow.
 */
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

  createRecoveryCode(request: CreateRecoveryCodeRequest): Promise<CreateRecoveryCodeOutcome> {
    return createRecoveryCode(this.deps, request);
  }

  redeemRecoveryCode(request: RedeemRecoveryCodeRequest): Promise<RedeemRecoveryCodeOutcome> {
    return redeemRecoveryCode(this.deps, request);
  }

  revokeRecoveryLinks(request: RevokeRecoveryLinksRequest): Promise<RevokeRecoveryLinksOutcome> {
    return revokeRecoveryLinks(this.deps, request);
  }
}
