// @vitest-environment node
import { TouchpointConfigError, type TouchpointEvent } from '@touchpoint/core';
import { describe, expect, it } from 'vitest';
import { createCustomerModel, customerModelFromJSON } from './create-customer-model.js';
import type { CustomerOrder } from './types.js';

const DAY = 86_400_000;
const START = Date.parse('2026-01-05T00:00:00Z');
const at = (day: number) => new Date(START + day * DAY).toISOString();

/**
 * A small shop over a year: coffee drinkers reorder beans every ~21 days and filters every other
 * order, tea drinkers reorder tea every ~14 days; some add a mug or a grinder now and then.
 */
function shopOrders(): CustomerOrder[] {
  let seed = 11;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const out: CustomerOrder[] = [];
  for (let c = 0; c < 40; c++) {
    const coffee = c % 2 === 0;
    const gap = coffee ? 21 : 14;
    let day = c % 7;
    for (let n = 0; day < 300; n++) {
      const items = coffee ? ['beans'] : ['tea'];
      if (coffee && n % 2 === 0) items.push('filters');
      if (rand() < 0.3) items.push(coffee ? 'grinder' : 'honey');
      if (rand() < 0.2) items.push('mug');
      out.push({ customer: `c${c}`, at: at(day), items, orderId: `o-${c}-${n}` });
      day += gap + Math.floor(rand() * 3) - 1;
    }
  }
  return out.sort((a, b) => Date.parse(String(a.at)) - Date.parse(String(b.at)));
}

describe('createCustomerModel', () => {
  it("puts the customer's own regulars first and explains them", () => {
    const model = createCustomerModel();
    model.learnOrders(shopOrders());
    model.fitRanker();
    const next = model.predictNextBasket('c0', { k: 3 });
    expect(next[0]).toMatchObject({ item: 'beans', kind: 'repeat' });
    expect(next[0]!.because).toMatch(/^you buy this about every 3 weeks; last time/);
    expect(next[0]!.timesBought).toBe(next[0]!.orders);
    // c0 buys filters with every other order: the learned ranker has learned the alternation from
    // the shop's histories (filters in the last order → not in the next), which the share of
    // orders (frequency ranker: filters always second) cannot express.
    const c0 = shopOrders().filter((o) => o.customer === 'c0');
    const lastHadFilters = c0[c0.length - 1]!.items.includes('filters');
    expect(next.map((x) => x.item).includes('filters')).toBe(!lastHadFilters);
    const byShare = model.predictNextBasket('c0', { k: 3, ranker: 'frequency' });
    expect(byShare.map((x) => x.item).slice(0, 2)).toEqual(['beans', 'filters']);
    // Tea drinkers never see coffee gear among their repeats.
    const tea = model.predictNextBasket('c1', { k: 2 });
    expect(tea[0]).toMatchObject({ item: 'tea', kind: 'repeat' });
  });

  it('suggests what goes with what the customer buys, and says so', () => {
    const model = createCustomerModel({ ranker: 'frequency', exploreWeight: 10 });
    model.learnOrders(shopOrders());
    model.learnOrders([{ customer: 'new', at: at(301), items: ['beans'] }]);
    const next = model.predictNextBasket('new', { k: 3, fillWithPopular: false });
    const explore = next.find((x) => x.kind === 'explore');
    expect(explore?.item).toBe('filters');
    expect(explore?.because).toBe('goes with what you usually buy: beans');
    expect(explore?.goesWith).toEqual(['beans']);
  });

  it('gives reserved last places to explore items only in place of weak repeats', () => {
    const model = createCustomerModel({
      ranker: 'frequency',
      exploreWeight: 0,
      exploreSlots: 1,
      exploreBelowShare: 0.4,
    });
    model.learnOrders(shopOrders());
    const kinds = (k: number, o = {}) => model.predictNextBasket('c0', { k, ...o }).map((x) => x.kind);
    // beans (every order) and filters (every other) are strong repeats: never displaced.
    expect(kinds(2)).toEqual(['repeat', 'repeat']);
    // The third place would be a weak repeat (grinder or mug, in under 40% of orders): explore takes it.
    const three = model.predictNextBasket('c0', { k: 3 });
    expect(three.map((x) => x.kind)).toEqual(['repeat', 'repeat', 'explore']);
    expect(three[2]!.because).toMatch(/^goes with what you usually buy: /);
    expect(kinds(3, { exploreSlots: 0 })).toEqual(['repeat', 'repeat', 'repeat']);
    expect(kinds(3, { exploreBelowShare: 0.1 })).toEqual(['repeat', 'repeat', 'repeat']);
    expect(() => createCustomerModel({ exploreSlots: 1.5 })).toThrow(/exploreSlots/);
  });

  it('skips the basket model only when no suggestion could reach the answer (same answers)', () => {
    for (const exploreWeight of [0.05, 1, 10]) {
      const model = createCustomerModel({ ranker: 'frequency', exploreWeight });
      model.learnOrders(shopOrders());
      model.learnOrders([{ customer: 'new', at: at(301), items: ['beans'] }]);
      for (const c of ['c0', 'c1', 'c7', 'new'])
        for (const k of [1, 2, 4]) {
          // With a reserved slot (that never displaces anything) the bound is never used.
          const always = model.predictNextBasket(c, { k, exploreSlots: 1, exploreBelowShare: 0 });
          expect(model.predictNextBasket(c, { k })).toEqual(always);
        }
    }
  });

  it('fills an unknown customer with best-sellers', () => {
    const model = createCustomerModel();
    model.learnOrders(shopOrders());
    const next = model.predictNextBasket('nobody', { k: 2 });
    expect(next.map((x) => x.kind)).toEqual(['popular', 'popular']);
    expect(next.map((x) => x.item)).toEqual(['tea', 'beans']); // tea is reordered more often
    expect(next[0]!.because).toBe('a best-seller');
  });

  it('expects the next order at the customer rhythm and says which items are due', () => {
    const model = createCustomerModel();
    model.learnOrders(shopOrders());
    const next = model.nextOrder('c0')!;
    expect(next.gapDays).toBeGreaterThan(14);
    expect(next.gapDays).toBeLessThan(28);
    const lastOrder = next.lastOrderAt;
    // Right after an order nothing is due within a week; three weeks later the beans are.
    const early = model.dueItems('c0', lastOrder + 2 * DAY, { withinDays: 7 });
    const late = model.dueItems('c0', lastOrder + 19 * DAY, { withinDays: 7 });
    expect(early[0]!.item).toBe('beans');
    expect(late[0]!.item).toBe('beans');
    expect(late[0]!.probability).toBeGreaterThan(0.5);
    expect(early[0]!.probability).toBeLessThan(0.15);
    expect(late[0]!.because).toBe('you buy this about every 3 weeks; last time 19 days ago');
    expect(model.dueItems('c0', lastOrder + 19 * DAY, { minProbability: 0.99 })).toEqual([]);
    expect(model.dueItems('nobody', lastOrder)).toEqual([]);
  });

  it('learning order by order equals learning everything at once', () => {
    const orders = shopOrders();
    const batch = createCustomerModel();
    batch.learnOrders(orders);
    const incremental = createCustomerModel();
    // Out of order and in small chunks, with a redelivered order on top.
    const shuffled = orders.slice().reverse();
    for (let i = 0; i < shuffled.length; i += 7) incremental.learnOrders(shuffled.slice(i, i + 7));
    incremental.learnOrders([orders[3]!]);
    expect(incremental.orderCount).toBe(batch.orderCount);
    for (const c of ['c0', 'c1', 'c7', 'c12']) {
      const a = batch.predictNextBasket(c);
      const b = incremental.predictNextBasket(c);
      expect(b.map((x) => x.item)).toEqual(a.map((x) => x.item));
      b.forEach((x, i) => {
        expect(x.score).toBeCloseTo(a[i]!.score, 9);
      });
      expect(incremental.nextOrder(c)).toEqual(batch.nextOrder(c));
      const now = Date.parse(at(310));
      expect(incremental.dueItems(c, now)).toEqual(batch.dueItems(c, now));
    }
  });

  it('forget removes a customer as if never learned', () => {
    const orders = shopOrders();
    const without = createCustomerModel({ exploreWeight: 1 });
    without.learnOrders(orders.filter((o) => o.customer !== 'c0'));
    const model = createCustomerModel({ exploreWeight: 1 });
    model.learnOrders(orders);
    const removed = model.forget('c0');
    expect(removed).toBe(orders.filter((o) => o.customer === 'c0').length);
    expect(model.forget('c0')).toBe(0);
    expect(model.nextOrder('c0')).toBeUndefined();
    expect(model.predictNextBasket('c0').every((x) => x.kind === 'popular')).toBe(true);
    expect(model.customerCount).toBe(without.customerCount);
    for (const c of ['c2', 'c3']) {
      expect(model.predictNextBasket(c).map((x) => [x.item, x.kind])).toEqual(
        without.predictNextBasket(c).map((x) => [x.item, x.kind]),
      );
      expect(model.nextOrder(c)).toEqual(without.nextOrder(c));
    }
    expect(JSON.stringify(model.toJSON())).not.toContain('"c0"');
  });

  it('learned ranker: incremental equals batch exactly when it refits on every change', () => {
    const orders = shopOrders();
    const batch = createCustomerModel();
    batch.learnOrders(orders);
    batch.fitRanker();
    const incremental = createCustomerModel({ rankerRefitShare: 0 });
    const shuffled = orders.slice().reverse();
    for (let i = 0; i < shuffled.length; i += 50) {
      incremental.learnOrders(shuffled.slice(i, i + 50));
      incremental.predictNextBasket('c0'); // fits on what it has so far
    }
    for (const c of ['c0', 'c1', 'c7', 'c12'])
      expect(incremental.predictNextBasket(c)).toEqual(batch.predictNextBasket(c));
  });

  it('learned ranker: keeps its fit until a share of the orders is new, or fitRanker()', () => {
    const orders = shopOrders();
    const cut = Math.floor(orders.length * 0.95);
    const model = createCustomerModel({ rankerRefitShare: 0.1 });
    model.learnOrders(orders.slice(0, cut));
    model.fitRanker();
    const fitted = JSON.stringify(model.toJSON().ranker);
    model.learnOrders(orders.slice(cut)); // 5% new: the ranker stays
    model.predictNextBasket('c0');
    expect(JSON.stringify(model.toJSON().ranker?.trees)).toBe(JSON.stringify(JSON.parse(fitted).trees));
    model.fitRanker();
    const batch = createCustomerModel();
    batch.learnOrders(orders);
    batch.fitRanker();
    expect(model.toJSON().ranker?.trees).toEqual(batch.toJSON().ranker?.trees);
    expect(model.predictNextBasket('c3')).toEqual(batch.predictNextBasket('c3'));
  });

  it('learned ranker: forget refits without the customer, and the JSON drops the old fit', () => {
    const orders = shopOrders();
    const model = createCustomerModel({ rankerRefitShare: 0 });
    model.learnOrders(orders);
    model.predictNextBasket('c2');
    expect(model.toJSON().ranker).toBeDefined();
    model.forget('c0');
    expect(model.toJSON().ranker).toBeUndefined(); // fitted with c0's orders: not kept
    const without = createCustomerModel();
    without.learnOrders(orders.filter((o) => o.customer !== 'c0'));
    without.fitRanker();
    expect(model.predictNextBasket('c2')).toEqual(without.predictNextBasket('c2'));
    expect(model.toJSON().ranker).toEqual(without.toJSON().ranker);
  });

  it('learned ranker: stale trees keep answering while the refit runs in the background', async () => {
    const orders = shopOrders();
    const cut = Math.floor(orders.length * 0.8);
    const model = createCustomerModel();
    model.learnOrders(orders.slice(0, cut));
    model.fitRanker();
    const oldTrees = JSON.stringify(model.toJSON().ranker?.trees);
    // The old trees, restored into a copy that has learned the new orders too but never refits.
    const stale = customerModelFromJSON(JSON.stringify(model.toJSON()), {});
    stale.learnOrders(orders.slice(cut));
    model.learnOrders(orders.slice(cut)); // 20% new: stale
    expect(model.rankerStatus()).toMatchObject({ answersWith: 'learned', state: 'stale' });
    const during = model.predictNextBasket('c3'); // starts the refit; answers at once
    expect(model.rankerStatus().state).toBe('refitting');
    expect(JSON.stringify(model.toJSON().ranker?.trees)).toBe(oldTrees);
    const staleJson = stale.toJSON();
    staleJson.ranker!.changedSince = 0; // a copy that keeps the old trees as fitted
    expect(during).toEqual(customerModelFromJSON(staleJson).predictNextBasket('c3'));
    // Answers while it runs: the event loop turns many times before the refit is done.
    let turns = 0;
    let done = false;
    const refit = model.refitRanker().then(() => {
      done = true;
    });
    while (!done) {
      await new Promise((resolve) => setImmediate(resolve));
      turns++;
      if (!done) expect(JSON.stringify(model.toJSON().ranker?.trees)).toBe(oldTrees);
    }
    await refit;
    const status = model.rankerStatus();
    expect(status).toMatchObject({ answersWith: 'learned', state: 'fitted', backgroundRefits: 1, changedSince: 0 });
    // Every step gave the loop back: at least one turn per tree (50) and per target.
    expect(status.lastRefitSteps).toBeGreaterThan(100);
    expect(turns).toBeGreaterThanOrEqual(status.lastRefitSteps - 1);
    const batch = createCustomerModel();
    batch.learnOrders(orders);
    batch.fitRanker();
    expect(model.toJSON().ranker).toEqual(batch.toJSON().ranker);
    for (const c of ['c0', 'c3', 'c8']) expect(model.predictNextBasket(c)).toEqual(batch.predictNextBasket(c));
  });

  it('learned ranker: after forget the frequency ranker answers until the background refit is done', async () => {
    const orders = shopOrders();
    const model = createCustomerModel();
    model.learnOrders(orders);
    model.fitRanker();
    // A refit is already running when the customer is erased: it must start over without them.
    model.learnOrders([{ customer: 'c0', at: at(301), items: ['beans', 'mug'], orderId: 'late' }]);
    const running = model.refitRanker();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(model.rankerStatus().state).toBe('refitting');
    model.forget('c0');
    expect(model.rankerStatus().answersWith).toBe('frequency');
    expect(model.toJSON().ranker).toBeUndefined();
    const without = createCustomerModel();
    without.learnOrders(orders.filter((o) => o.customer !== 'c0'));
    for (const c of ['c2', 'c5'])
      expect(model.predictNextBasket(c)).toEqual(without.predictNextBasket(c, { ranker: 'frequency' }));
    await running;
    expect(model.rankerStatus()).toMatchObject({ answersWith: 'learned', state: 'fitted' });
    without.fitRanker();
    expect(model.toJSON().ranker).toEqual(without.toJSON().ranker);
    for (const c of ['c2', 'c5']) expect(model.predictNextBasket(c)).toEqual(without.predictNextBasket(c));
  });

  it('learned ranker: before its first fit the frequency ranker answers and the fit starts in the background', async () => {
    const errors: unknown[] = [];
    const model = createCustomerModel({ onError: (e) => errors.push(e) });
    model.learnOrders(shopOrders());
    expect(model.predictNextBasket('c4')).toEqual(model.predictNextBasket('c4', { ranker: 'frequency' }));
    expect(model.rankerStatus()).toMatchObject({ answersWith: 'frequency', state: 'refitting' });
    await model.refitRanker(); // joins the running fit
    expect(model.rankerStatus()).toMatchObject({ answersWith: 'learned', backgroundRefits: 1 });
    expect(errors).toEqual([]);
    expect(JSON.stringify(model.toJSON())).not.toContain('onError');
  });

  it('at the visit: weighs what sold before the visit day, exact under incremental learning, forget and JSON', () => {
    const orders = shopOrders();
    const visit = { k: 5, at: at(305) };
    const model = createCustomerModel({ rankerAtVisit: true, rankerRefitShare: 0 });
    expect(() => createCustomerModel().predictNextBasket('c0', visit)).toThrow(TouchpointConfigError);
    expect(() => model.predictNextBasket('c0', { at: 'soon' })).toThrow(TouchpointConfigError);
    const shuffled = orders.slice().reverse();
    for (let i = 0; i < shuffled.length; i += 100) model.learnOrders(shuffled.slice(i, i + 100));
    const batch = createCustomerModel({ rankerAtVisit: true });
    batch.learnOrders(orders);
    batch.fitRanker();
    for (const c of ['c0', 'c1', 'c6']) {
      expect(model.predictNextBasket(c, visit)).toEqual(batch.predictNextBasket(c, visit));
      expect(model.predictNextBasket(c, visit)[0]!.kind).toBe('repeat');
    }
    // The visit trees are their own fit (wider rows), saved beside the ahead-of-time ones.
    const json = batch.toJSON();
    expect(json.ranker?.visit?.features).toContain('sales7Ratio');
    expect(json.ranker?.visit?.trees).not.toEqual(json.ranker?.trees);
    const copy = customerModelFromJSON(JSON.stringify(json));
    expect(copy.predictNextBasket('c1', visit)).toEqual(batch.predictNextBasket('c1', visit));
    // Erasure takes the customer's orders out of the daily sales too.
    model.forget('c0');
    const without = createCustomerModel({ rankerAtVisit: true });
    without.learnOrders(orders.filter((o) => o.customer !== 'c0'));
    without.fitRanker();
    expect(model.predictNextBasket('c2', visit)).toEqual(without.predictNextBasket('c2', visit));
    expect(model.toJSON().ranker).toEqual(without.toJSON().ranker);
  });

  it('round-trips through JSON with identical answers', () => {
    const model = createCustomerModel({ exploreWeight: 0.5, gapQuantile: 0.5 });
    model.learnOrders(shopOrders());
    const copy = customerModelFromJSON(JSON.stringify(model.toJSON()));
    const now = Date.parse(at(305));
    for (const c of ['c0', 'c1', 'c9']) {
      expect(copy.predictNextBasket(c)).toEqual(model.predictNextBasket(c));
      expect(copy.dueItems(c, now)).toEqual(model.dueItems(c, now));
    }
    expect(() => customerModelFromJSON('{"format":"other"}')).toThrow(TouchpointConfigError);
    // The learned ranker travels in the JSON: the copy answers without refitting.
    const learned = createCustomerModel();
    learned.learnOrders(shopOrders());
    learned.fitRanker();
    const json = learned.toJSON();
    expect(json.ranker?.trees.trees.length).toBe(50);
    const restored = customerModelFromJSON(JSON.stringify(json));
    expect(restored.toJSON().ranker).toEqual(json.ranker);
    for (const c of ['c0', 'c1', 'c9']) expect(restored.predictNextBasket(c)).toEqual(learned.predictNextBasket(c));
    expect(restored.toJSON().ranker).toEqual(json.ranker); // answered without a refit
  });

  it('learns from forwarded order.completed touchpoints of signed-in customers', () => {
    const model = createCustomerModel();
    const event = (userId: string | undefined, day: number, orderId: string, items: string[]): TouchpointEvent =>
      ({
        type: 'track',
        event: 'order.completed',
        messageId: `m-${orderId}`,
        anonymousId: 'a1',
        ...(userId ? { userId } : {}),
        timestamp: at(day),
        properties: { orderId, items: items.map((productId) => ({ productId })) },
      }) as TouchpointEvent;
    const result = model.learnEvents([
      event('u1', 0, 'o1', ['beans']),
      event('u1', 20, 'o2', ['beans', 'filters']),
      event('u1', 20, 'o2', ['beans', 'filters']), // redelivered
      event(undefined, 21, 'o3', ['tea']), // anonymous: no history to time
    ]);
    expect(result).toEqual({ accepted: 3, skipped: 0 });
    expect(model.orderCount).toBe(2);
    expect(model.predictNextBasket('u1', { k: 1 })[0]).toMatchObject({ item: 'beans', timesBought: 2, orders: 2 });
  });

  it('skips bad orders and rejects bad options with the field named', () => {
    const model = createCustomerModel();
    const result = model.learnOrders([
      { customer: '', at: 0, items: ['a'] },
      { customer: 'x', at: 'not a date', items: ['a'] },
      { customer: 'x', at: 0, items: [] },
      { customer: 'x', at: 0, items: ['a', 'a'] },
    ]);
    expect(result).toEqual({ accepted: 1, skipped: 3 });
    expect(() => createCustomerModel({ gapQuantile: 0 })).toThrow(/gapQuantile/);
    expect(() => createCustomerModel({ exploreWeight: -1 })).toThrow(TouchpointConfigError);
    expect(() => createCustomerModel({ ranker: 'magic' as 'learned' })).toThrow(/ranker/);
    expect(() => createCustomerModel({ rankerTrees: 0 })).toThrow(/rankerTrees/);
    expect(() => model.dueItems('x', 0, { withinDays: 0 })).toThrow(/withinDays/);
  });
});
