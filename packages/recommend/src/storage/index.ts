/** Where customer states persist: the interface, a memory store and an IndexedDB store. */
export { createIdbStore, type IdbStoreOptions } from './idb-store.js';
export { createMemoryStore, loadState, type StateStore } from './state-store.js';
