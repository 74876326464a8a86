export { MongoRecoveryStore, type MongoStoreOptions } from './store.js';
export { collectionNames } from './collections.js';
