/**
 * The learned next-basket ranker: gradient-boosted trees (boosted-trees.ts) over (customer,
 * candidate) pairs, fitted on the shop's own histories — each customer's last few orders serve as
 * targets, with only the orders before them as history — so no labelled data and no offline
 * weights are needed. Candidates are the customer's own items ("repeat") and the basket model's
 * "goes with what you buy" suggestions ("explore"); features are what a linear blend could not
 * combine: the item's share of the customer's orders with its recency and the customer's own
 * interval for it, how often the shop's customers buy the item again, the customer's habit of
 * re-buying, basket sizes, and the suggestion's strength.
 *
 * The shop's item statistics leave the customer out (their own orders are subtracted), so a
 * target order never counts towards its own features. The basket model's suggestions do not leave
 * them out (it is one fitted model): measured on the validation split, see bench/customers.mjs.
 */
import { type BoostedTrees, fitBoostedTrees, scoreBoostedTrees } from './boosted-trees.js';

/** Feature names, in row order (kept in the model's JSON, so a saved ranker is checked against them). */
export const RANKER_FEATURES = [
  'share',
  'times',
  'orders',
  'ordersSince',
  'daysSince',
  'ownInterval',
  'dueAhead',
  'repeatRatio',
  'meanSize',
  'lastSize',
  'inLast',
  'itemRepeatRate',
  'itemBuyers',
  'itemShare',
  'goesWith',
  'goesWithRank',
  'explore',
  'customerGap',
  'firstSeen',
] as const;
const F = RANKER_FEATURES.length;

/** One order as the ranker sees it: its day number and item indexes. */
export interface RankerOrder {
  day: number;
  items: readonly number[];
}

/** The shop's per-item statistics, over every order learned (the customer's own are subtracted). */
export interface ShopItemStats {
  /** Orders holding each item. */
  holding: ArrayLike<number>;
  /** Customers who bought each item, and those who bought it in at least two orders. */
  buyers: ArrayLike<number>;
  rebuyers: ArrayLike<number>;
  orders: number;
}

/** A "goes with what you buy" suggestion for a query of the customer's items. */
export interface ExploreSuggestion {
  i: number;
  score: number;
  goesWith: string[];
}

/** Candidates of one customer with their feature rows (`x`, row-major, `RANKER_FEATURES` wide). */
export interface RankerCandidates {
  items: number[];
  explore: boolean[];
  /** Repeat: orders holding the item and the index of the last one; explore: the query items it goes with. */
  times: number[];
  last: number[];
  goesWith: (string[] | undefined)[];
  x: Float64Array;
}

export interface RankerSettings {
  /** The customer's most frequent items that query the basket model (the model's `exploreQueryItems`). */
  queryItems: number;
  /** Explore candidates per customer. */
  exploreCandidates: number;
}

const medianOf = (xs: number[]) => {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * The candidates and features of a customer whose history is `prefix` (oldest first). `whole`
 * counts, per item, the orders of the customer's whole history holding it: their contribution
 * to the shop's statistics is taken out. `suggest(query, blocked)` asks the basket model.
 */
export function rankerCandidates(
  prefix: readonly RankerOrder[],
  whole: ReadonlyMap<number, number>,
  shop: ShopItemStats,
  suggest: (query: number[], blocked: number[]) => ExploreSuggestion[],
  settings: RankerSettings,
): RankerCandidates {
  const n = prefix.length;
  const lastDay = prefix[n - 1]!.day;
  const tally = new Map<number, { times: number; last: number; first: number; days: number[] }>();
  let repeats = 0;
  let later = 0;
  let size = 0;
  const orderDays: number[] = [];
  for (let t = 0; t < n; t++) {
    const o = prefix[t]!;
    size += o.items.length;
    if (orderDays[orderDays.length - 1] !== o.day) orderDays.push(o.day);
    for (const i of o.items) {
      let e = tally.get(i);
      if (t > 0) {
        later++;
        if (e) repeats++;
      }
      if (!e) {
        e = { times: 0, last: 0, first: t, days: [] };
        tally.set(i, e);
      }
      e.times++;
      e.last = t;
      if (e.days[e.days.length - 1] !== o.day) e.days.push(o.day);
    }
  }
  const repeatRatio = later > 0 ? repeats / later : -1;
  const meanSize = size / n;
  const lastSize = prefix[n - 1]!.items.length;
  const gaps: number[] = [];
  for (let k = 1; k < orderDays.length; k++) gaps.push(orderDays[k]! - orderDays[k - 1]!);
  const customerGap = gaps.length > 0 ? medianOf(gaps) : -1;
  const lastItems = new Set(prefix[n - 1]!.items);
  // The most frequent items (then the most recent, then the first learned) query the basket model.
  const mine = [...tally.keys()];
  const query = mine
    .slice()
    .sort((a, b) => tally.get(b)!.times - tally.get(a)!.times || tally.get(b)!.last - tally.get(a)!.last || a - b)
    .slice(0, settings.queryItems);
  const blocked = mine.filter((i) => !query.includes(i));
  const suggestions =
    settings.exploreCandidates > 0 ? suggest(query, blocked).slice(0, settings.exploreCandidates) : [];
  const rows = tally.size + suggestions.length;
  const out: RankerCandidates = {
    items: [],
    explore: [],
    times: [],
    last: [],
    goesWith: [],
    x: new Float64Array(rows * F),
  };
  const otherOrders = Math.max(1, shop.orders - n);
  const item = (i: number, at: number) => {
    const own = whole.get(i) ?? 0;
    const buyers = shop.buyers[i]! - (own > 0 ? 1 : 0);
    const rebuyers = shop.rebuyers[i]! - (own >= 2 ? 1 : 0);
    out.x[at + 11] = (rebuyers + 1) / (buyers + 5);
    out.x[at + 12] = buyers;
    out.x[at + 13] = (shop.holding[i]! - own) / otherOrders;
  };
  let r = 0;
  for (const [i, e] of tally) {
    const at = r++ * F;
    const x = out.x;
    const interval = e.days.length >= 2 ? medianOf(e.days.slice(1).map((d, k) => d - e.days[k]!)) : -1;
    const since = lastDay - e.days[e.days.length - 1]!;
    const expectedGap = customerGap > 0 ? customerGap : 45;
    x[at] = e.times / n;
    x[at + 1] = e.times;
    x[at + 2] = n;
    x[at + 3] = n - 1 - e.last;
    x[at + 4] = since;
    x[at + 5] = interval;
    x[at + 6] = (since + expectedGap) / (interval > 0 ? interval : expectedGap);
    x[at + 7] = repeatRatio;
    x[at + 8] = meanSize;
    x[at + 9] = lastSize;
    x[at + 10] = lastItems.has(i) ? 1 : 0;
    item(i, at);
    x[at + 14] = 0;
    x[at + 15] = -1;
    x[at + 16] = 0;
    x[at + 17] = customerGap;
    x[at + 18] = e.first / n;
    out.items.push(i);
    out.explore.push(false);
    out.times.push(e.times);
    out.last.push(e.last);
    out.goesWith.push(undefined);
  }
  suggestions.forEach((s, rank) => {
    const at = r++ * F;
    const x = out.x;
    x[at] = 0;
    x[at + 1] = 0;
    x[at + 2] = n;
    for (const k of [3, 4, 5, 6]) x[at + k] = -1;
    x[at + 7] = repeatRatio;
    x[at + 8] = meanSize;
    x[at + 9] = lastSize;
    x[at + 10] = 0;
    item(s.i, at);
    x[at + 14] = s.score;
    x[at + 15] = rank;
    x[at + 16] = 1;
    x[at + 17] = customerGap;
    x[at + 18] = -1;
    out.items.push(s.i);
    out.explore.push(true);
    out.times.push(0);
    out.last.push(0);
    out.goesWith.push(s.goesWith);
  });
  return out;
}

/** Scores every candidate with the ranker: the probability (log-odds) that it is in the next order. */
export function scoreCandidates(ranker: BoostedTrees, c: RankerCandidates): Float64Array {
  const out = new Float64Array(c.items.length);
  for (let r = 0; r < out.length; r++) out[r] = scoreBoostedTrees(ranker, c.x, r * F);
  return out;
}

export interface RankerTrainingOptions extends RankerSettings {
  /** Targets per customer: their last this-many orders, each with the orders before it (default 3). */
  targetsPerCustomer: number;
  /** At most this many targets in all (customers taken in a fixed order: `order`). */
  maxTargets: number;
  trees: number;
  depth: number;
  learningRate: number;
}

/**
 * Fits the ranker on the customers' own histories. `customers` must come in a fixed order (the
 * fit is deterministic for the same orders in the same order).
 */
export function fitNextBasketRanker(
  customers: Iterable<readonly RankerOrder[]>,
  shop: ShopItemStats,
  suggest: (query: number[], blocked: number[]) => ExploreSuggestion[],
  options: RankerTrainingOptions,
): BoostedTrees {
  let x = new Float64Array(1 << 16);
  const labels: number[] = [];
  let targets = 0;
  for (const orders of customers) {
    if (targets >= options.maxTargets) break;
    if (orders.length < 2) continue;
    const whole = new Map<number, number>();
    for (const o of orders) for (const i of o.items) whole.set(i, (whole.get(i) ?? 0) + 1);
    for (let back = 1; back <= options.targetsPerCustomer && targets < options.maxTargets; back++) {
      const t = orders.length - back;
      if (t < 1) break;
      targets++;
      const c = rankerCandidates(orders.slice(0, t), whole, shop, suggest, options);
      const inTarget = new Set(orders[t]!.items);
      const need = (labels.length + c.items.length) * F;
      if (need > x.length) {
        const grown = new Float64Array(Math.max(need, x.length * 2));
        grown.set(x);
        x = grown;
      }
      x.set(c.x, labels.length * F);
      for (const i of c.items) labels.push(inTarget.has(i) ? 1 : 0);
    }
  }
  return fitBoostedTrees(x.subarray(0, labels.length * F), labels, labels.length, F, {
    trees: options.trees,
    depth: options.depth,
    learningRate: options.learningRate,
  });
}
