import {
  DuplicateRecoveryLinkError,
  claimPurgeAt,
  linkPurgeAt,
  type CodeAttemptDecision,
  type CodeAttemptStore,
  type CreationWrites,
  type NewRecoveryLink,
  type OutstandingRecoveryLink,
  type OutstandingSet,
  type OutstandingSetChange,
  type OutstandingSetDecision,
  type RecoveryLinkClaim,
  type RecoveryLinkRecord,
  type RecoveryLinkStore,
  type RetentionPolicy,
} from '../../recovery/index.js';
import type { MongoCollections } from './collections.js';
import {
  changeOf,
  decisionOf,
  entriesOf,
  flowDocumentId,
  toFlowDocument,
  toLink,
  type DecisionDocument,
  type FlowDocument,
  type LinkDocument,
  type RateSlotDocument,
} from './documents.js';
import { duplicateKeyErrors, isDuplicateKey, type UnlessUnreachable } from './errors.js';
import { SLOT_TAKEN, type MongoRateLimits } from './rate-limits.js';

/** A change's decision: the identity, `#` and the generation, so each generation is decided once. */
function decisionId(change: OutstandingSetChange): string {
  return `${change.identityId}#${change.generation}`;
}

function toLinkOrNull(document: LinkDocument | FlowDocument | null): NewRecoveryLink | null {
  return document === null ? null : toLink(document);
}

/**
 * The MongoDB store's links, the claims that end them, the outstanding sets with their
 * decisions, and code attempts. Every command is an insert, or a find or update by `_id`
 * alone (see store.ts); a creation's writes are one insert (CreationWrites).
 */
export class MongoLinksAndClaims implements RecoveryLinkStore, CodeAttemptStore {
  /** The rate-limit slot each won creation took, until its change is applied (and then collected). */
  private readonly slotsTaken = new WeakMap<OutstandingSetChange, RateSlotDocument>();

  constructor(
    private readonly collections: MongoCollections,
    private readonly retention: RetentionPolicy,
    /** A creation's slot is taken in the insert that decides its change. */
    private readonly rateLimits: MongoRateLimits,
    private readonly unlessUnreachable: UnlessUnreachable,
  ) {}

  insertRecoveryLink(link: NewRecoveryLink): Promise<void> {
    return this.unlessUnreachable(async () => {
      try {
        await this.collections.flows.insertOne(toFlowDocument(link, linkPurgeAt(link, this.retention)));
      } catch (error) {
        if (isDuplicateKey(error)) throw new DuplicateRecoveryLinkError();
        throw error;
      }
    });
  }

  findStoredRecoveryLink(flowId: string): Promise<NewRecoveryLink | null> {
    return this.unlessUnreachable(async () => {
      const document = await this.collections.flows.findOne({ _id: flowDocumentId(flowId) });
      return toLinkOrNull(document ?? (await this.findLegacyLink(flowId)));
    });
  }

  findRecoveryLink(flowId: string): Promise<RecoveryLinkRecord | null> {
    return this.unlessUnreachable(async () => {
      const [flow, claim] = await Promise.all([
        this.collections.flows.findOne({ _id: flowDocumentId(flowId) }),
        this.collections.claims.findOne({ _id: flowId }),
      ]);
      const link = toLinkOrNull(flow ?? (await this.findLegacyLink(flowId)));
      if (link === null) return null;
      return {
        ...link,
        usedAt: claim?.outcome === 'redeemed' ? claim.at : null,
        revokedAt: claim?.outcome === 'revoked' ? claim.at : null,
      };
    });
  }

  /**
   * A link stored before flows moved to the claims collection: read only when a flow is
   * not found there, so the extra lookup costs only links that old, or unknown flow ids.
   */
  private findLegacyLink(flowId: string) {
    return this.collections.legacyLinks.findOne({ _id: flowId });
  }

  readOutstandingSet(identityId: string): Promise<OutstandingSet> {
    return this.unlessUnreachable(async () => {
      const set = await this.collections.outstanding.findOne({ _id: identityId });
      if (set?.rateSlot !== undefined) this.rateLimits.learnTaken(set.rateSlot);
      return { generation: set?.generation ?? 0, links: entriesOf(set) };
    });
  }

  decideOutstandingSetChange(
    change: OutstandingSetChange,
    flowIds: readonly string[],
    claim: RecoveryLinkClaim,
    creation: CreationWrites | null = null,
  ): Promise<OutstandingSetDecision> {
    return this.unlessUnreachable(async () => {
      const purgeAt = claimPurgeAt(claim.at, this.retention);
      const decision: DecisionDocument = { _id: decisionId(change), change: decisionOf(change), purgeAt };
      const claims = flowIds.map((flowId) => ({ _id: flowId, ...claim, purgeAt }));
      const flow = creation === null ? [] : [toFlowDocument(creation.link, linkPurgeAt(creation.link, this.retention))];
      // Ordered, decision first: a lost decision claims nothing, and the flow comes last,
      // after the claims it needs. FerretDB inserts the batch as one statement in one
      // transaction, so the usual case is one write.
      const decide = (slot: readonly RateSlotDocument[]) =>
        this.decideInOrder(change, [...slot, decision, ...claims, ...flow], slot.length, flowIds, claim, creation);
      const rate = creation?.rateLimit ?? null;
      if (rate === null) return (await decide([])) as OutstandingSetDecision;
      let tried: RateSlotDocument | null = null;
      const taken = await this.rateLimits.takeSlot(rate, (slot) => decide([(tried = slot)]));
      if (!taken.allowed) return { won: false, winner: null, retryAfterSeconds: taken.retryAfterSeconds };
      const decided = taken.result;
      if (!decided.won) return { ...decided, rateCounted: true };
      // The last slot tried is the one the insert took.
      if (tried !== null) this.slotsTaken.set(change, tried);
      return decided;
    });
  }

  /**
   * One ordered insert of `documents`: `offset` slot documents, then the decision, its
   * claims and, for a creation, its flow. A duplicate stops it where it is met: at the
   * slot (taken elsewhere: nothing written), at the decision (lost), or at a claim (a race:
   * the rest are claimed one by one, then the flow is stored).
   */
  private async decideInOrder(
    change: OutstandingSetChange,
    documents: readonly object[],
    offset: number,
    flowIds: readonly string[],
    claim: RecoveryLinkClaim,
    creation: CreationWrites | null,
  ): Promise<Exclude<OutstandingSetDecision, { retryAfterSeconds: number }> | typeof SLOT_TAKEN> {
    try {
      await this.collections.decisions.insertMany(documents as never[], { ordered: true });
      return { won: true, claimed: [...flowIds] };
    } catch (error) {
      const lost = duplicateKeyErrors(error);
      if (lost === null) throw error;
      const first = Math.min(...lost) - offset;
      if (first < 0) return SLOT_TAKEN;
      if (first === 0) {
        const winner = await this.collections.decisions.findOne({ _id: decisionId(change) });
        return { won: false, winner: winner === null ? null : changeOf(change.identityId, winner) };
      }
      // Decided, but flowIds[first - 1] was claimed before (a race), and an ordered
      // insert stopped there: the rest are claimed one by one.
      const rest = await this.claimRecoveryLinks(flowIds.slice(first), claim);
      if (creation !== null) await this.insertRecoveryLink(creation.link);
      return { won: true, claimed: [...flowIds.slice(0, first - 1), ...rest] };
    }
  }

  applyOutstandingSetChange(change: OutstandingSetChange): Promise<void> {
    return this.unlessUnreachable(async () => {
      const { identityId, generation, added, dropped } = change;
      const rateSlot = this.slotsTaken.get(change);
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
          ...(rateSlot === undefined ? {} : { rateSlot }),
        },
        // Outlives the decisions (kept as long as claims), so its generations never restart
        // while an old decision could still be met.
        $max: { purgeAt: claimPurgeAt(change.at, this.retention) },
        ...(dropped.length === 0
          ? {}
          : { $unset: Object.fromEntries(dropped.map((flowId) => [`links.${flowId}`, ''])) }),
      };
      try {
        await this.collections.outstanding.updateOne(filter as never, update as never, { upsert: generation === 1 });
      } catch (error) {
        // The first change, applied already: the upsert found no set without generation.
        if (!isDuplicateKey(error)) throw error;
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
      links.map((link) => this.collections.claims.findOne({ _id: link.flowId }, { projection: { _id: 1 } })),
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
        await this.collections.claims.insertMany(documents, { ordered: false });
      } catch (error) {
        const writeErrors = duplicateKeyErrors(error);
        if (writeErrors === null) throw error;
        lost = new Set(writeErrors);
      }
      return flowIds.filter((_flowId, index) => !lost.has(index));
    });
  }

  /**
   * Not an `$inc`: FerretDB's updates read then write, so racing submissions could all
   * read the same count and all be compared. A unique insert is the one write FerretDB
   * performs atomically, so of any number of racing submissions exactly `maxAttempts`
   * take a number. No transaction is needed: a crash after an insert leaves that attempt
   * counted, which fails closed.
   */
  countCodeAttempt(
    flow: Pick<NewRecoveryLink, 'flowId' | 'createdAt' | 'expiresAt'>,
    maxAttempts: number,
    at: Date,
  ): Promise<CodeAttemptDecision> {
    return this.unlessUnreachable(async () => {
      const purgeAt = linkPurgeAt(flow, this.retention);
      // At most `maxAttempts` inserts by `_id`; in the steady state (no race) the first
      // free number is met after as many duplicates as there were attempts before.
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        try {
          await this.collections.codeAttempts.insertOne({ _id: `${flow.flowId}#${attempt}`, at, purgeAt });
          return { counted: true, attempt };
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
        }
      }
      return { counted: false };
    });
  }
}
