// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { RANKER_FEATURES, rankerCandidates, type ShopItemStats } from './next-basket-ranker.js';

const F = RANKER_FEATURES.length;
const at = (name: (typeof RANKER_FEATURES)[number]) => RANKER_FEATURES.indexOf(name);

describe('rankerCandidates', () => {
  // Items 0 (bought in 3 of 4 orders), 1 (once, in the last order); the shop adds items 2 and 3.
  const orders = [
    { day: 0, items: [0] },
    { day: 10, items: [0] },
    { day: 20, items: [2] },
    { day: 30, items: [0, 1] },
  ];
  const whole = new Map([
    [0, 3],
    [1, 1],
    [2, 1],
  ]);
  // Counts over the whole shop, this customer included: 20 orders.
  const shop: ShopItemStats = { holding: [8, 4, 6, 5], buyers: [5, 3, 4, 5], rebuyers: [2, 0, 1, 3], orders: 20 };
  const settings = { queryItems: 16, exploreCandidates: 10 };

  it("describes the customer's items from their history, and the shop's without them", () => {
    const c = rankerCandidates(orders, whole, shop, () => [], settings);
    expect(c.items).toEqual([0, 2, 1]);
    const row = (i: number) => c.x.subarray(c.items.indexOf(i) * F, (c.items.indexOf(i) + 1) * F);
    const zero = row(0);
    expect(zero[at('share')]).toBe(3 / 4);
    expect(zero[at('times')]).toBe(3);
    expect(zero[at('ordersSince')]).toBe(0);
    expect(zero[at('ownInterval')]).toBe(15); // days 0, 10, 30: gaps 10 and 20
    expect(zero[at('inLast')]).toBe(1);
    // The shop without this customer: 4 other buyers of item 0, 1 of them re-buys it; 5 of 16 orders.
    expect(zero[at('itemBuyers')]).toBe(4);
    expect(zero[at('itemRepeatRate')]).toBe((1 + 1) / (4 + 5));
    expect(zero[at('itemShare')]).toBe(5 / 16);
    // Of the 4 items bought after the first order, 2 were repeats (item 0 twice).
    expect(zero[at('repeatRatio')]).toBe(2 / 4);
    expect(row(2)[at('daysSince')]).toBe(10);
    expect(row(2)[at('ownInterval')]).toBe(-1);
  });

  it('adds the basket model suggestions as explore rows, asked with the most frequent items', () => {
    let asked: number[] = [];
    let blocked: number[] = [];
    const c = rankerCandidates(
      orders,
      whole,
      shop,
      (query, block) => {
        asked = query;
        blocked = block;
        return [{ i: 3, score: 0.4, goesWith: ['zero'] }];
      },
      { queryItems: 2, exploreCandidates: 10 },
    );
    expect(asked).toEqual([0, 1]); // item 0 (3 orders), then the most recent of the single ones
    expect(blocked).toEqual([2]);
    const r = c.items.indexOf(3);
    expect(c.explore[r]).toBe(true);
    expect(c.goesWith[r]).toEqual(['zero']);
    expect(c.x[r * F + at('goesWith')]).toBe(0.4);
    expect(c.x[r * F + at('explore')]).toBe(1);
    expect(c.x[r * F + at('itemBuyers')]).toBe(5); // not a buyer of item 3: nothing subtracted
  });
});
