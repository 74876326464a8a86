import { MemoryRecoveryStore } from '../../src/stores/index.js';
import type { Identity } from '../../src/recovery/index.js';
import { describeRecoveryStoreContract } from './recovery-store-contract.js';

describeRecoveryStoreContract('embedded (in-memory)', async () => {
  const identities: Identity[] = [];
  let store = new MemoryRecoveryStore();
  return {
    get store() {
      return store;
    },
    // The embedded store takes its identities at construction, as `npm start` does.
    async seedIdentity(identity) {
      identities.push(identity);
      store = new MemoryRecoveryStore(identities);
    },
    dispose: () => store.close(),
  };
});
