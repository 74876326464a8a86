import {
  MongoBulkWriteError,
  MongoClient,
  MongoServerError,
  UUID,
  type Collection,
  type Db,
  type Document,
} from 'mongodb';
import {
  DuplicateRecoveryLinkError,
  StoreUnavailableError,
  claimPurgeAt,
  linkPurgeAt,
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
import { MongoRateLimiter, type RateSlotDocument } from './mongo-rate-limit.js';
import type { CommandListeners } from '../observability/command-spans.js';
import { FAILURE_WINDOW_MILLISECONDS, failureKey, newestFirst } from './shared.js';

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

/** A link, and the `created` entry of the audit trail. `_id` is the flow id. */
interface LinkDocument {
  _id: string;
  identityId: string;
  tokenHash: string;
  createdAt: Date;
  expiresAt: Date;
  requestId: string;
  actor: string | null;
  clientAddress: string | null;
  purgeAt: Date;
}

/**
 * One per link that was redeemed or revoked, and its audit entry; `_id` is the flow id, so
 * a second claim fails. The claim decides: the link document is never updated.
 */
interface ClaimDocument {
  _id: string;
  outcome: RecoveryLinkClaim['outcome'];
  identityId: string;
  at: Date;
  requestId: string;
  actor: string | null;
  clientAddress: string | null;
  purgeAt: Date;
}

/**
 * An identity's outstanding set: `_id` is the identity id, `links` maps flow ids to when
 * they were created and expire, `generation` counts its changes (absent in sets written
 * before there were generations: 0). A hint (claims decide) that holds only links not
 * yet claimed, and outlives the decisions of its changes (see applyOutstandingSetChange).
 */
interface OutstandingSetDocument {
  _id: string;
  generation?: number;
  links: Record<string, { createdAt: Date; expiresAt: Date }>;
  purgeAt: Date;
}

/**
 * The decision of one change of an outstanding set, in the claims collection so that it
 * and the claims it makes are one insert: `_id` is the identity id, `#` and the
 * generation, so a second decision of that generation fails. It has no `identityId`
 * field, so the audit trail never reads it.
 */
interface DecisionDocument {
  _id: string;
  change: {
    generation: number;
    added: { flowId: string; createdAt: Date; expiresAt: Date } | null;
    dropped: string[];
    at: Date;
  };
  purgeAt: Date;
}

/** Failures, one document per who, what and window, counted (see recordFailure). */
interface FailureDocument extends Omit<RecoveryEvent, 'count'> {
  _id: string;
  count: number;
  purgeAt: Date;
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
    private readonly decisions: Collection<DecisionDocument>,
    private readonly outstanding: Collection<OutstandingSetDocument>,
    private readonly failures: Collection<FailureDocument>,
    private readonly rateSlots: Collection<RateSlotDocument>,
    private readonly retention: RetentionPolicy,
    /** True when the server removes what is due itself; else purgeExpired does. */
    readonly expiresByItself: boolean,
  ) {
    this.rateLimiter = new MongoRateLimiter(rateSlots);
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
          tokenHash: link.tokenHash,
          createdAt: link.createdAt,
          expiresAt: link.expiresAt,
          requestId: link.requestId,
          actor: link.actor,
          clientAddress: link.clientAddress,
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
    return this.unlessUnreachable(async () => {
      const set = await this.outstanding.findOne({ _id: identityId });
      return { generation: set?.generation ?? 0, links: entriesOf(set) };
    });
  }

  decideOutstandingSetChange(
    change: OutstandingSetChange,
    flowIds: readonly string[],
    claim: RecoveryLinkClaim,
  ): Promise<OutstandingSetDecision> {
    return this.unlessUnreachable(async () => {
      const _id = `${change.identityId}#${change.generation}`;
      const purgeAt = claimPurgeAt(claim.at, this.retention);
      const decision: DecisionDocument = { _id, change: decisionOf(change), purgeAt };
      const claims = flowIds.map((flowId) => ({ _id: flowId, ...claim, purgeAt }));
      try {
        // Ordered, decision first: a lost decision claims nothing. FerretDB inserts the
        // batch as one statement in one transaction, so the usual case is one write.
        await this.decisions.insertMany([decision, ...(claims as never[])], { ordered: true });
        return { won: true, claimed: [...flowIds] };
      } catch (error) {
        const lost = duplicateKeyErrors(error);
        if (lost === null) throw error;
        const first = Math.min(...lost);
        if (first === 0) {
          const winner = await this.decisions.findOne({ _id });
          return { won: false, winner: winner === null ? null : changeOf(change.identityId, winner) };
        }
        // Decided, but flowIds[first - 1] was claimed before (a race), and an ordered
        // insert stopped there: the rest are claimed one by one.
        const rest = await this.claimRecoveryLinks(flowIds.slice(first), claim);
        return { won: true, claimed: [...flowIds.slice(0, first - 1), ...rest] };
      }
    });
  }

  applyOutstandingSetChange(change: OutstandingSetChange): Promise<void> {
    return this.unlessUnreachable(async () => {
      const { identityId, generation, added, dropped } = change;
      // Only onto the generation it was planned on, so applying twice, or late, is a no-op.
      const filter =
        generation === 1
          ? { _id: identityId, generation: { $exists: false } }
          : { _id: identityId, generation: generation - 1 };
      const update = {
        $set: {
          generation,
          ...(added === null
            ? {}
            : { [`links.${added.flowId}`]: { createdAt: added.createdAt, expiresAt: added.expiresAt } }),
        },
        // Outlives the decisions (kept as long as claims), so its generations never restart
        // while an old decision could still be met.
        $max: { purgeAt: claimPurgeAt(change.at, this.retention) },
        ...(dropped.length === 0
          ? {}
          : { $unset: Object.fromEntries(dropped.map((flowId) => [`links.${flowId}`, ''])) }),
      };
      try {
        await this.outstanding.updateOne(filter as never, update as never, { upsert: generation === 1 });
      } catch (error) {
        // The first change, applied already: the upsert found no set without generation.
        if (!(error instanceof MongoServerError && error.code === DUPLICATE_KEY)) throw error;
      }
    });
  }

  listOutstandingRecoveryLinks(identityId: string, now: Date): Promise<OutstandingRecoveryLink[]> {
    return this.unlessUnreachable(async () => {
      const set = await this.readOutstandingSet(identityId);
      return this.unclaimed(set.links.filter((link) => link.expiresAt > now));
    });
  }

  async countOutstandingRecoveryLinks(identityIds: readonly string[], now: Date): Promise<Map<string, number>> {
    const counts = await Promise.all(
      identityIds.map(async (id) => [id, (await this.listOutstandingRecoveryLinks(id, now)).length] as const),
    );
    return new Map(counts.filter(([, count]) => count > 0));
  }

  /** The set is small (trimmed), so one `_id` lookup per entry, in parallel. */
  private async unclaimed(links: OutstandingRecoveryLink[]): Promise<OutstandingRecoveryLink[]> {
    const claims = await Promise.all(
      links.map((link) => this.claims.findOne({ _id: link.flowId }, { projection: { _id: 1 } })),
    );
    return links.filter((_link, index) => claims[index] === null);
  }

  claimRecoveryLinks(flowIds: readonly string[], claim: RecoveryLinkClaim): Promise<string[]> {
    return this.unlessUnreachable(async () => {
      if (flowIds.length === 0) return [];
      const purgeAt = claimPurgeAt(claim.at, this.retention);
      const documents = flowIds.map((flowId) => ({ _id: flowId, ...claim, purgeAt }));
      let lost = new Set<number>();
      try {
        // Unordered: one link claimed elsewhere must not stop the others being claimed.
        await this.claims.insertMany(documents, { ordered: false });
      } catch (error) {
        const writeErrors = duplicateKeyErrors(error);
        if (writeErrors === null) throw error;
        lost = new Set(writeErrors);
      }
      return flowIds.filter((_flowId, index) => !lost.has(index));
    });
  }

  consumeRateLimit(bucket: RateLimitBucket, key: string, limit: RateLimit, now: Date): Promise<RateDecision> {
    return this.unlessUnreachable(() => this.rateLimiter.consume(bucket, key, limit, now));
  }

  recordFailure(event: RecoveryEvent): Promise<void> {
    return this.unlessUnreachable(async () => {
      const { key, windowStart } = failureKey(event);
      const { count: _count, ...fields } = event;
      // An upsert by `_id`: however many attempts, one document per who, what and window.
      // (On FerretDB $inc reads then writes, so racing replicas may undercount; the
      // document still exists, which is what an investigation needs.)
      await retryRacedUpsert(() =>
        this.failures.updateOne(
          { _id: key },
          {
            $setOnInsert: {
              ...fields,
              purgeAt: new Date(windowStart + FAILURE_WINDOW_MILLISECONDS + this.retention.eventMilliseconds),
            },
            $inc: { count: 1 },
          },
          { upsert: true },
        ),
      );
    });
  }

  /**
   * The audit trail is read from where each entry lives: links (created), claims
   * (redeemed, revoked) and failures. An admin query, served by the identityId indexes on
   * MongoDB; FerretDB scans for it, which no request of the hot paths does.
   */
  listEvents(identityId: string, limit: number): Promise<RecoveryEvent[]> {
    return this.unlessUnreachable(async () => {
      const [links, claims, failures] = await Promise.all([
        this.links.find({ identityId }).sort({ createdAt: -1 }).limit(limit).toArray(),
        this.claims.find({ identityId }).sort({ at: -1 }).limit(limit).toArray(),
        this.failures.find({ identityId }).sort({ at: -1 }).limit(limit).toArray(),
      ]);
      const events: RecoveryEvent[] = [
        ...links.map((link) => ({
          type: 'created' as const,
          identityId: link.identityId,
          flowId: link._id,
          errorId: null,
          actor: link.actor,
          requestId: link.requestId,
          clientAddress: link.clientAddress,
          at: link.createdAt,
          count: 1,
        })),
        ...claims.map((claim) => ({
          type: claim.outcome,
          identityId: claim.identityId,
          flowId: claim._id,
          errorId: null,
          actor: claim.actor,
          requestId: claim.requestId,
          clientAddress: claim.clientAddress,
          at: claim.at,
          count: 1,
        })),
        ...failures.map(({ type, identityId, flowId, errorId, actor, requestId, clientAddress, at, count }) => ({
          type,
          identityId,
          flowId,
          errorId,
          actor,
          requestId,
          clientAddress,
          at,
          count,
        })),
      ];
      return events.sort(newestFirst).slice(0, limit);
    });
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

/**
 * Two upserts of one missing `_id` can both try to insert it; the loser gets a duplicate
 * key error (MongoDB retries some of these itself, FerretDB none). Once the document
 * exists, the same upsert is a plain update, so one retry settles it.
 */
async function retryRacedUpsert<T>(upsert: () => Promise<T>): Promise<T> {
  try {
    return await upsert();
  } catch (error) {
    if (!(error instanceof MongoServerError && error.code === DUPLICATE_KEY)) throw error;
    return upsert();
  }
}

/** The indexes of the documents a bulk insert lost to duplicate keys; null for any other failure. */
function duplicateKeyErrors(error: unknown): number[] | null {
  if (!(error instanceof MongoBulkWriteError) || isConnectionLoss(error)) return null;
  const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
  if (writeErrors.length === 0 || writeErrors.some((writeError) => writeError.code !== DUPLICATE_KEY)) return null;
  return writeErrors.map((writeError) => writeError.index);
}

function decisionOf(change: OutstandingSetChange): DecisionDocument['change'] {
  const { generation, added, dropped, at } = change;
  return { generation, added: added === null ? null : { ...added }, dropped: [...dropped], at };
}

function changeOf(identityId: string, decision: DecisionDocument): OutstandingSetChange {
  const { generation, added, dropped, at } = decision.change;
  return { identityId, generation, added, dropped, at };
}

function entriesOf(set: OutstandingSetDocument | null): OutstandingRecoveryLink[] {
  return Object.entries(set?.links ?? {}).map(([flowId, { createdAt, expiresAt }]) => ({
    flowId,
    createdAt,
    expiresAt,
  }));
}

function toLink(document: LinkDocument): NewRecoveryLink {
  return {
    flowId: document._id,
    identityId: document.identityId,
    tokenHash: document.tokenHash,
    createdAt: document.createdAt,
    expiresAt: document.expiresAt,
    requestId: document.requestId,
    actor: document.actor ?? null,
    clientAddress: document.clientAddress ?? null,
  };
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
