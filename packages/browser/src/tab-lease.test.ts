import { createManualClock } from '@touchpoint/core/testing';
import { describe, expect, it } from 'vitest';
import type { KeyValue } from './environment.js';
import { createLeaseLocks } from './tab-lease.js';

/**
 * localStorage as several tabs see it: one ordered history of writes, where a tab sees its own
 * writes at once and other tabs' writes `lagMs` later, as storage shared between browser
 * processes does. `tab(name)` is that tab's view.
 */
function sharedStorage(lagMs: number) {
  const writes: { tab: string; key: string; value: string | null; at: number }[] = [];
  const tab = (name: string): KeyValue => ({
    get(key) {
      let value: string | null = null;
      for (const w of writes) if (w.key === key && (w.tab === name || Date.now() - w.at >= lagMs)) value = w.value;
      return value;
    },
    set: (key, value) => void writes.push({ tab: name, key, value, at: Date.now() }),
    remove: (key) => void writes.push({ tab: name, key, value: null, at: Date.now() }),
  });
  return { tab };
}

const start = Date.parse('2026-11-22T10:00:00Z');

/** Tabs a and b, each with its lease locks; `clockB` differs from `clockA` when a tab has stopped. */
function twoTabs(lagMs: number, clockA = createManualClock(start), clockB = clockA) {
  const storage = sharedStorage(lagMs);
  const a = createLeaseLocks(storage.tab('a'), clockA, 'tab-a');
  const b = createLeaseLocks(storage.tab('b'), clockB, 'tab-b');
  return { storage, clock: clockA, a, b };
}

describe('the localStorage lease (browsers without Web Locks)', () => {
  it('lets exactly one of two tabs win a race for the same lock, even when each wrote before seeing the other', async () => {
    // Both tabs read "free" and write their own lease before either write reaches the other tab:
    // the re-read after the pause is what decides.
    const { a, b } = twoTabs(10);
    const won = await Promise.all([a.claim_('orphan'), b.claim_('orphan')]);
    expect(won.filter(Boolean)).toHaveLength(1);
    a.release_();
    b.release_();
  });

  it('lets the first of two tabs win when the second sees its lease', async () => {
    const { a, b } = twoTabs(0);
    expect(await Promise.all([a.claim_('orphan'), b.claim_('orphan')])).toEqual([true, false]);
    a.release_();
    b.release_();
  });

  it('keeps a lock while its tab lives: the holder renews it before it runs out', async () => {
    const { a, b, clock } = twoTabs(0);
    expect(await a.claim_('owner')).toBe(true);
    clock.advance(60_000); // both tabs live on; a's renewal timer runs
    expect(await b.claim_('owner')).toBe(false);
    a.release_();
    b.release_();
  });

  it("hands a crashed tab's lock over once its lease runs out (15 s without renewal)", async () => {
    const crashed = createManualClock(start); // never advanced: the tab stopped running
    const alive = createManualClock(start);
    const { a, b } = twoTabs(0, crashed, alive);
    expect(await a.claim_('owner')).toBe(true);
    alive.advance(14_000);
    expect(await b.claim_('owner')).toBe(false);
    alive.advance(2_000);
    expect(await b.claim_('owner')).toBe(true);
    b.release_();
  });

  it('frees its locks at once on release (a tab closing normally)', async () => {
    const { a, b, clock, storage } = twoTabs(0);
    expect(await a.claim_('owner')).toBe(true);
    a.release_();
    expect(await b.claim_('owner')).toBe(true);
    clock.advance(60_000); // a's renewal timer is gone: it does not take the lock back
    expect(storage.tab('b').get('owner')).toMatch(/^tab-b /);
    b.release_();
  });
});
