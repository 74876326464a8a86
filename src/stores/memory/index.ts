export { MemoryRecoveryStore } from './store.js';
export { MEMORY_STORE_CAPS } from './caps.js';
