import { MongoClient, MongoServerError, UUID, type Collection, type Db, type Document } from 'mongodb';
import {
  DuplicateRecoveryLinkError,
  StoreUnavailableError,
  linkPurgeAt,
  type CodeAttemptDecision,
  type Identity,
  type IdentityState,
  type NewRecoveryLink,
  type OutstandingRecoveryLink,
  type OutstandingSet,
  type OutstandingSetChange,
  type OutstandingSetDecision,
  type RateDecision,
  type RateLimit,
  type RateLimitBucket,
  type RecoveryEvent,
  type RecoveryLinkClaim,
  type RecoveryLinkRecord,
  type RecoveryStore,
  type RetentionPolicy,
} from '../recovery/index.js';
import type { Logger } from '../logger.js';
import { isConnectionLoss } from './connection-loss.js';
import { MongoAudit, toLink, type FailureDocument, type LinkDocument } from './mongo-audit.js';
import { MongoCodeAttempts, type CodeAttemptDocument } from './mongo-code-attempts.js';
import {
  MongoOutstandingSets,
  type ClaimDocument,
  type DecisionDocument,
  type OutstandingSetDocument,
} from './mongo-outstanding-sets.js';
import { MongoRateLimiter, type RateSlotDocument } from './mongo-rate-limit.js';
import type { CommandListeners } from '../observability/command-spans.js';

/**
 * Key-value access, so that no request costs more because of how much is stored: every
 * command of create, redeem and revoke is an insert, or a find or update by `_id` alone.
 * That is what MongoDB serves from its primary index everywhere (a sharded cluster routes
 * it to one shard), and the only filter FerretDB v1 turns into an indexed lookup: it
 * pushes down equality on string `_id`s but neither `$in` nor binary (UUID) values, and
 * scans the collection for anything else. So every `_id` this store writes is a string.
 */

/** Identities as Kratos-style deployments keep them; only `_id` is guaranteed. */
interface IdentityDocument {
  _id: UUID | string;
  state?: unknown;
  schema_id?: unknown;
  traits?: unknown;
  created_at?: unknown;
  updated_at?: unknown;
}

export interface MongoStoreOptions {
  readonly uri: string;
  readonly database: string;
  readonly identitiesCollection: string;
  readonly recoveryLinksCollection: string;
  /** How long an operation waits for a reachable server before giving up. */
  readonly timeoutMilliseconds: number;
  readonly retention: RetentionPolicy;
  readonly logger: Logger;
  /** Called for every command sent to the server (the driver's command monitoring). */
  readonly onCommand?: (commandName: string, command: Document) => void;
  /** Every command's start, reply and failure (tracing's command spans). */
  readonly commandListeners?: CommandListeners;
}

const DUPLICATE_KEY = 11000;
const NOT_IMPLEMENTED = 238;

export class MongoRecoveryStore implements RecoveryStore {
  private readonly rateLimiter: MongoRateLimiter;
  private readonly sets: MongoOutstandingSets;
  private readonly audit: MongoAudit;
  private readonly codeAttempts: MongoCodeAttempts;
  /** Operations under way, for close. */
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Which form the deployment's identity ids take, learned from the last one found. */
  private identityIdsAreUuids = false;

  private constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
    private readonly identities: Collection<IdentityDocument>,
    private readonly links: Collection<LinkDocument>,
    private readonly claims: Collection<ClaimDocument>,
    decisions: Collection<DecisionDocument>,
    private readonly outstanding: Collection<OutstandingSetDocument>,
    private readonly failures: Collection<FailureDocument>,
    private readonly rateSlots: Collection<RateSlotDocument>,
    private readonly retention: RetentionPolicy,
    /** True when the server removes what is due itself; else purgeExpired does. */
    readonly expiresByItself: boolean,
  ) {
    this.rateLimiter = new MongoRateLimiter(rateSlots);
    const unlessUnreachable = <T>(operation: () => Promise<T>): Promise<T> => this.unlessUnreachable(operation);
    this.sets = new MongoOutstandingSets(claims, decisions, outstanding, retention, unlessUnreachable);
    this.audit = new MongoAudit(links, claims, failures, retention, unlessUnreachable);
    const attempts = claims as unknown as Collection<CodeAttemptDocument>;
    this.codeAttempts = new MongoCodeAttempts(attempts, retention, unlessUnreachable);
  }

  static async connect(options: MongoStoreOptions): Promise<MongoRecoveryStore> {
    // The driver would wait 30s for a server by default; clients should hear within the
    // configured bound that the database is away, while the driver reconnects on its own.
    // A server that accepts connections but never answers (frozen, or a black-holed
    // network) needs the other two bounds: waiting for an answer (socketTimeoutMS) and
    // for a free connection while the others wait (waitQueueTimeoutMS). Without them
    // requests waited until a heartbeat failed, about 10s. (Driver 7 ignores timeoutMS.)
    const client = new MongoClient(options.uri, {
      appName: 'recovery-link-subgraph',
      serverSelectionTimeoutMS: options.timeoutMilliseconds,
      connectTimeoutMS: options.timeoutMilliseconds,
      socketTimeoutMS: options.timeoutMilliseconds,
      waitQueueTimeoutMS: options.timeoutMilliseconds,
      monitorCommands: options.onCommand !== undefined || options.commandListeners !== undefined,
    });
    const { onCommand, commandListeners } = options;
    if (onCommand !== undefined) client.on('commandStarted', (event) => onCommand(event.commandName, event.command));
    if (commandListeners !== undefined) {
      client.on('commandStarted', (event) => commandListeners.started(event));
      client.on('commandSucceeded', (event) => commandListeners.succeeded(event));
      client.on('commandFailed', (event) => commandListeners.failed(event));
    }
    await client.connect();
    try {
      const db = client.db(options.database);
      const collections = {
        identities: db.collection<IdentityDocument>(options.identitiesCollection),
        links: db.collection<LinkDocument>(options.recoveryLinksCollection),
        claims: db.collection<ClaimDocument>(`${options.recoveryLinksCollection}_claims`),
        decisions: db.collection<DecisionDocument>(`${options.recoveryLinksCollection}_claims`),
        outstanding: db.collection<OutstandingSetDocument>(`${options.recoveryLinksCollection}_outstanding`),
        failures: db.collection<FailureDocument>('recovery_events'),
        rateSlots: db.collection<RateSlotDocument>('rate_limit_slots'),
      };
      const expiresByItself = await ensureIndexes(collections, options.logger);
      return new MongoRecoveryStore(
        client,
        db,
        collections.identities,
        collections.links,
        collections.claims,
        collections.decisions,
        collections.outstanding,
        collections.failures,
        collections.rateSlots,
        options.retention,
        expiresByItself,
      );
    } catch (error) {
      await client.close();
      throw error;
    }
  }

  findIdentity(id: string): Promise<Identity | null> {
    return this.unlessUnreachable(async () => {
      // Deployments store `_id` either as a BSON UUID (binary subtype 4) or as the
      // canonical string. `$in` with both would be one command, but FerretDB scans for
      // `$in`; asking in the form last seen first makes it one lookup in the steady state.
      const forms: [UUID | string, UUID | string] = this.identityIdsAreUuids ? [new UUID(id), id] : [id, new UUID(id)];
      for (const _id of forms) {
        const document = await this.identities.findOne({ _id });
        if (document !== null) {
          this.identityIdsAreUuids = typeof document._id !== 'string';
          return toIdentity(id, document);
        }
      }
      return null;
    });
  }

  async findIdentities(ids: readonly string[]): Promise<Identity[]> {
    // One lookup per id, in parallel: each is served by the primary key on every server.
    const found = await Promise.all([...new Set(ids)].map((id) => this.findIdentity(id)));
    return found.filter((identity) => identity !== null);
  }

  insertRecoveryLink(link: NewRecoveryLink): Promise<void> {
    return this.unlessUnreachable(async () => {
      try {
        await this.links.insertOne({
          _id: link.flowId,
          identityId: link.identityId,
          method: link.method,
          tokenHash: link.tokenHash,
          createdAt: link.createdAt,
          expiresAt: link.expiresAt,
          requestId: link.requestId,
          actor: link.actor,
          clientAddress: link.clientAddress,
          returnTo: link.returnTo,
          purgeAt: linkPurgeAt(link, this.retention),
        });
      } catch (error) {
        if (error instanceof MongoServerError && error.code === DUPLICATE_KEY) throw new DuplicateRecoveryLinkError();
        throw error;
      }
    });
  }

  findStoredRecoveryLink(flowId: string): Promise<NewRecoveryLink | null> {
    return this.unlessUnreachable(async () => {
      const document = await this.links.findOne({ _id: flowId });
      return document === null ? null : toLink(document);
    });
  }

  findRecoveryLink(flowId: string): Promise<RecoveryLinkRecord | null> {
    return this.unlessUnreachable(async () => {
      const [document, claim] = await Promise.all([
        this.links.findOne({ _id: flowId }),
        this.claims.findOne({ _id: flowId }),
      ]);
      if (document === null) return null;
      return {
        ...toLink(document),
        usedAt: claim?.outcome === 'redeemed' ? claim.at : null,
        revokedAt: claim?.outcome === 'revoked' ? claim.at : null,
      };
    });
  }

  readOutstandingSet(identityId: string): Promise<OutstandingSet> {
    return this.sets.readOutstandingSet(identityId);
  }

  decideOutstandingSetChange(
    change: OutstandingSetChange,
    flowIds: readonly string[],
    claim: RecoveryLinkClaim,
  ): Promise<OutstandingSetDecision> {
    return this.sets.decideOutstandingSetChange(change, flowIds, claim);
  }

  applyOutstandingSetChange(change: OutstandingSetChange): Promise<void> {
    return this.sets.applyOutstandingSetChange(change);
  }

  listOutstandingRecoveryLinks(identityId: string, now: Date): Promise<OutstandingRecoveryLink[]> {
    return this.sets.listOutstandingRecoveryLinks(identityId, now);
  }

  countOutstandingRecoveryLinks(identityIds: readonly string[], now: Date): Promise<Map<string, number>> {
    return this.sets.countOutstandingRecoveryLinks(identityIds, now);
  }

  claimRecoveryLinks(flowIds: readonly string[], claim: RecoveryLinkClaim): Promise<string[]> {
    return this.sets.claimRecoveryLinks(flowIds, claim);
  }

  countCodeAttempt(
    flow: Pick<NewRecoveryLink, 'flowId' | 'createdAt' | 'expiresAt'>,
    maxAttempts: number,
    at: Date,
  ): Promise<CodeAttemptDecision> {
    return this.codeAttempts.countCodeAttempt(flow, maxAttempts, at);
  }

  consumeRateLimit(bucket: RateLimitBucket, key: string, limit: RateLimit, now: Date): Promise<RateDecision> {
    return this.unlessUnreachable(() => this.rateLimiter.consume(bucket, key, limit, now));
  }

  recordFailure(event: RecoveryEvent): Promise<void> {
    return this.audit.recordFailure(event);
  }

  /** The audit trail (see MongoAudit.listEvents). */
  listEvents(identityId: string, limit: number): Promise<RecoveryEvent[]> {
    return this.audit.listEvents(identityId, limit);
  }

  /**
   * For servers without TTL indexes (FerretDB v1): deletes what is due, a bounded batch per
   * collection. Safe in every replica at once: deleting a deleted document is a no-op.
   */
  purgeExpired(now: Date, batchSize: number): Promise<number> {
    return this.unlessUnreachable(async () => {
      let purged = 0;
      const collections: Collection<{ _id: string; purgeAt: Date }>[] = [
        this.links,
        this.claims,
        this.outstanding,
        this.failures,
        this.rateSlots,
      ] as never;
      for (const collection of collections) {
        const due = await collection
          .find({ purgeAt: { $lte: now } }, { projection: { _id: 1 } })
          .limit(batchSize)
          .toArray();
        if (due.length === 0) continue;
        const result = await collection.deleteMany({
          _id: { $in: due.map((document) => document._id) },
          purgeAt: { $lte: now },
        });
        purged += result.deletedCount;
      }
      return purged;
    });
  }

  ping(): Promise<void> {
    return this.unlessUnreachable(async () => {
      await this.db.command({ ping: 1 });
    });
  }

  /** Turns "the database cannot be reached" into the domain's StoreUnavailableError. */
  private async unlessUnreachable<T>(operation: () => Promise<T>): Promise<T> {
    const running = operation();
    this.inFlight.add(running);
    try {
      return await running;
    } catch (error) {
      throw isConnectionLoss(error) ? new StoreUnavailableError(error) : error;
    } finally {
      this.inFlight.delete(running);
    }
  }

  /**
   * The service drains its requests before it closes the store, but an operation can
   * outlive its request (a response cut off, the sweeper): closing under it would fail it
   * with MongoClientClosedError. Each ends within MONGODB_TIMEOUT, so wait that long at most.
   */
  async close(): Promise<void> {
    if (this.inFlight.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled(this.inFlight),
        new Promise((resolve) => (timer = setTimeout(resolve, this.client.options.socketTimeoutMS))),
      ]);
      clearTimeout(timer);
    }
    await this.client.close();
  }
}

interface StoreCollections {
  readonly links: Collection<LinkDocument>;
  readonly claims: Collection<ClaimDocument>;
  readonly outstanding: Collection<OutstandingSetDocument>;
  readonly failures: Collection<FailureDocument>;
  readonly rateSlots: Collection<RateSlotDocument>;
}

/**
 * Idempotent: createIndex with an identical specification is a no-op on the server.
 * Answers whether the server expires documents itself (TTL indexes).
 */
async function ensureIndexes(collections: StoreCollections, logger: Logger): Promise<boolean> {
  // For the admin's audit query only; no request of the hot paths filters on these.
  await collections.links.createIndex({ identityId: 1, createdAt: -1 }, { name: 'identityId_createdAt' });
  await collections.claims.createIndex({ identityId: 1, at: -1 }, { name: 'identityId_at' });
  await collections.failures.createIndex({ identityId: 1, at: -1 }, { name: 'identityId_at' });
  try {
    // Every document carries the instant it may go; the server deletes it then.
    for (const collection of Object.values(collections) as Collection[]) {
      await collection.createIndex({ purgeAt: 1 }, { expireAfterSeconds: 0, name: 'purgeAt_ttl' });
    }
    return true;
  } catch (error) {
    if (!(error instanceof MongoServerError && error.code === NOT_IMPLEMENTED)) throw error;
    logger.info('this server has no TTL indexes: the service purges what is due itself (STORE_SWEEP_INTERVAL)');
    return false;
  }
}

function toIdentity(id: string, document: IdentityDocument): Identity {
  return {
    id,
    state: toIdentityState(document.state),
    schemaId: typeof document.schema_id === 'string' ? document.schema_id : null,
    traits: isPlainObject(document.traits) ? document.traits : {},
    createdAt: document.created_at instanceof Date ? document.created_at : null,
    updatedAt: document.updated_at instanceof Date ? document.updated_at : null,
  };
}

/** Kratos' states are `active` (the default) and `inactive`; anything unknown fails closed. */
function toIdentityState(state: unknown): IdentityState {
  return state === undefined || state === null || state === 'active' ? 'active' : 'inactive';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
