import { MongoServerError, type Collection } from 'mongodb';
import type { NewRecoveryLink, RecoveryEvent, RecoveryMethod, RetentionPolicy } from '../recovery/index.js';
import type { ClaimDocument } from './mongo-outstanding-sets.js';
import { FAILURE_WINDOW_MILLISECONDS, failureKey, newestFirst } from './shared.js';

/** A link, and the `created` entry of the audit trail. `_id` is the flow id. */
export interface LinkDocument {
  _id: string;
  identityId: string;
  /** Absent in documents written before there were codes: a link. */
  method?: RecoveryMethod;
  tokenHash: string;
  createdAt: Date;
  expiresAt: Date;
  requestId: string;
  actor: string | null;
  clientAddress: string | null;
  /** Absent from links stored before return URLs existed; read as null. */
  returnTo?: string | null;
  purgeAt: Date;
}

/** A link document as the domain's record. */
export function toLink(document: LinkDocument): NewRecoveryLink {
  return {
    flowId: document._id,
    identityId: document.identityId,
    // Written before there were codes: every such flow is a link.
    method: document.method ?? 'link',
    tokenHash: document.tokenHash,
    createdAt: document.createdAt,
    expiresAt: document.expiresAt,
    requestId: document.requestId,
    actor: document.actor ?? null,
    clientAddress: document.clientAddress ?? null,
    // Written before there were return URLs: none.
    returnTo: document.returnTo ?? null,
  };
}

/** Failures, one document per who, identity tried, what and window, counted (see failureKey in shared.ts). */
export interface FailureDocument extends Omit<RecoveryEvent, 'count' | 'method'> {
  /** Absent in documents written before there were codes. */
  method?: RecoveryMethod | null;
  _id: string;
  count: number;
  purgeAt: Date;
}

const DUPLICATE_KEY = 11000;

/** The MongoDB store's failures and its audit trail, read from where each entry lives. */
export class MongoAudit {
  constructor(
    private readonly links: Collection<LinkDocument>,
    private readonly claims: Collection<ClaimDocument>,
    private readonly failures: Collection<FailureDocument>,
    private readonly retention: RetentionPolicy,
    /** The store's: turns "the database cannot be reached" into StoreUnavailableError, and counts the operation for close. */
    private readonly unlessUnreachable: <T>(operation: () => Promise<T>) => Promise<T>,
  ) {}

  recordFailure(event: RecoveryEvent): Promise<void> {
    return this.unlessUnreachable(async () => {
      const { key, windowStart } = failureKey(event);
      const { count: _count, ...fields } = event;
      // An upsert by `_id`: however many attempts, one document per who, identity tried, what and window.
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
      const methods = await this.methodsOf(links, claims);
      const events: RecoveryEvent[] = [
        ...links.map((link) => ({
          type: 'created' as const,
          method: link.method ?? 'link',
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
          method: methods.get(claim._id) ?? null,
          identityId: claim.identityId,
          flowId: claim._id,
          errorId: null,
          actor: claim.actor,
          requestId: claim.requestId,
          clientAddress: claim.clientAddress,
          at: claim.at,
          count: 1,
        })),
        ...failures.map(
          ({ type, method, identityId, flowId, errorId, actor, requestId, clientAddress, at, count }) => ({
            type,
            method: method ?? null,
            identityId,
            flowId,
            errorId,
            actor,
            requestId,
            clientAddress,
            at,
            count,
          }),
        ),
      ];
      return events.sort(newestFirst).slice(0, limit);
    });
  }

  /**
   * Claims do not name their flow's method (one revocation claims links and codes alike):
   * it is read from the flows, those listed already first, the others by `_id`.
   */
  private async methodsOf(
    links: readonly LinkDocument[],
    claims: readonly ClaimDocument[],
  ): Promise<Map<string, RecoveryMethod>> {
    const methods = new Map(links.map((link) => [link._id, link.method ?? 'link'] as const));
    const missing = claims.map((claim) => claim._id).filter((flowId) => !methods.has(flowId));
    if (missing.length > 0) {
      const found = await this.links.find({ _id: { $in: missing } }, { projection: { method: 1 } }).toArray();
      for (const link of found) methods.set(link._id, link.method ?? 'link');
    }
    return methods;
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
