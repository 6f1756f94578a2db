/**
 * A `StateStore` on IndexedDB through idb-keyval, in its own database so it never collides with
 * the shop's or the tracker's. The database opens on first use, not at import or creation, so
 * the module is safe to load during server-side rendering.
 */
import { createStore, del, get, set, type UseStore } from 'idb-keyval';
import type { StateStore } from './state-store.js';

export interface IdbStoreOptions {
  /** Default `touchpoint-upsell`. */
  dbName?: string;
  /** Default `customers`. */
  storeName?: string;
}

/**
 * @example
 * import 'fake-indexeddb/auto'; // only in tests
 * const store = createIdbStore();
 * connectUpsell(tracker, { planner, recommender, catalog, store });
 */
export function createIdbStore(options: IdbStoreOptions = {}): StateStore {
  const dbName = options.dbName ?? 'touchpoint-upsell';
  const storeName = options.storeName ?? 'customers';
  let use: UseStore | undefined;
  const db = () => {
    use ??= createStore(dbName, storeName);
    return use;
  };
  return {
    get: (key) => get(key, db()),
    set: (key, state) => set(key, state, db()),
    delete: (key) => del(key, db()),
  };
}
