import {
  MongoBulkWriteError,
  MongoClient,
  MongoNetworkError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
  UUID,
  type Collection,
  type Db,
} from 'mongodb';
import {
  DuplicateRecoveryLinkError,
  StoreUnavailableError,
  currentWindow,
  type RateDecision,
  type RateLimit,
  type RateLimitBucket,
  type RecoveryEvent,
  type Identity,
  type IdentityState,
  type NewRecoveryLink,
  type OutstandingRecoveryLink,
  type RecoveryLinkClaim,
  type RecoveryLinkRecord,
  type RecoveryStore,
} from '../recovery/index.js';
import type { Logger } from '../logger.js';

/** Identities as Kratos-style deployments keep them; only `_id` is guaranteed. */
interface IdentityDocument {
  _id: UUID | string;
  state?: unknown;
  schema_id?: unknown;
  traits?: unknown;
  created_at?: unknown;
  updated_at?: unknown;
}

interface RecoveryLinkDocument {
  _id: UUID;
  identityId: string;
  tokenHash: string;
  createdAt: Date;
  expiresAt: Date;
  /** Mirrors of the claim, for people reading the collection; the claim decides. */
  usedAt: Date | null;
  revokedAt: Date | null;
  requestId: string;
}

/**
 * One per request admitted by a rate limit: `_id` is bucket, key, window and slot, so a
 * window holds at most `limit` of them however many processes race for the last slot.
 * (FerretDB's $inc upsert reads then writes; a unique insert is its one atomic step.)
 */
interface RateSlotDocument {
  _id: string;
  bucket: RateLimitBucket;
  key: string;
  window: number;
  expiresAt: Date;
}

/** One per link that was redeemed or revoked; `_id` is the flow id, so a second claim fails. */
interface ClaimDocument {
  _id: UUID;
  outcome: RecoveryLinkClaim['outcome'];
  at: Date;
  requestId: string;
}

export interface MongoStoreOptions {
  readonly uri: string;
  readonly database: string;
  readonly identitiesCollection: string;
  readonly recoveryLinksCollection: string;
  /** How long an operation waits for a reachable server before giving up. */
  readonly timeoutMilliseconds: number;
  readonly logger: Logger;
  /** Called as each command starts (command monitoring), to count round trips per operation. */
  readonly onCommand?: (commandName: string, command: Readonly<Record<string, unknown>>) => void;
}

const DUPLICATE_KEY = 11000;
const NOT_IMPLEMENTED = 238;
/** Expired links are kept a week (for support questions and audits), then the TTL index drops them. */
const EXPIRED_LINK_RETENTION_SECONDS = 7 * 24 * 60 * 60;
/**
 * A claim must outlive its link, or a used link would look unused again. Links live at
 * most RECOVERY_LINK_MAX_LIFESPAN plus the retention above; claims are kept far longer.
 */
const CLAIM_RETENTION_SECONDS = 400 * 24 * 60 * 60;

export class MongoRecoveryStore implements RecoveryStore {
  private constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
    private readonly identities: Collection<IdentityDocument>,
    private readonly links: Collection<RecoveryLinkDocument>,
    private readonly claims: Collection<ClaimDocument>,
    private readonly events: Collection<RecoveryEvent>,
    private readonly rateSlots: Collection<RateSlotDocument>,
    private readonly logger: Logger,
  ) {}

  static async connect(options: MongoStoreOptions): Promise<MongoRecoveryStore> {
    // The driver would wait 30s for a server by default; clients should hear within the
    // configured bound that the database is away, while the driver reconnects on its own.
    const client = new MongoClient(options.uri, {
      appName: 'recovery-link-subgraph',
      serverSelectionTimeoutMS: options.timeoutMilliseconds,
      connectTimeoutMS: options.timeoutMilliseconds,
      // Monitoring builds an event per command: only when someone listens.
      monitorCommands: options.onCommand !== undefined,
    });
    client.on('commandStarted', (event) => options.onCommand?.(event.commandName, event.command));
    await client.connect();
    const db = client.db(options.database);
    const store = new MongoRecoveryStore(
      client,
      db,
      db.collection<IdentityDocument>(options.identitiesCollection),
      db.collection<RecoveryLinkDocument>(options.recoveryLinksCollection),
      db.collection<ClaimDocument>(`${options.recoveryLinksCollection}_claims`),
      db.collection<RecoveryEvent>('recovery_events'),
      db.collection<RateSlotDocument>('rate_limit_slots'),
      options.logger,
    );
    try {
      await store.ensureIndexes();
    } catch (error) {
      await client.close();
      throw error;
    }
    return store;
  }

  /** Idempotent: createIndex with an identical specification is a no-op on the server. */
  private async ensureIndexes(): Promise<void> {
    await this.links.createIndex({ tokenHash: 1 }, { unique: true, name: 'tokenHash_unique' });
    await this.links.createIndex({ identityId: 1, expiresAt: 1 }, { name: 'identityId_expiresAt' });
    await this.events.createIndex({ identityId: 1, at: -1 }, { name: 'identityId_at' });
    await this.rateSlots.createIndex({ bucket: 1, key: 1, window: 1 }, { name: 'bucket_key_window' });
    try {
      await this.links.createIndex(
        { expiresAt: 1 },
        { expireAfterSeconds: EXPIRED_LINK_RETENTION_SECONDS, name: 'expiresAt_ttl' },
      );
      await this.claims.createIndex({ at: 1 }, { expireAfterSeconds: CLAIM_RETENTION_SECONDS, name: 'at_ttl' });
      await this.rateSlots.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0, name: 'expiresAt_ttl' });
    } catch (error) {
      // FerretDB v1 has no TTL indexes. Expired links then stay until removed by hand;
      // they are harmless, since expiry is checked on every use.
      if (!(error instanceof MongoServerError && error.code === NOT_IMPLEMENTED)) throw error;
      this.logger.warn(
        { collection: this.links.collectionName },
        'TTL indexes are not supported by this server; expired recovery links will not be removed automatically',
      );
    }
  }

  findIdentity(id: string): Promise<Identity | null> {
    return this.unlessUnreachable(async () => {
      // Deployments store `_id` either as a BSON UUID (binary subtype 4) or as the
      // canonical string; one query with both forms finds either.
      const document = await this.identities.findOne({ _id: { $in: [new UUID(id), id] } });
      return document === null ? null : toIdentity(id, document);
    });
  }
  findIdentities(ids: readonly string[]): Promise<Identity[]> {
    return this.unlessUnreachable(async () => {
      if (ids.length === 0) return [];
      const forms = ids.flatMap((id) => [new UUID(id), id]);
      const documents = await this.identities.find({ _id: { $in: forms } }).toArray();
      return documents.map((document) => {
        const id = typeof document._id === 'string' ? document._id.toLowerCase() : document._id.toHexString(true);
        return toIdentity(id, document);
      });
    });
  }

  insertRecoveryLink(link: NewRecoveryLink): Promise<void> {
    return this.unlessUnreachable(async () => {
      try {
        await this.links.insertOne({
          _id: new UUID(link.flowId),
          identityId: link.identityId,
          tokenHash: link.tokenHash,
          createdAt: link.createdAt,
          expiresAt: link.expiresAt,
          usedAt: null,
          revokedAt: null,
          requestId: link.requestId,
        });
      } catch (error) {
        if (error instanceof MongoServerError && error.code === DUPLICATE_KEY) {
          throw new DuplicateRecoveryLinkError();
        }
        throw error;
      }
    });
  }

  findRecoveryLink(flowId: string): Promise<RecoveryLinkRecord | null> {
    return this.unlessUnreachable(async () => {
      const _id = new UUID(flowId);
      const [document, claim] = await Promise.all([this.links.findOne({ _id }), this.claims.findOne({ _id })]);
      if (document === null) return null;
      return {
        flowId,
        identityId: document.identityId,
        tokenHash: document.tokenHash,
        createdAt: document.createdAt,
        expiresAt: document.expiresAt,
        usedAt: claim?.outcome === 'redeemed' ? claim.at : null,
        revokedAt: claim?.outcome === 'revoked' ? claim.at : null,
        requestId: document.requestId,
      };
    });
  }

  listOutstandingRecoveryLinks(identityId: string, now: Date): Promise<OutstandingRecoveryLink[]> {
    return this.unlessUnreachable(async () => {
      const links = await this.links
        .find({ identityId, expiresAt: { $gt: now } }, { projection: { _id: 1, createdAt: 1 } })
        .toArray();
      if (links.length === 0) return [];
      const claimed = await this.claims
        .find({ _id: { $in: links.map((link) => link._id) } }, { projection: { _id: 1 } })
        .toArray();
      const claimedIds = new Set(claimed.map((claim) => claim._id.toHexString()));
      return links
        .filter((link) => !claimedIds.has(link._id.toHexString()))
        .map((link) => ({ flowId: link._id.toHexString(true), createdAt: link.createdAt }));
    });
  }

  countOutstandingRecoveryLinks(identityIds: readonly string[], now: Date): Promise<Map<string, number>> {
    return this.unlessUnreachable(async () => {
      const counts = new Map<string, number>();
      if (identityIds.length === 0) return counts;
      const links = await this.links
        .find(
          { identityId: { $in: [...identityIds] }, expiresAt: { $gt: now } },
          { projection: { _id: 1, identityId: 1 } },
        )
        .toArray();
      if (links.length === 0) return counts;
      const claimed = await this.claims
        .find({ _id: { $in: links.map((link) => link._id) } }, { projection: { _id: 1 } })
        .toArray();
      const claimedIds = new Set(claimed.map((claim) => claim._id.toHexString()));
      for (const link of links) {
        if (!claimedIds.has(link._id.toHexString()))
          counts.set(link.identityId, (counts.get(link.identityId) ?? 0) + 1);
      }
      return counts;
    });
  }

  claimRecoveryLinks(flowIds: readonly string[], claim: RecoveryLinkClaim): Promise<string[]> {
    return this.unlessUnreachable(async () => {
      if (flowIds.length === 0) return [];
      const documents = flowIds.map((flowId) => ({ _id: new UUID(flowId), ...claim }));
      let lost = new Set<number>();
      try {
        // Unordered: one link claimed elsewhere must not stop the others being claimed.
        await this.claims.insertMany(documents, { ordered: false });
      } catch (error) {
        if (!(error instanceof MongoBulkWriteError)) throw error;
        const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
        if (writeErrors.some((writeError) => writeError.code !== DUPLICATE_KEY)) throw error;
        lost = new Set(writeErrors.map((writeError) => writeError.index));
      }
      const claimed = flowIds.filter((_flowId, index) => !lost.has(index));
      await this.mirrorClaim(claimed, claim);
      return claimed;
    });
  }

  /** Best effort: the claim already decided, so a failure here only leaves the mirror stale. */
  private async mirrorClaim(flowIds: string[], claim: RecoveryLinkClaim): Promise<void> {
    if (flowIds.length === 0) return;
    const field = claim.outcome === 'redeemed' ? 'usedAt' : 'revokedAt';
    try {
      await this.links.updateMany(
        { _id: { $in: flowIds.map((flowId) => new UUID(flowId)) } },
        { $set: { [field]: claim.at } },
      );
    } catch (error) {
      this.logger.warn({ err: error, flowIds }, 'could not mirror a recovery link claim onto the link documents');
    }
  }

  ping(): Promise<void> {
    return this.unlessUnreachable(async () => {
      await this.db.command({ ping: 1 });
    });
  }

  consumeRateLimit(bucket: RateLimitBucket, key: string, limit: RateLimit, now: Date): Promise<RateDecision> {
    return this.unlessUnreachable(async () => {
      const window = currentWindow(limit, now);
      const expiresAt = new Date(window.start + limit.windowMilliseconds);
      // Start at the first slot not yet known to be taken; racing processes move on.
      let slot = await this.rateSlots.countDocuments({ bucket, key, window: window.start });
      for (; slot < limit.limit; slot++) {
        try {
          await this.rateSlots.insertOne({
            _id: `${bucket}|${key}|${window.start}|${slot}`,
            bucket,
            key,
            window: window.start,
            expiresAt,
          });
          return { allowed: true };
        } catch (error) {
          if (!(error instanceof MongoServerError && error.code === DUPLICATE_KEY)) throw error;
        }
      }
      return { allowed: false, retryAfterSeconds: window.retryAfterSeconds };
    });
  }

  recordEvents(events: readonly RecoveryEvent[]): Promise<void> {
    return this.unlessUnreachable(async () => {
      if (events.length > 0) await this.events.insertMany(events.map((event) => ({ ...event })));
    });
  }

  listEvents(identityId: string, limit: number): Promise<RecoveryEvent[]> {
    return this.unlessUnreachable(async () => {
      const documents = await this.events
        .find({ identityId }, { projection: { _id: 0 } })
        .sort({ at: -1, _id: -1 })
        .limit(limit)
        .toArray();
      return documents.map(({ type, identityId, flowId, errorId, actor, requestId, clientAddress, at }) => ({
        type,
        identityId,
        flowId,
        errorId,
        actor,
        requestId,
        clientAddress,
        at,
      }));
    });
  }

  /** Turns "the database cannot be reached" into the domain's StoreUnavailableError. */
  private async unlessUnreachable<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      const unreachable =
        error instanceof MongoServerSelectionError ||
        error instanceof MongoNetworkError ||
        error instanceof MongoTopologyClosedError;
      throw unreachable ? new StoreUnavailableError(error) : error;
    }
  }

  async close(): Promise<void> {
    await this.client.close();
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
