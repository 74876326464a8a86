import type { UUID } from 'mongodb';
import type {
  Identity,
  IdentityState,
  NewRecoveryLink,
  OutstandingRecoveryLink,
  OutstandingSetChange,
  RecoveryEvent,
  RecoveryLinkClaim,
  RecoveryMethod,
} from '../../recovery/index.js';

/**
 * What the MongoDB store writes and reads, and how each document maps to the domain's
 * records. Every `_id` it writes is a string (see store.ts for why).
 */

/** Identities as Kratos-style deployments keep them; only `_id` is guaranteed. */
export interface IdentityDocument {
  _id: UUID | string;
  state?: unknown;
  schema_id?: unknown;
  traits?: unknown;
  created_at?: unknown;
  updated_at?: unknown;
}

/**
 * A link or code, and the `created` entry of the audit trail, as stored before a creation
 * became one insert: `_id` is the flow id, in the links collection. Still read (and
 * purged when due) there; new flows are FlowDocuments.
 */
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

/**
 * A link or code, and the `created` entry of the audit trail, in the claims collection so
 * that it is one ordered insert with the rate-limit slot, the decision and the claims of
 * its creation: `_id` is the flow id and `#created` (the flow id alone is its claim's).
 * `at` is its creation, so the trail's one index and sort serve flows and claims alike.
 */
export interface FlowDocument extends Omit<LinkDocument, '_id'> {
  _id: string;
  flowId: string;
  at: Date;
}

export function flowDocumentId(flowId: string): string {
  return `${flowId}#created`;
}

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
 * `rateSlot` is the rate-limit slot its latest creation took, so that any process (a
 * replica, or this one restarted) starts the identity's next creation at the next free
 * slot instead of failing an insert on a taken one; a hint too (the slot's insert decides).
 */
export interface OutstandingSetDocument {
  _id: string;
  generation?: number;
  links: Record<string, { createdAt: Date; expiresAt: Date }>;
  purgeAt: Date;
  rateSlot?: RateSlotDocument;
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

/**
 * One counted submission of a code: `_id` is the flow id, `#` and the attempt's number
 * (1 to RECOVERY_CODE_MAX_ATTEMPTS), so each number is taken once. In the claims
 * collection, beside the claims and decisions, which are unique inserts too. It has no
 * `identityId` field, so the audit trail never reads it, and it goes when its flow does.
 */
export interface CodeAttemptDocument {
  _id: string;
  at: Date;
  purgeAt: Date;
}

/** Failures, one document per who, identity tried, what and window, counted (see failureKey in audit-trail.ts). */
export interface FailureDocument extends Omit<RecoveryEvent, 'count' | 'method'> {
  /** Absent in documents written before there were codes. */
  method?: RecoveryMethod | null;
  _id: string;
  count: number;
  purgeAt: Date;
}

/**
 * One per request admitted by a rate limit: `_id` is bucket, key, window and slot, so a
 * window holds at most `limit` of them however many processes race for the last slot.
 * (FerretDB's $inc upsert reads then writes; a unique insert is its one atomic step.) In
 * the claims collection, so a creation's slot is part of its one insert.
 */
export interface RateSlotDocument {
  _id: string;
  purgeAt: Date;
}

export function toIdentity(id: string, document: IdentityDocument): Identity {
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

/** A flow as the claims collection stores it. */
export function toFlowDocument(link: NewRecoveryLink, purgeAt: Date): FlowDocument {
  return { _id: flowDocumentId(link.flowId), ...link, at: link.createdAt, purgeAt };
}

/** A flow document, or a link document stored before them, as the domain's record. */
export function toLink(document: LinkDocument | FlowDocument): NewRecoveryLink {
  return {
    flowId: 'flowId' in document ? document.flowId : document._id,
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

export function decisionOf(change: OutstandingSetChange): DecisionDocument['change'] {
  const { generation, added, dropped, at } = change;
  return { generation, added: added === null ? null : { ...added }, dropped: [...dropped], at };
}

export function changeOf(identityId: string, decision: DecisionDocument): OutstandingSetChange {
  const { generation, added, dropped, at } = decision.change;
  return { identityId, generation, added, dropped, at };
}

export function entriesOf(set: OutstandingSetDocument | null): OutstandingRecoveryLink[] {
  return Object.entries(set?.links ?? {}).map(([flowId, { createdAt, expiresAt }]) => ({
    flowId,
    createdAt,
    expiresAt,
  }));
}
