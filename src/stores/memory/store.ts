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
} from '../../recovery/index.js';
import { MemoryAudit } from './audit.js';
import { DEFAULT_RETENTION } from './caps.js';
import { MemoryIdentities } from './identities.js';
import { MemoryLinksAndClaims } from './links-and-claims.js';
import { MemoryMaintenance } from './maintenance.js';
import { MemoryRateLimits } from './rate-limits.js';

/**
 * The embedded store behind `npm start` without MONGODB_URI: everything lives in this
 * process and is gone when it stops. It passes the same contract suite as MongoDB. Its
 * roles (one file each, as the MongoDB store's) are composed here.
 */
export class MemoryRecoveryStore implements RecoveryStore {
  private readonly identities: MemoryIdentities;
  private readonly linksAndClaims: MemoryLinksAndClaims;
  private readonly rateLimits = new MemoryRateLimits();
  private readonly audit: MemoryAudit;
  private readonly maintenance: MemoryMaintenance;

  constructor(identities: Iterable<Identity> = [], retention: RetentionPolicy = DEFAULT_RETENTION) {
    this.identities = new MemoryIdentities(identities);
    this.linksAndClaims = new MemoryLinksAndClaims(retention);
    this.audit = new MemoryAudit(this.linksAndClaims, retention);
    this.maintenance = new MemoryMaintenance([this.linksAndClaims, this.audit]);
  }

  get expiresByItself(): boolean {
    return this.maintenance.expiresByItself;
  }

  findIdentity(id: string): Promise<Identity | null> {
    return this.identities.findIdentity(id);
  }

  findIdentities(ids: readonly string[]): Promise<Identity[]> {
    return this.identities.findIdentities(ids);
  }

  insertRecoveryLink(link: NewRecoveryLink): Promise<void> {
    return this.linksAndClaims.insertRecoveryLink(link);
  }

  findStoredRecoveryLink(flowId: string): Promise<NewRecoveryLink | null> {
    return this.linksAndClaims.findStoredRecoveryLink(flowId);
  }

  findRecoveryLink(flowId: string): Promise<RecoveryLinkRecord | null> {
    return this.linksAndClaims.findRecoveryLink(flowId);
  }

  readOutstandingSet(identityId: string): Promise<OutstandingSet> {
    return this.linksAndClaims.readOutstandingSet(identityId);
  }

  decideOutstandingSetChange(
    change: OutstandingSetChange,
    flowIds: readonly string[],
    claim: RecoveryLinkClaim,
  ): Promise<OutstandingSetDecision> {
    return this.linksAndClaims.decideOutstandingSetChange(change, flowIds, claim);
  }

  applyOutstandingSetChange(change: OutstandingSetChange): Promise<void> {
    return this.linksAndClaims.applyOutstandingSetChange(change);
  }

  listOutstandingRecoveryLinks(identityId: string, now: Date): Promise<OutstandingRecoveryLink[]> {
    return this.linksAndClaims.listOutstandingRecoveryLinks(identityId, now);
  }

  countOutstandingRecoveryLinks(identityIds: readonly string[], now: Date): Promise<Map<string, number>> {
    return this.linksAndClaims.countOutstandingRecoveryLinks(identityIds, now);
  }

  claimRecoveryLinks(flowIds: readonly string[], claim: RecoveryLinkClaim): Promise<string[]> {
    return this.linksAndClaims.claimRecoveryLinks(flowIds, claim);
  }

  countCodeAttempt(
    flow: Pick<NewRecoveryLink, 'flowId' | 'createdAt' | 'expiresAt'>,
    maxAttempts: number,
    at: Date,
  ): Promise<CodeAttemptDecision> {
    return this.linksAndClaims.countCodeAttempt(flow, maxAttempts, at);
  }

  consumeRateLimit(bucket: RateLimitBucket, key: string, limit: RateLimit, now: Date): Promise<RateDecision> {
    return this.rateLimits.consumeRateLimit(bucket, key, limit, now);
  }

  recordFailure(event: RecoveryEvent): Promise<void> {
    return this.audit.recordFailure(event);
  }

  listEvents(identityId: string, limit: number): Promise<RecoveryEvent[]> {
    return this.audit.listEvents(identityId, limit);
  }

  purgeExpired(now: Date, batchSize: number): Promise<number> {
    return this.maintenance.purgeExpired(now, batchSize);
  }

  ping(): Promise<void> {
    return this.maintenance.ping();
  }

  close(): Promise<void> {
    return this.maintenance.close();
  }
}
