import {
  DuplicateRecoveryLinkError,
  type Identity,
  type NewRecoveryLink,
  type OutstandingRecoveryLink,
  type RecoveryLinkClaim,
  type RecoveryLinkRecord,
  type RecoveryStore,
} from '../recovery/index.js';

/**
 * The embedded store behind `npm start` without MONGODB_URI: everything lives in this
 * process and is gone when it stops. It passes the same contract suite as MongoDB.
 * Each method checks and writes without awaiting in between, so on Node's single
 * thread every check-and-write is atomic, as the unique indexes make it in MongoDB.
 */
export class MemoryRecoveryStore implements RecoveryStore {
  private readonly identities = new Map<string, Identity>();
  private readonly linksByFlowId = new Map<string, NewRecoveryLink>();
  private readonly tokenHashes = new Set<string>();
  private readonly claims = new Map<string, RecoveryLinkClaim>();

  constructor(identities: Iterable<Identity> = []) {
    for (const identity of identities) this.identities.set(identity.id, Object.freeze({ ...identity }));
  }

  async findIdentity(id: string): Promise<Identity | null> {
    return this.identities.get(id) ?? null;
  }

  async insertRecoveryLink(link: NewRecoveryLink): Promise<void> {
    if (this.linksByFlowId.has(link.flowId) || this.tokenHashes.has(link.tokenHash)) {
      throw new DuplicateRecoveryLinkError();
    }
    this.linksByFlowId.set(link.flowId, Object.freeze({ ...link }));
    this.tokenHashes.add(link.tokenHash);
  }

  async findRecoveryLink(flowId: string): Promise<RecoveryLinkRecord | null> {
    const link = this.linksByFlowId.get(flowId);
    if (link === undefined) return null;
    const claim = this.claims.get(flowId);
    return {
      ...link,
      usedAt: claim?.outcome === 'redeemed' ? claim.at : null,
      revokedAt: claim?.outcome === 'revoked' ? claim.at : null,
    };
  }

  async listOutstandingRecoveryLinks(identityId: string, now: Date): Promise<OutstandingRecoveryLink[]> {
    const outstanding: OutstandingRecoveryLink[] = [];
    for (const link of this.linksByFlowId.values()) {
      if (link.identityId === identityId && link.expiresAt > now && !this.claims.has(link.flowId)) {
        outstanding.push({ flowId: link.flowId, createdAt: link.createdAt });
      }
    }
    return outstanding;
  }

  async claimRecoveryLinks(flowIds: readonly string[], claim: RecoveryLinkClaim): Promise<string[]> {
    const claimed: string[] = [];
    for (const flowId of flowIds) {
      if (this.claims.has(flowId)) continue;
      this.claims.set(flowId, Object.freeze({ ...claim }));
      claimed.push(flowId);
    }
    return claimed;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}
}
