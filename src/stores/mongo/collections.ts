import type { Collection, Db } from 'mongodb';
import type {
  ClaimDocument,
  CodeAttemptDocument,
  DecisionDocument,
  FailureDocument,
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
 * counter labels commands by them (any other target is counted as `other`). Decisions
 * and code attempts live in the claims collection, so that each is a unique insert
 * beside the claims it makes or guards.
 */
export function collectionNames(configured: ConfiguredCollectionNames) {
  return {
    identities: configured.identitiesCollection,
    links: configured.recoveryLinksCollection,
    claims: `${configured.recoveryLinksCollection}_claims`,
    outstanding: `${configured.recoveryLinksCollection}_outstanding`,
    failures: 'recovery_events',
    rateSlots: 'rate_limit_slots',
  } as const;
}

/** The store's collections, each typed by the documents it holds; passed whole to every role. */
export interface MongoCollections {
  readonly identities: Collection<IdentityDocument>;
  readonly links: Collection<LinkDocument>;
  readonly claims: Collection<ClaimDocument>;
  /** The claims collection, as the decisions in it. */
  readonly decisions: Collection<DecisionDocument>;
  /** The claims collection, as the code attempts in it. */
  readonly codeAttempts: Collection<CodeAttemptDocument>;
  readonly outstanding: Collection<OutstandingSetDocument>;
  readonly failures: Collection<FailureDocument>;
  readonly rateSlots: Collection<RateSlotDocument>;
}

export function openCollections(db: Db, configured: ConfiguredCollectionNames): MongoCollections {
  const names = collectionNames(configured);
  return {
    identities: db.collection<IdentityDocument>(names.identities),
    links: db.collection<LinkDocument>(names.links),
    claims: db.collection<ClaimDocument>(names.claims),
    decisions: db.collection<DecisionDocument>(names.claims),
    codeAttempts: db.collection<CodeAttemptDocument>(names.claims),
    outstanding: db.collection<OutstandingSetDocument>(names.outstanding),
    failures: db.collection<FailureDocument>(names.failures),
    rateSlots: db.collection<RateSlotDocument>(names.rateSlots),
  };
}

/** The collections whose documents carry a `purgeAt`, each once (decisions and attempts are claims). */
export function purgeableCollections(collections: MongoCollections): Collection<{ _id: string; purgeAt: Date }>[] {
  const { links, claims, outstanding, failures, rateSlots } = collections;
  return [links, claims, outstanding, failures, rateSlots] as never;
}
