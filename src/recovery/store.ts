/**
 * What the recovery domain needs from storage, and nothing more. Both stores (MongoDB
 * and the embedded one) implement it and pass one contract suite.
 */

export type IdentityState = 'active' | 'inactive';

export interface Identity {
  readonly id: string;
  readonly state: IdentityState;
  readonly schemaId: string | null;
  readonly traits: Readonly<Record<string, unknown>>;
  readonly createdAt: Date | null;
  readonly updatedAt: Date | null;
}

/** A stored recovery link. The token itself is never part of it, only its HMAC. */
export interface RecoveryLinkRecord {
  readonly flowId: string;
  readonly identityId: string;
  readonly tokenHash: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly usedAt: Date | null;
  readonly requestId: string;
}

export interface RecoveryStore {
  /** Looks an identity up by its canonical (lower-case) UUID. */
  findIdentity(id: string): Promise<Identity | null>;
  /** Stores a new link; a duplicate flow id or token hash is rejected, never overwritten. */
  insertRecoveryLink(link: RecoveryLinkRecord): Promise<void>;
  findRecoveryLink(flowId: string): Promise<RecoveryLinkRecord | null>;
  /** Resolves when the store can serve requests; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Raised by a store when a link with the same flow id or token hash already exists. */
export class DuplicateRecoveryLinkError extends Error {
  constructor() {
    super('A recovery link with this flow id or token hash already exists');
    this.name = 'DuplicateRecoveryLinkError';
  }
}
