import type { Identity, RetentionPolicy } from '../../recovery/index.js';
import { ComposedRecoveryStore } from '../composed-store.js';
import { MemoryAudit } from './audit.js';
import { DEFAULT_RETENTION } from './caps.js';
import { MemoryIdentities } from './identities.js';
import { MemoryLinksAndClaims } from './links-and-claims.js';
import { MemoryMaintenance } from './maintenance.js';
import { MemoryRateLimits } from './rate-limits.js';

/**
 * The embedded store behind `npm start` without MONGODB_URI: everything lives in this
 * process and is gone when it stops. It passes the same contract suite as MongoDB. Its
 * roles (one file each, as the MongoDB store's) are composed by ComposedRecoveryStore.
 */
export class MemoryRecoveryStore extends ComposedRecoveryStore {
  constructor(identities: Iterable<Identity> = [], retention: RetentionPolicy = DEFAULT_RETENTION) {
    const rateLimits = new MemoryRateLimits();
    const linksAndClaims = new MemoryLinksAndClaims(retention, rateLimits);
    const audit = new MemoryAudit(linksAndClaims, retention);
    super({
      identities: new MemoryIdentities(identities),
      linksAndClaims,
      rateLimits,
      audit,
      maintenance: new MemoryMaintenance([linksAndClaims, audit]),
    });
  }
}
