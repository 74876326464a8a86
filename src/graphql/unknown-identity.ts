import type { Identity } from '../recovery/index.js';
import { identityNotFound } from '../errors/index.js';

/**
 * What `_entities` answers for a representation whose identity this subgraph has no
 * record of (an unknown UUID, or an id that is no UUID at all). A null entity would make
 * every non-null field of it null, which gateways report as "Unexpected error" per
 * representation. Instead the entity exists, and each field says what is true of it:
 * `activeRecoveryLinks` is 0 (an unknown identity has no active links), the fields "if
 * recorded" are null, and `state` and `traits`, which nothing here can know, fail with
 * `identity_not_found` at their own path: a named error, not a crash.
 */
export interface UnknownIdentity {
  readonly id: string;
  readonly unknown: true;
}

/** The parent of Identity's field resolvers: a stored identity or an unknown one. */
export type IdentityParent = Identity | UnknownIdentity;

/** The id as the representation gave it (any JSON a router or a caller sent), bounded. */
export function unknownIdentity(id: unknown): UnknownIdentity {
  const text = typeof id === 'string' ? id : (JSON.stringify(id) ?? 'undefined');
  return { id: text.slice(0, 100), unknown: true };
}

export function isUnknown(identity: IdentityParent): identity is UnknownIdentity {
  return 'unknown' in identity;
}

/** The value of a field only a stored identity has, or identity_not_found. */
export function known<K extends keyof Identity>(field: K) {
  return (identity: IdentityParent): Identity[K] => {
    if (isUnknown(identity)) throw identityNotFound(identity.id);
    return identity[field];
  };
}
