import {
  DuplicateRecoveryLinkError,
  claimPurgeAt,
  linkPurgeAt,
  type CodeAttemptDecision,
  type CodeAttemptStore,
  type CreationWrites,
  type NewRecoveryLink,
  type OutstandingRecoveryLink,
  type OutstandingSet,
  type OutstandingSetChange,
  type OutstandingSetDecision,
  type RateLimitStore,
  type RecoveryLinkClaim,
  type RecoveryLinkRecord,
  type RecoveryLinkStore,
  type RetentionPolicy,
} from '../../recovery/index.js';
import { MEMORY_STORE_CAPS } from './caps.js';
import { deleteDue, type Purgeable } from './maintenance.js';
import { OldestFirst } from './oldest-first.js';

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
 * The embedded store's links, the claims that end them, the outstanding sets and code
 * attempts. Each method checks and writes without awaiting in between, so on Node's
 * single thread every check-and-write is atomic, as the unique indexes make it in MongoDB.
 */
export class MemoryLinksAndClaims implements RecoveryLinkStore, CodeAttemptStore, Purgeable {
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

  constructor(
    private readonly retention: RetentionPolicy,
    /** A creation's slot is counted where its decision is made (CreationWrites). */
    private readonly rateLimits: RateLimitStore,
  ) {}

  async insertRecoveryLink(link: NewRecoveryLink): Promise<void> {
    this.storeLink(link);
  }

  private storeLink(link: NewRecoveryLink): void {
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
    creation: CreationWrites | null = null,
  ): Promise<OutstandingSetDecision> {
    // In the order of the MongoDB store's one insert: the slot, the decision, its claims, the flow.
    const rate = creation?.rateLimit ?? null;
    if (rate !== null) {
      const counted = await this.rateLimits.consumeRateLimit(rate.bucket, rate.key, rate.limit, rate.now);
      if (!counted.allowed) return { won: false, winner: null, retryAfterSeconds: counted.retryAfterSeconds };
    }
    const lost = (winner: OutstandingSetChange | null) =>
      rate === null ? { won: false as const, winner } : { won: false as const, winner, rateCounted: true as const };
    const state = this.outstanding.get(change.identityId) ?? { generation: 0, links: new Map(), pending: null };
    if (state.pending !== null) return lost(state.pending);
    if (change.generation !== state.generation + 1) return lost(null);
    state.pending = Object.freeze({ ...change });
    this.outstanding.set(change.identityId, state);
    const claimed = this.claim(flowIds, claim);
    if (creation !== null) this.storeLink(creation.link);
    return { won: true, claimed };
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

  /** The identity's stored flows with their claims, for its audit trail. */
  *flowsOf(identityId: string): Generator<{ link: NewRecoveryLink; claim: RecoveryLinkClaim | null }> {
    for (const flowId of this.linksByIdentity.get(identityId) ?? []) yield this.links.get(flowId)!;
  }

  /** Links whose retention ended, then claims without a link, up to `batchSize` of each. */
  purgeExpired(due: number, batchSize: number): number {
    let purged = 0;
    let budget = batchSize;
    for (const [flowId, { purgeAt }] of this.links) {
      if (budget <= 0) break;
      if (purgeAt > due) continue;
      this.deleteLink(flowId);
      budget--;
      purged++;
    }
    return purged + deleteDue(this.orphanClaims, due, batchSize);
  }

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
