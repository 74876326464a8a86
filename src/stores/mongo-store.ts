import { MongoClient, MongoServerError, UUID, type Collection, type Db } from 'mongodb';
import {
  DuplicateRecoveryLinkError,
  type Identity,
  type IdentityState,
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
  usedAt: Date | null;
  requestId: string;
}

export interface MongoStoreOptions {
  readonly uri: string;
  readonly database: string;
  readonly identitiesCollection: string;
  readonly recoveryLinksCollection: string;
  readonly logger: Logger;
}

const DUPLICATE_KEY = 11000;
const NOT_IMPLEMENTED = 238;
/** Expired links are kept a week (for support questions and audits), then the TTL index drops them. */
const EXPIRED_LINK_RETENTION_SECONDS = 7 * 24 * 60 * 60;

export class MongoRecoveryStore implements RecoveryStore {
  private constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
    private readonly identities: Collection<IdentityDocument>,
    private readonly links: Collection<RecoveryLinkDocument>,
  ) {}

  static async connect(options: MongoStoreOptions): Promise<MongoRecoveryStore> {
    const client = new MongoClient(options.uri, { appName: 'recovery-link-subgraph' });
    await client.connect();
    const db = client.db(options.database);
    const store = new MongoRecoveryStore(
      client,
      db,
      db.collection<IdentityDocument>(options.identitiesCollection),
      db.collection<RecoveryLinkDocument>(options.recoveryLinksCollection),
    );
    try {
      await store.ensureIndexes(options.logger);
    } catch (error) {
      await client.close();
      throw error;
    }
    return store;
  }

  /** Idempotent: createIndex with an identical specification is a no-op on the server. */
  private async ensureIndexes(logger: Logger): Promise<void> {
    await this.links.createIndex({ tokenHash: 1 }, { unique: true, name: 'tokenHash_unique' });
    try {
      await this.links.createIndex(
        { expiresAt: 1 },
        { expireAfterSeconds: EXPIRED_LINK_RETENTION_SECONDS, name: 'expiresAt_ttl' },
      );
    } catch (error) {
      // FerretDB v1 has no TTL indexes. Expired links then stay until removed by hand;
      // they are harmless, since expiry is checked on every use.
      if (!(error instanceof MongoServerError && error.code === NOT_IMPLEMENTED)) throw error;
      logger.warn(
        { collection: this.links.collectionName },
        'TTL indexes are not supported by this server; expired recovery links will not be removed automatically',
      );
    }
  }

  async findIdentity(id: string): Promise<Identity | null> {
    // Deployments store `_id` either as a BSON UUID (binary subtype 4) or as the
    // canonical string; one query with both forms finds either.
    const document = await this.identities.findOne({ _id: { $in: [new UUID(id), id] } });
    return document === null ? null : toIdentity(id, document);
  }

  async insertRecoveryLink(link: RecoveryLinkRecord): Promise<void> {
    try {
      await this.links.insertOne({
        _id: new UUID(link.flowId),
        identityId: link.identityId,
        tokenHash: link.tokenHash,
        createdAt: link.createdAt,
        expiresAt: link.expiresAt,
        usedAt: link.usedAt,
        requestId: link.requestId,
      });
    } catch (error) {
      if (error instanceof MongoServerError && error.code === DUPLICATE_KEY) {
        throw new DuplicateRecoveryLinkError();
      }
      throw error;
    }
  }

  async findRecoveryLink(flowId: string): Promise<RecoveryLinkRecord | null> {
    const document = await this.links.findOne({ _id: new UUID(flowId) });
    if (document === null) return null;
    const { _id, ...fields } = document;
    return { flowId: _id.toHexString(true), ...fields };
  }

  async ping(): Promise<void> {
    await this.db.command({ ping: 1 });
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
