import { MongoClient, type Document } from 'mongodb';
import type { RetentionPolicy } from '../../recovery/index.js';
import { ComposedRecoveryStore } from '../composed-store.js';
import type { Logger } from '../../logger.js';
import type { CommandListeners } from '../../observability/command-spans.js';
import { MongoAudit } from './audit.js';
import { openCollections, type MongoCollections } from './collections.js';
import { unlessUnreachableTracking } from './errors.js';
import { MongoIdentities } from './identities.js';
import { MongoLinksAndClaims } from './links-and-claims.js';
import { MongoMaintenance, ensureIndexes } from './maintenance.js';
import { MongoRateLimits } from './rate-limits.js';

/**
 * Key-value access, so that no request costs more because of how much is stored: every
 * command of create, redeem and revoke is an insert, or a find or update by `_id` alone.
 * That is what MongoDB serves from its primary index everywhere (a sharded cluster routes
 * it to one shard), and the only filter FerretDB v1 turns into an indexed lookup: it
 * pushes down equality on string `_id`s but neither `$in` nor binary (UUID) values, and
 * scans the collection for anything else. So every `_id` this store writes is a string.
 */

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

/** The MongoDB store: its roles (one file each), composed over one set of collections. */
export class MongoRecoveryStore extends ComposedRecoveryStore {
  private constructor(client: MongoClient, collections: MongoCollections, options: StoreSettings) {
    /** Operations under way, for close. */
    const inFlight = new Set<Promise<unknown>>();
    const unlessUnreachable = unlessUnreachableTracking(inFlight);
    const { retention, expiresByItself } = options;
    const db = client.db(options.database);
    const rateLimits = new MongoRateLimits(collections.rateSlots, unlessUnreachable);
    super({
      identities: new MongoIdentities(collections.identities, unlessUnreachable),
      linksAndClaims: new MongoLinksAndClaims(collections, retention, rateLimits, unlessUnreachable),
      rateLimits,
      audit: new MongoAudit(collections, retention, unlessUnreachable),
      maintenance: new MongoMaintenance(client, db, collections, inFlight, unlessUnreachable, expiresByItself),
    });
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
      const collections = openCollections(client.db(options.database), options);
      const expiresByItself = await ensureIndexes(collections, options.logger);
      return new MongoRecoveryStore(client, collections, { ...options, expiresByItself });
    } catch (error) {
      await client.close();
      throw error;
    }
  }
}

/** What the composed roles need of the options, with what connecting learned. */
interface StoreSettings {
  readonly database: string;
  readonly retention: RetentionPolicy;
  readonly expiresByItself: boolean;
}
