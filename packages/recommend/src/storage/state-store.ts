/**
 * Where customer states live between page loads: a tiny async key-value interface any store can
 * meet (IndexedDB, localStorage, Redis, a database), and an in-memory one for tests and servers.
 */
import { type CustomerState, emptyState, isCustomerState } from '../planner/state.js';

/** Customer states by customer key. Every method may reject; callers treat that as "no state". */
export interface StateStore {
  get(key: string): Promise<unknown>;
  set(key: string, state: CustomerState): Promise<void>;
  delete(key: string): Promise<void>;
}

/**
 * Keeps states in a `Map`, copied in and out so nobody shares a live object with the store.
 *
 * @example
 * const store = createMemoryStore();
 * await store.set('user-1', state);
 */
export function createMemoryStore(): StateStore & { readonly size: number } {
  const map = new Map<string, string>();
  return {
    async get(key) {
      const raw = map.get(key);
      return raw === undefined ? undefined : JSON.parse(raw);
    },
    async set(key, state) {
      map.set(key, JSON.stringify(state));
    },
    async delete(key) {
      map.delete(key);
    },
    get size() {
      return map.size;
    },
  };
}

/**
 * Reads a customer's state, or a fresh one when there is none, it is unreadable, or it was
 * written by an incompatible version.
 *
 * @example
 * const state = await loadState(store, 'user-1');
 */
export async function loadState(store: StateStore, key: string): Promise<CustomerState> {
  const value = await store.get(key);
  return isCustomerState(value) ? value : emptyState();
}
