import {
  DuplicateRecoveryLinkError,
  currentWindow,
  type RateDecision,
  type RateLimit,
  type RateLimitBucket,
  type RecoveryEvent,
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
/** Past this many tracked windows, ended ones are dropped before a new one is added. */
const MAX_RATE_WINDOWS = 10_000;

export class MemoryRecoveryStore implements RecoveryStore {
  private readonly identities = new Map<string, Identity>();
  private readonly linksByFlowId = new Map<string, NewRecoveryLink>();
  private readonly tokenHashes = new Set<string>();
  /** Flow ids per identity, so finding an identity's links does not scan every link. */
  private readonly flowIdsByIdentity = new Map<string, Set<string>>();
  private readonly claims = new Map<string, RecoveryLinkClaim>();
  private readonly events: RecoveryEvent[] = [];
  /** Per bucket and key: the current window and how much of it is used. */
  private readonly rateWindows = new Map<string, { start: number; end: number; count: number }>();

  constructor(identities: Iterable<Identity> = []) {
    for (const identity of identities) this.identities.set(identity.id, Object.freeze({ ...identity }));
  }

  async findIdentity(id: string): Promise<Identity | null> {
    return this.identities.get(id) ?? null;
  }

  async findIdentities(ids: readonly string[]): Promise<Identity[]> {
    return ids.flatMap((id) => this.identities.get(id) ?? []);
  }

  async insertRecoveryLink(link: NewRecoveryLink): Promise<void> {
    if (this.linksByFlowId.has(link.flowId) || this.tokenHashes.has(link.tokenHash)) {
      throw new DuplicateRecoveryLinkError();
    }
    this.linksByFlowId.set(link.flowId, Object.freeze({ ...link }));
    this.tokenHashes.add(link.tokenHash);
    const flowIds = this.flowIdsByIdentity.get(link.identityId) ?? new Set<string>();
    this.flowIdsByIdentity.set(link.identityId, flowIds.add(link.flowId));
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
    for (const flowId of this.flowIdsByIdentity.get(identityId) ?? []) {
      const link = this.linksByFlowId.get(flowId)!;
      if (link.expiresAt > now && !this.claims.has(flowId)) outstanding.push({ flowId, createdAt: link.createdAt });
    }
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
    const claimed: string[] = [];
    for (const flowId of flowIds) {
      if (this.claims.has(flowId)) continue;
      this.claims.set(flowId, Object.freeze({ ...claim }));
      claimed.push(flowId);
    }
    return claimed;
  }

  async consumeRateLimit(bucket: RateLimitBucket, key: string, limit: RateLimit, now: Date): Promise<RateDecision> {
    const window = currentWindow(limit, now);
    const id = `${bucket}|${key}`;
    const entry = this.rateWindows.get(id);
    const count = entry !== undefined && entry.start === window.start ? entry.count : 0;
    if (count >= limit.limit) return { allowed: false, retryAfterSeconds: window.retryAfterSeconds };
    if (entry === undefined && this.rateWindows.size >= MAX_RATE_WINDOWS) this.forgetEndedWindows(now);
    this.rateWindows.set(id, { start: window.start, end: window.start + limit.windowMilliseconds, count: count + 1 });
    return { allowed: true };
  }

  /** Keeps memory bounded under many distinct clients: ended windows count for nothing. */
  private forgetEndedWindows(now: Date): void {
    for (const [id, entry] of this.rateWindows) {
      if (entry.end <= now.getTime()) this.rateWindows.delete(id);
    }
  }

  async recordEvents(events: readonly RecoveryEvent[]): Promise<void> {
    this.events.push(...events.map((event) => Object.freeze({ ...event })));
  }

  async listEvents(identityId: string, limit: number): Promise<RecoveryEvent[]> {
    const newestFirst: RecoveryEvent[] = [];
    for (let i = this.events.length - 1; i >= 0 && newestFirst.length < limit; i--) {
      if (this.events[i]!.identityId === identityId) newestFirst.push(this.events[i]!);
    }
    return newestFirst;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}
}
