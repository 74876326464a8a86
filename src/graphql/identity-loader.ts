import DataLoader from 'dataloader';
import type { Identity, RecoveryService } from '../recovery/index.js';

/** One store query for all the identities a request references; created per request. */
export function identityLoader(recovery: RecoveryService): DataLoader<string, Identity | null> {
  return new DataLoader(async (ids) => {
    const found = new Map((await recovery.findIdentities(ids)).map((identity) => [identity.id, identity]));
    return ids.map((id) => found.get(id) ?? null);
  });
}
