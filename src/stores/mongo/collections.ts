import type { Collection, Db } from 'mongodb';
import type {
  ClaimDocument,
  CodeAttemptDocument,
  DecisionDocument,
  FailureDocument,
  FlowDocument,
  IdentityDocument,
  LinkDocument,
  OutstandingSetDocument,
  RateSlotDocument,
} from './documents.js';

/** The two names a deployment configures (MONGODB_IDENTITIES_COLLECTION, RECOVERY_LINKS_COLLECTION). */
export interface ConfiguredCollectionNames {
  readonly identitiesCollection: string;
  readonly recoveryLinksCollection: string;
}

/**
 * Every collection the store uses, named once: the store opens these, and the command
 * counter labels commands by them (any other target is counted as `other`). Everything
 * written once lives in the claims collection (flows, claims, decisions, code attempts,
 * rate-limit slots), so that a creation is one ordered insert there: FerretDB runs each
 * write command in a transaction of its own. The links collection and `rate_limit_slots`
 * hold what was written before: read where it may still matter, purged when due.
 */
export function collectionNames(configured: ConfiguredCollectionNames) {
  return {
    identities: configured.identitiesCollection,
    links: configured.recoveryLinksCollection,
    claims: `${configured.recoveryLinksCollection}_claims`,
    outstanding: `${configured.recoveryLinksCollection}_outstanding`,
    failures: 'recovery_events',
    legacyRateSlots: 'rate_limit_slots',
  } as const;
}

/** The store's collections, each typed by the documents it holds; passed whole to every role. */
export interface MongoCollections {
  readonly identities: Collection<IdentityDocument>;
  /** Links stored before flows went to the claims collection; nothing new is written here. */
  readonly legacyLinks: Collection<LinkDocument>;
  /** The claims collection, as the flows in it. */
  readonly flows: Collection<FlowDocument>;
  readonly claims: Collection<ClaimDocument>;
  /** The claims collection, as the decisions in it. */
  readonly decisions: Collection<DecisionDocument>;
  /** The claims collection, as the code attempts in it. */
  readonly codeAttempts: Collection<CodeAttemptDocument>;
  readonly outstanding: Collection<OutstandingSetDocument>;
  readonly failures: Collection<FailureDocument>;
  /** The claims collection, as the rate-limit slots in it. */
  readonly rateSlots: Collection<RateSlotDocument>;
  /** Slots written before they moved to the claims collection: only purged. */
  readonly legacyRateSlots: Collection<RateSlotDocument>;
}

export function openCollections(db: Db, configured: ConfiguredCollectionNames): MongoCollections {
  const names = collectionNames(configured);
  return {
    identities: db.collection<IdentityDocument>(names.identities),
    legacyLinks: db.collection<LinkDocument>(names.links),
    flows: db.collection<FlowDocument>(names.claims),
    claims: db.collection<ClaimDocument>(names.claims),
    decisions: db.collection<DecisionDocument>(names.claims),
    codeAttempts: db.collection<CodeAttemptDocument>(names.claims),
    outstanding: db.collection<OutstandingSetDocument>(names.outstanding),
    failures: db.collection<FailureDocument>(names.failures),
    rateSlots: db.collection<RateSlotDocument>(names.claims),
    legacyRateSlots: db.collection<RateSlotDocument>(names.legacyRateSlots),
  };
}

/** The collections whose documents carry a `purgeAt`, each once (flows, decisions, attempts and slots are claims). */
export function purgeableCollections(collections: MongoCollections): Collection<{ _id: string; purgeAt: Date }>[] {
  const { legacyLinks, claims, outstanding, failures, legacyRateSlots } = collections;
  return [legacyLinks, claims, outstanding, failures, legacyRateSlots] as never;
}
