import type { RecoveryEvent, RecoveryEventType } from './audit.js';
import type { RateDecision, RateLimit, RateLimitBucket } from './rate-limit.js';

/**
 * What the recovery domain needs from storage, and nothing more. Both stores (MongoDB
 * and the embedded one) implement it and pass one contract suite.
 */

/** Kratos' identity states; the schema's IdentityState and the identity file derive from these. */
export const IDENTITY_STATES = ['active', 'inactive'] as const;
export type IdentityState = (typeof IDENTITY_STATES)[number];

export interface Identity {
  readonly id: string;
  readonly state: IdentityState;
  readonly schemaId: string | null;
  readonly traits: Readonly<Record<string, unknown>>;
  readonly createdAt: Date | null;
  readonly updatedAt: Date | null;
}

/**
 * How a flow is redeemed: with the token inside its link, or with a short code typed on
 * the page its link opens (Kratos' two recovery methods). Both are one kind of record.
 */
export const RECOVERY_METHODS = ['link', 'code'] as const;
export type RecoveryMethod = (typeof RECOVERY_METHODS)[number];

/**
 * A stored recovery flow: a link, or a code. The secret itself is never part of it, only
 * its HMAC. The document is also the `created` entry of the audit trail: one write, so a
 * crash can never leave a usable link or code that the trail does not know about.
 */
export interface NewRecoveryLink {
  readonly flowId: string;
  readonly identityId: string;
  /** Links and codes share one lifecycle (outstanding set, claims); only the secret differs. */
  readonly method: RecoveryMethod;
  /** The HMAC of the link's token, or of the code (bound to its flow id, see code.ts). */
  readonly tokenHash: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly requestId: string;
  readonly actor: string | null;
  readonly clientAddress: string | null;
  /**
   * Where the person continues after redeeming, as allowed when the link was created
   * (see return-to.ts); null: the configured settings UI. Links stored before it read as null.
   */
  readonly returnTo: string | null;
}

/** A link with what its claim, if any, says. */
export interface RecoveryLinkRecord extends NewRecoveryLink {
  /** When it was redeemed; set only through a claim. */
  readonly usedAt: Date | null;
  /** When it was revoked; set only through a claim. */
  readonly revokedAt: Date | null;
}

/** An entry of an identity's outstanding set: enough to revoke it without reading the link. */
export interface OutstandingRecoveryLink {
  readonly flowId: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

/** An identity's outstanding set, and how many changes made it (0: never changed). */
export interface OutstandingSet {
  readonly generation: number;
  readonly links: readonly OutstandingRecoveryLink[];
}

/**
 * One change of an identity's outstanding set: the set it was planned on had generation
 * `generation - 1`. Changes are decided by a unique insert of their generation and
 * applied one after another, never over each other: FerretDB's updates read and then
 * write, so two at once could lose one's entry, and with it a usable link.
 */
export interface OutstandingSetChange {
  readonly identityId: string;
  readonly generation: number;
  /** The link a creation adds, or null (a redemption or revocation adds none). */
  readonly added: OutstandingRecoveryLink | null;
  /** Entries that can no longer be outstanding: claimed by this change or before, or expired. */
  readonly dropped: readonly string[];
  /** When it was decided. */
  readonly at: Date;
}

export type OutstandingSetDecision =
  | { readonly won: true; readonly claimed: string[] }
  | {
      readonly won: false;
      /** Null when the store no longer knows the change that won: the set moved on, read it again. */
      readonly winner: OutstandingSetChange | null;
      /** The creation's rate-limit slot was taken all the same: the next attempt takes none. */
      readonly rateCounted?: true;
    }
  /** The creation's rate limit is used up: nothing was written. */
  | { readonly won: false; readonly winner: null; readonly retryAfterSeconds: number };

/** A request counted against a rate limit (RateLimitStore.consumeRateLimit's arguments). */
export interface RateLimitRequest {
  readonly bucket: RateLimitBucket;
  readonly key: string;
  readonly limit: RateLimit;
  readonly now: Date;
}

/**
 * What a creation writes with the decision of its change, in the same command where the
 * store can: first its rate-limit slot, then the decision and its claims, then the new
 * flow. The order is what keeps a crash harmless, however many commands it takes.
 */
export interface CreationWrites {
  /** Stored once the decision won and its claims are made. */
  readonly link: NewRecoveryLink;
  /** Counted before anything else is written; null when an earlier attempt counted it. */
  readonly rateLimit: RateLimitRequest | null;
}

/**
 * Ending a link's life, by redeeming or revoking it. Each link can be claimed once: the
 * first claim wins and every later one, in any process, loses. The stores make this a
 * single unique-key insert, the one write FerretDB performs atomically. The claim is also
 * the `redeemed` or `revoked` entry of the audit trail.
 */
export interface RecoveryLinkClaim {
  readonly outcome: Extract<RecoveryEventType, 'redeemed' | 'revoked'>;
  readonly identityId: string;
  readonly at: Date;
  readonly requestId: string;
  readonly actor: string | null;
  readonly clientAddress: string | null;
}

/** How long what the store writes is kept; everything it writes has one of these bounds. */
export interface RetentionPolicy {
  /** Kept this long after the link expired (support questions, audits). */
  readonly linkMilliseconds: number;
  /** Audit entries (links as `created`, claims, failures) are kept at least this long. */
  readonly eventMilliseconds: number;
  /** The longest a link can live, so a claim can be kept longer than any link. */
  readonly maxLifespanMilliseconds: number;
}

/** When a link document may go: after its own retention and after the audit's. */
export function linkPurgeAt(link: Pick<NewRecoveryLink, 'createdAt' | 'expiresAt'>, policy: RetentionPolicy): Date {
  return new Date(
    Math.max(link.expiresAt.getTime() + policy.linkMilliseconds, link.createdAt.getTime() + policy.eventMilliseconds),
  );
}

/**
 * When a claim may go. It must outlive its link, or a used link would look unused again:
 * a link claimed at `at` was created no later than `at`, so it expires by
 * `at + maxLifespan` and is purged by the later of that plus its retention and
 * `at + event retention`.
 */
export function claimPurgeAt(at: Date, policy: RetentionPolicy): Date {
  return new Date(
    at.getTime() + Math.max(policy.maxLifespanMilliseconds + policy.linkMilliseconds, policy.eventMilliseconds),
  );
}

export interface IdentityReader {
  /** Looks an identity up by its canonical (lower-case) UUID. */
  findIdentity(id: string): Promise<Identity | null>;
  /** Looks up many identities (federation resolves entities in batches); unknown ids are skipped. */
  findIdentities(ids: readonly string[]): Promise<Identity[]>;
}

export interface RecoveryLinkStore {
  /** Stores a new link, which is also its `created` audit entry; a duplicate flow id is rejected. */
  insertRecoveryLink(link: NewRecoveryLink): Promise<void>;
  /** The link as created, without asking whether it was claimed (the claim insert answers that). */
  findStoredRecoveryLink(flowId: string): Promise<NewRecoveryLink | null>;
  /** The link with usedAt or revokedAt as its claim says. */
  findRecoveryLink(flowId: string): Promise<RecoveryLinkRecord | null>;
  /** The identity's outstanding set as stored: a hint, without asking which were claimed. */
  readOutstandingSet(identityId: string): Promise<OutstandingSet>;
  /**
   * Decides who makes `change.generation` of the identity's set: a unique insert, so of
   * any number of changes racing for it in any number of processes exactly one wins. Only
   * the winner claims `flowIds` (in the same command where the store can), answering what
   * it claimed; a loser answers the change that won, when the store still knows it. With
   * `creation`, its slot is counted first (a used-up limit decides nothing) and its flow
   * is stored after the claims.
   */
  decideOutstandingSetChange(
    change: OutstandingSetChange,
    flowIds: readonly string[],
    claim: RecoveryLinkClaim,
    creation?: CreationWrites | null,
  ): Promise<OutstandingSetDecision>;
  /**
   * Writes a decided change into the set, once: nothing happens when the set is already
   * past generation - 1. Anyone may apply a change that won, for a maker that died.
   */
  applyOutstandingSetChange(change: OutstandingSetChange): Promise<void>;
  /** How many outstanding links each identity has (ids without any are absent). */
  countOutstandingRecoveryLinks(identityIds: readonly string[], now: Date): Promise<Map<string, number>>;
  /** Claims each link not claimed before; answers the flow ids this call claimed. */
  claimRecoveryLinks(flowIds: readonly string[], claim: RecoveryLinkClaim): Promise<string[]>;
}

/** A code submission counted, as the `attempt`-th of its flow; or refused, all being used. */
export type CodeAttemptDecision = { readonly counted: true; readonly attempt: number } | { readonly counted: false };

export interface CodeAttemptStore {
  /**
   * Counts one submission of a code for its flow, before the code is compared: unique
   * inserts of `<flowId>#<n>` for n from 1 to `maxAttempts`, so of any number of racing
   * submissions in any number of processes at most `maxAttempts` are counted (FerretDB's
   * one atomic write). What it writes goes when the flow does.
   */
  countCodeAttempt(
    flow: Pick<NewRecoveryLink, 'flowId' | 'createdAt' | 'expiresAt'>,
    maxAttempts: number,
    at: Date,
  ): Promise<CodeAttemptDecision>;
}

export interface RateLimitStore {
  /** Counts one request against a limit, shared by every process using this store. */
  consumeRateLimit(bucket: RateLimitBucket, key: string, limit: RateLimit, now: Date): Promise<RateDecision>;
  /**
   * The seconds until the window ends when this process already knows it is used up, asking
   * nothing of the database; null when it does not know (consumeRateLimit decides).
   */
  knownRateLimitWait(request: RateLimitRequest): number | null;
}

export interface AuditStore {
  /**
   * Records a refused request. Failures are aggregated per who, identity tried, what and window (with a
   * count), so a caller cannot turn requests into documents.
   */
  recordFailure(event: RecoveryEvent): Promise<void>;
  /** The identity's audit trail (creations, claims, failures), newest first. */
  listEvents(identityId: string, limit: number): Promise<RecoveryEvent[]>;
}

export interface StoreMaintenance {
  /**
   * True when the database removes what is due itself (TTL indexes); otherwise whoever
   * opened the store runs a sweeper calling purgeExpired.
   */
  readonly expiresByItself: boolean;
  /** Deletes up to `batchSize` documents of each kind whose retention ended; answers how many. */
  purgeExpired(now: Date, batchSize: number): Promise<number>;
  /** Resolves when the store can serve requests; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** What the recovery domain needs from storage. Both stores pass one contract suite. */
export interface RecoveryStore
  extends IdentityReader, RecoveryLinkStore, CodeAttemptStore, RateLimitStore, AuditStore, StoreMaintenance {}

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

/** Raised by a store when a link with the same flow id already exists. */
export class DuplicateRecoveryLinkError extends Error {
  constructor() {
    super('A recovery link with this flow id already exists');
    this.name = 'DuplicateRecoveryLinkError';
  }
}
