import {
  DuplicateRecoveryLinkError,
  type Identity,
  type RecoveryLinkRecord,
  type RecoveryStore,
} from '../recovery/index.js';

/**
 * The embedded store behind `npm start` without MONGODB_URI: everything lives in this
 * process and is gone when it stops. It passes the same contract suite as MongoDB.
 */
export class MemoryRecoveryStore implements RecoveryStore {
  private readonly identities = new Map<string, Identity>();
  private readonly linksByFlowId = new Map<string, RecoveryLinkRecord>();
  private readonly tokenHashes = new Set<string>();

  constructor(identities: Iterable<Identity> = []) {
    for (const identity of identities) this.identities.set(identity.id, Object.freeze({ ...identity }));
  }

  async findIdentity(id: string): Promise<Identity | null> {
    return this.identities.get(id) ?? null;
  }

  async insertRecoveryLink(link: RecoveryLinkRecord): Promise<void> {
    // Same invariant as MongoDB's unique indexes: check both keys before writing either.
    if (this.linksByFlowId.has(link.flowId) || this.tokenHashes.has(link.tokenHash)) {
      throw new DuplicateRecoveryLinkError();
    }
    this.linksByFlowId.set(link.flowId, Object.freeze({ ...link }));
    this.tokenHashes.add(link.tokenHash);
  }

  async findRecoveryLink(flowId: string): Promise<RecoveryLinkRecord | null> {
    return this.linksByFlowId.get(flowId) ?? null;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}
}
