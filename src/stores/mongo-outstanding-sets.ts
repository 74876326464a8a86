import { MongoBulkWriteError, MongoServerError, type Collection } from 'mongodb';
import {
  claimPurgeAt,
  type OutstandingRecoveryLink,
  type OutstandingSet,
  type OutstandingSetChange,
  type OutstandingSetDecision,
  type RecoveryLinkClaim,
  type RetentionPolicy,
} from '../recovery/index.js';
import { isConnectionLoss } from './connection-loss.js';

/**
 * One per link that was redeemed or revoked, and its audit entry; `_id` is the flow id, so
 * a second claim fails. The claim decides: the link document is never updated.
 */
export interface ClaimDocument {
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
export interface OutstandingSetDocument {
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
export interface DecisionDocument {
  _id: string;
  change: {
    generation: number;
    added: { flowId: string; createdAt: Date; expiresAt: Date } | null;
    dropped: string[];
    at: Date;
  };
  purgeAt: Date;
}

const DUPLICATE_KEY = 11000;

/**
 * The MongoDB store's outstanding sets, their decisions and the claims they make. Every
 * command is an insert, or a find or update by `_id` alone (see mongo-store.ts).
 */
export class MongoOutstandingSets {
  constructor(
    private readonly claims: Collection<ClaimDocument>,
    private readonly decisions: Collection<DecisionDocument>,
    private readonly outstanding: Collection<OutstandingSetDocument>,
    private readonly retention: RetentionPolicy,
    /** The store's: turns "the database cannot be reached" into StoreUnavailableError, and counts the operation for close. */
    private readonly unlessUnreachable: <T>(operation: () => Promise<T>) => Promise<T>,
  ) {}

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
