import DataLoader from 'dataloader';
import type { Identity, IdentityReader, RecoveryService } from '../recovery/index.js';

/** One store query for the active link counts of all the identities a request shows. */
export function activeLinkCountLoader(recovery: RecoveryService): DataLoader<string, number> {
  return new DataLoader(async (ids) => {
    const counts = await recovery.countOutstandingLinks(ids);
    return ids.map((id) => counts.get(id) ?? 0);
  });
}

/** One store query for all the identities a request references; created per request. */
export function identityLoader(
  identities: Pick<IdentityReader, 'findIdentities'>,
): DataLoader<string, Identity | null> {
  return new DataLoader(async (ids) => {
    const found = new Map((await identities.findIdentities(ids)).map((identity) => [identity.id, identity]));
    return ids.map((id) => found.get(id) ?? null);
  });
}
