import type {
  AuditStore,
  NewRecoveryLink,
  RecoveryEvent,
  RecoveryMethod,
  RetentionPolicy,
} from '../../recovery/index.js';
import { FAILURE_WINDOW_MILLISECONDS, failureKey, newestFirst } from '../audit-trail.js';
import type { MongoCollections } from './collections.js';
import { flowDocumentId, toLink, type ClaimDocument, type FlowDocument } from './documents.js';
import { isDuplicateKey, type UnlessUnreachable } from './errors.js';

/** The MongoDB store's failures and its audit trail, read from where each entry lives. */
export class MongoAudit implements AuditStore {
  constructor(
    private readonly collections: MongoCollections,
    private readonly retention: RetentionPolicy,
    private readonly unlessUnreachable: UnlessUnreachable,
  ) {}

  recordFailure(event: RecoveryEvent): Promise<void> {
    return this.unlessUnreachable(async () => {
      const { key, windowStart } = failureKey(event);
      const { count: _count, ...fields } = event;
      // An upsert by `_id`: however many attempts, one document per who, identity tried, what and window.
      // (On FerretDB $inc reads then writes, so racing replicas may undercount; the
      // document still exists, which is what an investigation needs.)
      await retryRacedUpsert(() =>
        this.collections.failures.updateOne(
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
   * The audit trail is read from where each entry lives: flows (created) and claims
   * (redeemed, revoked) in the claims collection, links stored before flows moved there,
   * and failures. An admin query, served by the identityId indexes on MongoDB; FerretDB
   * scans for it, which no request of the hot paths does.
   */
  listEvents(identityId: string, limit: number): Promise<RecoveryEvent[]> {
    return this.unlessUnreachable(async () => {
      const [written, legacyLinks, failures] = await Promise.all([
        // Flows and claims; decisions, slots and code attempts have no identityId field.
        this.collections.claims.find({ identityId }).sort({ at: -1 }).limit(limit).toArray(),
        this.collections.legacyLinks.find({ identityId }).sort({ createdAt: -1 }).limit(limit).toArray(),
        this.collections.failures.find({ identityId }).sort({ at: -1 }).limit(limit).toArray(),
      ]);
      const entries = written as (ClaimDocument | FlowDocument)[];
      const links = [...legacyLinks.map(toLink), ...entries.filter(isFlow).map(toLink)];
      const claims = entries.filter((document): document is ClaimDocument => !isFlow(document));
      const methods = await this.methodsOf(links, claims);
      const events: RecoveryEvent[] = [
        ...links.map((link) => ({
          type: 'created' as const,
          method: link.method,
          identityId: link.identityId,
          flowId: link.flowId,
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
    links: readonly NewRecoveryLink[],
    claims: readonly ClaimDocument[],
  ): Promise<Map<string, RecoveryMethod>> {
    const methods = new Map(links.map((link) => [link.flowId, link.method] as const));
    const missing = claims.map((claim) => claim._id).filter((flowId) => !methods.has(flowId));
    if (missing.length > 0) {
      const projection = { projection: { method: 1, flowId: 1 } };
      const [flows, legacy] = await Promise.all([
        this.collections.flows.find({ _id: { $in: missing.map(flowDocumentId) } }, projection).toArray(),
        this.collections.legacyLinks.find({ _id: { $in: missing } }, projection).toArray(),
      ]);
      for (const link of legacy) methods.set(link._id, link.method ?? 'link');
      for (const flow of flows) methods.set(flow.flowId, flow.method ?? 'link');
    }
    return methods;
  }
}

function isFlow(document: ClaimDocument | FlowDocument): document is FlowDocument {
  return 'tokenHash' in document;
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
    if (!isDuplicateKey(error)) throw error;
    return upsert();
  }
}
