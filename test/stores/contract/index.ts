import { describeAuditStoreContract } from './audit.js';
import { describeIdentityReaderContract } from './identities.js';
import { describeRecoveryLinkStoreContract } from './links.js';
import { describeStoreMaintenanceContract } from './maintenance.js';
import { describeRateLimitStoreContract } from './rate-limits.js';
import type { StoreUnderTest } from './support.js';

export { describeRecoveryCodeContract } from './codes.js';
export { describeReturnToStoreContract } from './return-to.js';
export type { StoreUnderTest } from './support.js';

/** The behaviour every RecoveryStore must have, role by role; run once per implementation. */
export function describeRecoveryStoreContract(name: string, open: () => Promise<StoreUnderTest>): void {
  describeIdentityReaderContract(name, open);
  describeRecoveryLinkStoreContract(name, open);
  describeRateLimitStoreContract(name, open);
  describeAuditStoreContract(name, open);
  describeStoreMaintenanceContract(name, open);
}
