import type {
  AuditStore,
  CodeAttemptDecision,
  CodeAttemptStore,
  CreationWrites,
  Identity,
  IdentityReader,
  NewRecoveryLink,
  OutstandingRecoveryLink,
  OutstandingSet,
  OutstandingSetChange,
  OutstandingSetDecision,
  RateDecision,
  RateLimit,
  RateLimitRequest,
  RateLimitBucket,
  RateLimitStore,
  RecoveryEvent,
  RecoveryLinkClaim,
  RecoveryLinkRecord,
  RecoveryLinkStore,
  RecoveryStore,
  StoreMaintenance,
} from '../recovery/index.js';

/**
 * What both stores answer beyond the domain's roles: the outstanding links themselves
 * (the domain only counts them), for the contract suite and for an operator's tooling.
 */
export interface InspectableRecoveryStore extends RecoveryStore {
  /** The identity's links that expire after `now` and have not been claimed. */
  listOutstandingRecoveryLinks(identityId: string, now: Date): Promise<OutstandingRecoveryLink[]>;
}

/** The roles a store is made of, one file each in `mongo/` and `memory/` alike. */
export interface StoreRoles {
  readonly identities: IdentityReader;
  readonly linksAndClaims: RecoveryLinkStore &
    CodeAttemptStore &
    Pick<InspectableRecoveryStore, 'listOutstandingRecoveryLinks'>;
  readonly rateLimits: RateLimitStore;
  readonly audit: AuditStore;
  readonly maintenance: StoreMaintenance;
}

/**
 * A whole store answered by its roles: each store builds its own roles and hands them
 * here, so the two stores differ only in how they build them.
 */
export class ComposedRecoveryStore implements InspectableRecoveryStore {
  protected readonly identities: StoreRoles['identities'];
  protected readonly linksAndClaims: StoreRoles['linksAndClaims'];
  protected readonly rateLimits: StoreRoles['rateLimits'];
  protected readonly audit: StoreRoles['audit'];
  protected readonly maintenance: StoreRoles['maintenance'];

  protected constructor(roles: StoreRoles) {
    ({
      identities: this.identities,
      linksAndClaims: this.linksAndClaims,
      rateLimits: this.rateLimits,
      audit: this.audit,
      maintenance: this.maintenance,
    } = roles);
  }

  /** True when the database removes what is due itself; else a sweeper calls purgeExpired. */
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
    creation: CreationWrites | null = null,
  ): Promise<OutstandingSetDecision> {
    return this.linksAndClaims.decideOutstandingSetChange(change, flowIds, claim, creation);
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

  knownRateLimitWait(request: RateLimitRequest): number | null {
    return this.rateLimits.knownRateLimitWait(request);
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
