import type { RecoveryEvent } from './audit.js';
import type { RateDecision, RateLimit, RateLimitBucket } from './rate-limit.js';

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
  /** When it was redeemed; set only through a claim. */
  readonly usedAt: Date | null;
  /** When it was revoked; set only through a claim. */
  readonly revokedAt: Date | null;
  readonly requestId: string;
}

/** What creating a link stores; usedAt and revokedAt only ever come from a claim. */
export type NewRecoveryLink = Omit<RecoveryLinkRecord, 'usedAt' | 'revokedAt'>;

export interface OutstandingRecoveryLink {
  readonly flowId: string;
  readonly createdAt: Date;
}

/**
 * Ending a link's life, by redeeming or revoking it. Each link can be claimed once: the
 * first claim wins and every later one, in any process, loses. The stores make this a
 * single unique-key insert, the one write FerretDB performs atomically.
 */
export interface RecoveryLinkClaim {
  readonly outcome: 'redeemed' | 'revoked';
  readonly at: Date;
  readonly requestId: string;
}

export interface RecoveryStore {
  /** Looks an identity up by its canonical (lower-case) UUID. */
  findIdentity(id: string): Promise<Identity | null>;
  /** Looks up many identities in one query (federation resolves entities in batches). */
  findIdentities(ids: readonly string[]): Promise<Identity[]>;
  /** Stores a new link; a duplicate flow id or token hash is rejected, never overwritten. */
  insertRecoveryLink(link: NewRecoveryLink): Promise<void>;
  /** The link with usedAt or revokedAt as its claim says. */
  findRecoveryLink(flowId: string): Promise<RecoveryLinkRecord | null>;
  /** The identity's links that expire after `now` and have not been claimed. */
  listOutstandingRecoveryLinks(identityId: string, now: Date): Promise<OutstandingRecoveryLink[]>;
  /** How many outstanding links each identity has (ids without any are absent), in one query. */
  countOutstandingRecoveryLinks(identityIds: readonly string[], now: Date): Promise<Map<string, number>>;
  /** Claims each link not claimed before; answers the flow ids this call claimed. */
  claimRecoveryLinks(flowIds: readonly string[], claim: RecoveryLinkClaim): Promise<string[]>;
  /** Counts one request against a limit, shared by every process using this store. */
  consumeRateLimit(bucket: RateLimitBucket, key: string, limit: RateLimit, now: Date): Promise<RateDecision>;
  /** Appends to the audit trail. */
  recordEvents(events: readonly RecoveryEvent[]): Promise<void>;
  /** The identity's events, newest first. */
  listEvents(identityId: string, limit: number): Promise<RecoveryEvent[]>;
  /** Resolves when the store can serve requests; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Raised by a store that cannot reach its database. Clients get 503 storage_unavailable;
 * nothing was decided, so asking again once the database is back is safe.
 */
export class StoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super('The store cannot reach its database', { cause });
    this.name = 'StoreUnavailableError';
  }
}

/** Raised by a store when a link with the same flow id or token hash already exists. */
export class DuplicateRecoveryLinkError extends Error {
  constructor() {
    super('A recovery link with this flow id or token hash already exists');
    this.name = 'DuplicateRecoveryLinkError';
  }
}
