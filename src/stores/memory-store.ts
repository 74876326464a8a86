import { DuplicateRecoveryLinkError, claimPurgeAt, linkPurgeAt } from '../recovery/index.js';
import type {
  CodeAttemptDecision,
  Identity,
  NewRecoveryLink,
  OutstandingRecoveryLink,
  OutstandingSet,
  OutstandingSetChange,
  OutstandingSetDecision,
  RateDecision,
  RateLimit,
  RateLimitBucket,
  RecoveryEvent,
  RecoveryLinkClaim,
  RecoveryLinkRecord,
  RecoveryStore,
  RetentionPolicy,
} from '../recovery/index.js';
import { OldestFirst } from './oldest-first.js';
import { BoundedRateWindows } from './rate-windows.js';
import { FAILURE_WINDOW_MILLISECONDS, failureKey, newestFirst } from './shared.js';

/**
 * Hard caps, so `npm start` stays within a bounded memory however long it runs and
 * whatever callers send. Past a cap the oldest entries go first (Maps iterate in
 * insertion order); a link forgotten early reads as unknown, which fails safe.
 */
export const MEMORY_STORE_CAPS = {
  links: 20_000,
  failures: 10_000,
  /** Per bucket; past it, new keys are refused as rate limited (see rate-windows.ts). */
  rateWindows: 10_000,
} as const;

/** Development defaults, for tests and tools that build the store without a Config. */
const DEFAULT_RETENTION: RetentionPolicy = {
  linkMilliseconds: 7 * 24 * 3600_000,
  eventMilliseconds: 90 * 24 * 3600_000,
  maxLifespanMilliseconds: 30 * 24 * 3600_000,
};

interface OutstandingState {
  generation: number;
  readonly links: Map<string, OutstandingRecoveryLink>;
  /** A change decided and not yet applied: the next one waits for it (see changeOutstandingSet). */
  pending: OutstandingSetChange | null;
}

interface StoredLink {
  readonly link: NewRecoveryLink;
  claim: RecoveryLinkClaim | null;
  /** Code submissions counted for this flow: kept with it, so they go when it goes. */
  codeAttempts: number;
  readonly purgeAt: number;
}

/**
 * The embedded store behind `npm start` without MONGODB_URI: everything lives in this
 * process and is gone when it stops. It passes the same contract suite as MongoDB.
 * Each method checks and writes without awaiting in between, so on Node's single
 * thread every check-and-write is atomic, as the unique indexes make it in MongoDB.
 */
export class MemoryRecoveryStore implements RecoveryStore {
  private readonly identities = new Map<string, Identity>();
  /** Links with their claims. */
  private readonly links = new Map<string, StoredLink>();
  private readonly linksByAge = new OldestFirst<string>((flowId) => this.links.has(flowId), MEMORY_STORE_CAPS.links);
  /** Claims of flow ids that have no link (yet): a later insert of that link finds it claimed. */
  private readonly orphanClaims = new Map<string, { claim: RecoveryLinkClaim; purgeAt: number }>();
  private readonly orphanClaimsByAge = new OldestFirst<string>(
    (flowId) => this.orphanClaims.has(flowId),
    MEMORY_STORE_CAPS.links,
  );
  /** Per identity, the flow ids of its stored links, so its audit trail is not a scan. */
  private readonly linksByIdentity = new Map<string, Set<string>>();
  /** Per identity, only its outstanding links (claimed and expired ones leave it), and its changes. */
  private readonly outstanding = new Map<string, OutstandingState>();
  private readonly failures = new Map<string, RecoveryEvent & { purgeAt: number }>();
  private readonly failuresByAge = new OldestFirst<string>((key) => this.failures.has(key), MEMORY_STORE_CAPS.failures);
  /** Per bucket and key: the current window and how much of it is used. */
  private readonly rateWindows = new Map<RateLimitBucket, BoundedRateWindows>();

  constructor(
    identities: Iterable<Identity> = [],
    private readonly retention: RetentionPolicy = DEFAULT_RETENTION,
  ) {
    for (const identity of identities) this.identities.set(identity.id, Object.freeze({ ...identity }));
  }

  async findIdentity(id: string): Promise<Identity | null> {
    return this.identities.get(id) ?? null;
  }

  async findIdentities(ids: readonly string[]): Promise<Identity[]> {
    return [...new Set(ids)].flatMap((id) => this.identities.get(id) ?? []);
  }

  async insertRecoveryLink(link: NewRecoveryLink): Promise<void> {
    if (this.links.has(link.flowId)) throw new DuplicateRecoveryLinkError();
    if (this.links.size >= MEMORY_STORE_CAPS.links) this.evictOldestLink();
    const claim = this.orphanClaims.get(link.flowId)?.claim ?? null;
    this.orphanClaims.delete(link.flowId);
    this.linksByAge.added(link.flowId);
    this.links.set(link.flowId, {
      link: Object.freeze({ ...link }),
      claim,
      codeAttempts: 0,
      purgeAt: linkPurgeAt(link, this.retention).getTime(),
    });
    const flowIds = this.linksByIdentity.get(link.identityId) ?? new Set<string>();
    this.linksByIdentity.set(link.identityId, flowIds.add(link.flowId));
  }

  async findStoredRecoveryLink(flowId: string): Promise<NewRecoveryLink | null> {
    return this.links.get(flowId)?.link ?? null;
  }

  async findRecoveryLink(flowId: string): Promise<RecoveryLinkRecord | null> {
    const stored = this.links.get(flowId);
    if (stored === undefined) return null;
    const { claim } = stored;
    return {
      ...stored.link,
      usedAt: claim?.outcome === 'redeemed' ? claim.at : null,
      revokedAt: claim?.outcome === 'revoked' ? claim.at : null,
    };
  }

  async readOutstandingSet(identityId: string): Promise<OutstandingSet> {
    const state = this.outstanding.get(identityId);
    return { generation: state?.generation ?? 0, links: [...(state?.links.values() ?? [])] };
  }

  async decideOutstandingSetChange(
    change: OutstandingSetChange,
    flowIds: readonly string[],
    claim: RecoveryLinkClaim,
  ): Promise<OutstandingSetDecision> {
    const state = this.outstanding.get(change.identityId) ?? { generation: 0, links: new Map(), pending: null };
    if (state.pending !== null) return { won: false, winner: state.pending };
    if (change.generation !== state.generation + 1) return { won: false, winner: null };
    state.pending = Object.freeze({ ...change });
    this.outstanding.set(change.identityId, state);
    return { won: true, claimed: this.claim(flowIds, claim) };
  }

  async applyOutstandingSetChange(change: OutstandingSetChange): Promise<void> {
    const state = this.outstanding.get(change.identityId);
    if (state === undefined || state.pending?.generation !== change.generation) return;
    state.generation = change.generation;
    state.pending = null;
    if (change.added !== null) state.links.set(change.added.flowId, Object.freeze({ ...change.added }));
    for (const flowId of change.dropped) state.links.delete(flowId);
    this.forgetIfEmpty(change.identityId, state);
  }

  /**
   * An empty set with nothing pending starts again from generation 0: every change of it
   * was decided here, so no stale decision can meet the new ones.
   */
  private forgetIfEmpty(identityId: string, state: OutstandingState): void {
    if (state.links.size === 0 && state.pending === null) this.outstanding.delete(identityId);
  }

  async listOutstandingRecoveryLinks(identityId: string, now: Date): Promise<OutstandingRecoveryLink[]> {
    const state = this.outstanding.get(identityId);
    if (state === undefined) return [];
    const outstanding: OutstandingRecoveryLink[] = [];
    for (const [flowId, link] of state.links) {
      // Expired entries leave the index as they are met; a set entry whose link never
      // came to be stored (a creation that failed half-way) is not outstanding either.
      if (link.expiresAt <= now) state.links.delete(flowId);
      else if (this.links.has(flowId) && this.links.get(flowId)!.claim === null) outstanding.push(link);
    }
    this.forgetIfEmpty(identityId, state);
    return outstanding;
  }

  async countOutstandingRecoveryLinks(identityIds: readonly string[], now: Date): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const identityId of identityIds) {
      const count = (await this.listOutstandingRecoveryLinks(identityId, now)).length;
      if (count > 0) counts.set(identityId, count);
    }
    return counts;
  }

  async claimRecoveryLinks(flowIds: readonly string[], claim: RecoveryLinkClaim): Promise<string[]> {
    return this.claim(flowIds, claim);
  }

  /** Synchronous, so a decision and its claims are one step. */
  private claim(flowIds: readonly string[], claim: RecoveryLinkClaim): string[] {
    const claimed: string[] = [];
    for (const flowId of flowIds) {
      const stored = this.links.get(flowId);
      if (stored === undefined) {
        // A claim for a link not stored (yet, or any more) still wins once, as a unique
        // insert would; it is kept as long as a claim must be, within the links cap.
        if (this.orphanClaims.has(flowId)) continue;
        if (this.orphanClaims.size >= MEMORY_STORE_CAPS.links) {
          this.orphanClaims.delete(this.orphanClaimsByAge.takeOldest()!);
        }
        this.orphanClaimsByAge.added(flowId);
        this.orphanClaims.set(flowId, {
          claim: Object.freeze({ ...claim }),
          purgeAt: claimPurgeAt(claim.at, this.retention).getTime(),
        });
      } else {
        if (stored.claim !== null) continue;
        stored.claim = Object.freeze({ ...claim });
      }
      this.outstanding.get(claim.identityId)?.links.delete(flowId);
      claimed.push(flowId);
    }
    return claimed;
  }

  async countCodeAttempt(
    flow: Pick<NewRecoveryLink, 'flowId'>,
    maxAttempts: number,
    _at: Date,
  ): Promise<CodeAttemptDecision> {
    const stored = this.links.get(flow.flowId);
    // A flow evicted since it was read takes no more attempts: failing closed.
    if (stored === undefined || stored.codeAttempts >= maxAttempts) return { counted: false };
    stored.codeAttempts++;
    return { counted: true, attempt: stored.codeAttempts };
  }

  async consumeRateLimit(bucket: RateLimitBucket, key: string, limit: RateLimit, now: Date): Promise<RateDecision> {
    let windows = this.rateWindows.get(bucket);
    if (windows === undefined) {
      windows = new BoundedRateWindows(MEMORY_STORE_CAPS.rateWindows);
      this.rateWindows.set(bucket, windows);
    }
    return windows.consume(key, limit, now);
  }

  async recordFailure(event: RecoveryEvent): Promise<void> {
    const { key, windowStart } = failureKey(event);
    const existing = this.failures.get(key);
    if (existing !== undefined) {
      this.failures.set(key, { ...existing, count: existing.count + 1 });
      return;
    }
    if (this.failures.size >= MEMORY_STORE_CAPS.failures) {
      this.failures.delete(this.failuresByAge.takeOldest()!);
    }
    this.failuresByAge.added(key);
    const purgeAt = windowStart + FAILURE_WINDOW_MILLISECONDS + this.retention.eventMilliseconds;
    this.failures.set(key, { ...event, count: 1, purgeAt });
  }

  async listEvents(identityId: string, limit: number): Promise<RecoveryEvent[]> {
    const events: RecoveryEvent[] = [];
    for (const flowId of this.linksByIdentity.get(identityId) ?? []) {
      const { link, claim } = this.links.get(flowId)!;
      events.push(auditEntry('created', link, link, link.createdAt));
      if (claim !== null)
        events.push(auditEntry(claim.outcome, { ...link, identityId: claim.identityId }, claim, claim.at));
    }
    for (const { purgeAt: _purgeAt, ...failure } of this.failures.values()) {
      if (failure.identityId === identityId) events.push(failure);
    }
    return events.sort(newestFirst).slice(0, limit);
  }

  async purgeExpired(now: Date, batchSize: number): Promise<number> {
    const due = now.getTime();
    let purged = 0;
    let budget = batchSize;
    for (const [flowId, { purgeAt }] of this.links) {
      if (budget <= 0) break;
      if (purgeAt > due) continue;
      this.deleteLink(flowId);
      budget--;
      purged++;
    }
    for (const map of [this.orphanClaims, this.failures] as Map<string, { purgeAt: number }>[]) {
      budget = batchSize;
      for (const [key, { purgeAt }] of map) {
        if (budget <= 0) break;
        if (purgeAt > due) continue;
        map.delete(key);
        budget--;
        purged++;
      }
    }
    return purged;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}

  private evictOldestLink(): void {
    const oldest = this.linksByAge.takeOldest();
    if (oldest !== undefined) this.deleteLink(oldest);
  }

  /** A link and everything that indexes it. */
  private deleteLink(flowId: string): void {
    const stored = this.links.get(flowId);
    if (stored === undefined) return;
    const { identityId } = stored.link;
    this.links.delete(flowId);
    const outstanding = this.outstanding.get(identityId);
    if (outstanding !== undefined) {
      outstanding.links.delete(flowId);
      this.forgetIfEmpty(identityId, outstanding);
    }
    const flowIds = this.linksByIdentity.get(identityId);
    flowIds?.delete(flowId);
    if (flowIds?.size === 0) this.linksByIdentity.delete(identityId);
  }
}

function auditEntry(
  type: RecoveryEvent['type'],
  flow: Pick<NewRecoveryLink, 'identityId' | 'flowId' | 'method'>,
  origin: { requestId: string; actor: string | null; clientAddress: string | null },
  at: Date,
): RecoveryEvent {
  const { requestId, actor, clientAddress } = origin;
  const { identityId, flowId, method } = flow;
  return { type, method, identityId, flowId, errorId: null, actor, requestId, clientAddress, at, count: 1 };
}
