import { describe, expect, it } from 'vitest';
import { createMemoryDedupeStore } from './dedupe-store.js';

describe('createMemoryDedupeStore', () => {
  it('says which ids are new, including repeats inside one call', async () => {
    const store = createMemoryDedupeStore();
    expect(await store.claim(['a', 'a', 'b'], 60_000)).toEqual([true, false, true]);
    expect(await store.claim(['b', 'c'], 60_000)).toEqual([false, true]);
  });

  it('forgets ids after their ttl', () => {
    let now = 0;
    const store = createMemoryDedupeStore({ now: () => now });
    expect(store.claimOne('a', 1000)).toBe(true);
    now = 999;
    expect(store.claimOne('a', 1000)).toBe(false);
    now = 1000;
    expect(store.claimOne('a', 1000)).toBe(true);
  });

  it('stays bounded by maxIds, forgetting the oldest first', () => {
    const store = createMemoryDedupeStore({ maxIds: 100 });
    for (let i = 0; i < 1000; i++) store.claimOne(`id-${i}`, 60_000);
    expect(store.size).toBeLessThanOrEqual(100);
    expect(store.claimOne('id-999', 60_000)).toBe(false);
    expect(store.claimOne('id-0', 60_000)).toBe(true);
  });

  it("forgets an erased customer's message ids at once, counting those it held", async () => {
    const store = createMemoryDedupeStore();
    expect(await store.claim(['m-alice-1', 'm-alice-2', 'm-bob'], 60_000)).toEqual([true, true, true]);
    expect(await store.forget(['m-alice-1', 'm-alice-2', 'm-never-seen'])).toBe(2);
    expect(store.size).toBe(1);
    // Gone from the window: the same id counts as new again; the other customer's is still a duplicate.
    expect(store.claimOne('m-alice-1', 60_000)).toBe(true);
    expect(store.claimOne('m-bob', 60_000)).toBe(false);
    expect(await store.forget([])).toBe(0);
  });
});
