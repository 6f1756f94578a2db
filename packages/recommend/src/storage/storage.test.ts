import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { track } from '../../test/fixtures.js';
import { createUpsellPlanner } from '../planner/planner.js';
import { emptyState, recordEvent, recordOffer } from '../planner/state.js';
import { createIdbStore } from './idb-store.js';
import { createMemoryStore, loadState } from './state-store.js';

const T0 = Date.parse('2026-11-23T12:00:00Z');

describe('createMemoryStore', () => {
  it('stores copies, so later changes to a state do not leak into the store', async () => {
    const store = createMemoryStore();
    const state = recordEvent(emptyState(), track('cart.item_added', { productId: 'tent' }, T0));
    await store.set('u1', state);
    state.cart.push('mutated');
    expect(await loadState(store, 'u1')).toMatchObject({ cart: ['tent'] });
    await store.delete('u1');
    expect(await loadState(store, 'u1')).toEqual(emptyState());
    expect(store.size).toBe(0);
  });

  it('loadState starts fresh from garbage or another version', async () => {
    const store = createMemoryStore();
    await store.set('u1', { v: 9 } as never);
    expect(await loadState(store, 'u1')).toEqual(emptyState());
  });
});

describe('createIdbStore', () => {
  it('keeps the state across a reload: a new store on the same database reads it back', async () => {
    const planner = createUpsellPlanner({ delayMs: 0 });
    let state = planner.record(emptyState(), track('cart.item_added', { productId: 'tent' }, T0));
    state = recordOffer(state, 'shown', { id: 'o1', kind: 'upsell', item: 'tent-pegs' }, T0, 's1');
    await createIdbStore({ dbName: 'reload-test' }).set('anon-1', state);

    // After the reload nothing in memory survives; only IndexedDB does.
    const reloaded = await loadState(createIdbStore({ dbName: 'reload-test' }), 'anon-1');
    expect(reloaded).toEqual(state);
    const d = planner.decide({
      trigger: 'cart.item_added',
      state: reloaded,
      consent: true,
      now: T0 + 1000,
      sessionId: 's1',
    });
    expect(d).toEqual({ show: false, reason: 'session_cap' });
  });

  it('keeps customers and databases apart, and deletes', async () => {
    const a = createIdbStore({ dbName: 'shop-a' });
    const b = createIdbStore({ dbName: 'shop-b' });
    const state = recordEvent(emptyState(), track('product.viewed', { productId: 'x' }, T0));
    await a.set('u1', state);
    expect(await b.get('u1')).toBeUndefined();
    expect(await a.get('u2')).toBeUndefined();
    await a.delete('u1');
    expect(await a.get('u1')).toBeUndefined();
  });

  it('opens no database until it is used', () => {
    const opened: string[] = [];
    const original = indexedDB.open.bind(indexedDB);
    indexedDB.open = ((name: string, version?: number) => {
      opened.push(name);
      return original(name, version);
    }) as typeof indexedDB.open;
    try {
      createIdbStore({ dbName: 'lazy' });
      expect(opened).toEqual([]);
    } finally {
      indexedDB.open = original;
    }
  });
});
