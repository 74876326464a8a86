import {
  MongoBulkWriteError,
  MongoClient,
  MongoError,
  MongoNetworkError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
  UUID,
  type Collection,
  type Db,
  type Document,
} from 'mongodb';
import {
  DuplicateRecoveryLinkError,
  StoreUnavailableError,
  claimPurgeAt,
  currentWindow,
  linkPurgeAt,
  type Identity,
  type IdentityState,
  type NewRecoveryLink,
  type OutstandingRecoveryLink,
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
import type { CommandListeners } from '../observability/command-spans.js';
import { FAILURE_WINDOW_MILLISECONDS, failureKey, newestFirst, RateSlotHints } from './shared.js';

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
 * they were created and expire. A hint (claims decide), bounded by trimming, and purged
 * once the newest link in it has expired.
 */
interface OutstandingSetDocument {
  _id: string;
  links: Record<string, { createdAt: Date; expiresAt: Date }>;
  purgeAt: Date;
}

/**
 * One per request admitted by a rate limit: `_id` is bucket, key, window and slot, so a
 * window holds at most `limit` of them however many processes race for the last slot.
 * (FerretDB's $inc upsert reads then writes; a unique insert is its one atomic step.)
 */
interface RateSlotDocument {
  _id: string;
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
  private readonly rateSlotHints = new RateSlotHints();
  /** Which form the deployment's identity ids take, learned from the last one found. */
  private identityIdsAreUuids = false;

  private constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
    private readonly identities: Collection<IdentityDocument>,
    private readonly links: Collection<LinkDocument>,
    private readonly claims: Collection<ClaimDocument>,
    private readonly outstanding: Collection<OutstandingSetDocument>,
    private readonly failures: Collection<FailureDocument>,
    private readonly rateSlots: Collection<RateSlotDocument>,
    private readonly retention: RetentionPolicy,
    /** True when the server removes what is due itself; else purgeExpired does. */
    readonly expiresByItself: boolean,
  ) {}

  static async connect(options: MongoStoreOptions): Promise<MongoRecoveryStore> {
    // The driver would wait 30s for a server by default; clients should hear within the
    // configured bound that the database is away, while the driver reconnects on its own.
    const client = new MongoClient(options.uri, {
      appName: 'recovery-link-subgraph',
      serverSelectionTimeoutMS: options.timeoutMilliseconds,
      connectTimeoutMS: options.timeoutMilliseconds,
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

  addOutstandingRecoveryLink(identityId: string, link: OutstandingRecoveryLink): Promise<OutstandingRecoveryLink[]> {
    return this.unlessUnreachable(async () => {
      // One command reads the set as it was and adds to it (atomic on MongoDB; FerretDB
      // reads then writes, so two creations racing for one identity can both survive).
      const before = await retryRacedUpsert(() =>
        this.outstanding.findOneAndUpdate(
          { _id: identityId },
          {
            $set: { [`links.${link.flowId}`]: { createdAt: link.createdAt, expiresAt: link.expiresAt } },
            $max: { purgeAt: link.expiresAt },
          },
          { upsert: true, returnDocument: 'before' },
        ),
      );
      return entriesOf(before);
    });
  }

  forgetOutstandingRecoveryLinks(identityId: string, flowIds: readonly string[]): Promise<void> {
    return this.unlessUnreachable(async () => {
      if (flowIds.length === 0) return;
      await this.outstanding.updateOne(
        { _id: identityId },
        { $unset: Object.fromEntries(flowIds.map((flowId) => [`links.${flowId}`, ''])) },
      );
    });
  }

  readOutstandingSet(identityId: string): Promise<OutstandingRecoveryLink[]> {
    return this.unlessUnreachable(async () => entriesOf(await this.outstanding.findOne({ _id: identityId })));
  }

  listOutstandingRecoveryLinks(identityId: string, now: Date): Promise<OutstandingRecoveryLink[]> {
    return this.unlessUnreachable(async () => {
      const set = await this.readOutstandingSet(identityId);
      return this.unclaimed(set.filter((link) => link.expiresAt > now));
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
    return this.unlessUnreachable(async () => {
      const window = currentWindow(limit, now);
      const windowKey = `${bucket}|${key}|${window.start}`;
      const purgeAt = new Date(window.start + limit.windowMilliseconds);
      // Probe slots by `_id`, each reserved in this process first (see RateSlotHints).
      const until = purgeAt.getTime();
      for (let slot = this.rateSlotHints.reserve(windowKey, until); slot < limit.limit;) {
        try {
          await this.rateSlots.insertOne({ _id: `${windowKey}|${slot}`, purgeAt });
          return { allowed: true };
        } catch (error) {
          if (!(error instanceof MongoServerError && error.code === DUPLICATE_KEY)) throw error;
          slot = this.rateSlotHints.reserve(windowKey, until);
        }
      }
      return { allowed: false, retryAfterSeconds: window.retryAfterSeconds };
    });
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
    try {
      return await operation();
    } catch (error) {
      throw isConnectionLoss(error) ? new StoreUnavailableError(error) : error;
    }
  }

  async close(): Promise<void> {
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
 * Every failure that means "the server could not be reached, or the connection was lost":
 * selection, network and closed-topology errors, and errors the driver labels as
 * connection-level (a write whose connection broke surfaces as a bulk write error whose
 * cause is a network error).
 */
export function isConnectionLoss(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    if (
      current instanceof MongoServerSelectionError ||
      current instanceof MongoNetworkError ||
      current instanceof MongoTopologyClosedError ||
      (current instanceof MongoError &&
        (current.hasErrorLabel('ResetPool') || current.hasErrorLabel('PoolRequestedRetry')))
    ) {
      return true;
    }
    current = current.cause;
  }
  return false;
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
