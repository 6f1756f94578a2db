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
import { offerTopK } from '../recommender/top-k.js';
import { type BoostedTrees, fitBoostedTreesInSteps, runToEnd, scoreBoostedTrees } from './boosted-trees.js';
import { type DailySales, VISIT_FEATURES, writeVisitFeatures } from './visit-sales.js';

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
/** Features of the "at the visit" ranker: the ahead-of-time ones, then what sells at the visit. */
export const VISIT_RANKER_FEATURES = [...RANKER_FEATURES, ...VISIT_FEATURES] as const;
const FV = VISIT_RANKER_FEATURES.length;

/** "At the visit": the visit day and the shop's daily sales (the rows are `VISIT_RANKER_FEATURES` wide). */
export interface VisitContext {
  day: number;
  sales: DailySales;
}

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

/** Candidates of one customer with their feature rows (`x`, row-major, `RANKER_FEATURES` wide, or `VISIT_RANKER_FEATURES` with a visit). */
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

/** Median of `xs`, which it sorts (by insertion: the lists are short, and Array#sort copies). */
function medianInPlace(xs: number[]): number {
  for (let k = 1; k < xs.length; k++) {
    const v = xs[k]!;
    let p = k;
    while (p > 0 && xs[p - 1]! > v) {
      xs[p] = xs[p - 1]!;
      p--;
    }
    xs[p] = v;
  }
  const m = xs.length >> 1;
  return xs.length % 2 ? xs[m]! : (xs[m - 1]! + xs[m]!) / 2;
}

/**
 * The candidates and features of a customer whose history is `prefix` (oldest first). `whole`
 * counts, per item, the orders of the customer's whole history holding it: their contribution
 * to the shop's statistics is taken out (omit it when `prefix` is the whole history).
 * `suggest(query, blocked)` asks the basket model. `buffer`, when long enough, holds the rows
 * (the request path reuses one). Parallel arrays, not an object per item: on the request path
 * allocation showed up as collector pauses in the tail latency. With `visit`, each row also
 * says what sells in the days before the visit (visit-sales.ts), without the customer's orders.
 */
export function rankerCandidates(
  prefix: readonly RankerOrder[],
  whole: ReadonlyMap<number, number> | undefined,
  shop: ShopItemStats,
  suggest: (query: number[], blocked: number[]) => ExploreSuggestion[],
  settings: RankerSettings,
  buffer?: Float64Array,
  visit?: VisitContext,
): RankerCandidates {
  const W = visit ? FV : F;
  const n = prefix.length;
  const lastDay = prefix[n - 1]!.day;
  // Per candidate row: the item, orders holding it, the last and first of them, its last day and
  // (only once bought on two different days) its distinct days.
  const row = new Map<number, number>();
  const items: number[] = [];
  const times: number[] = [];
  const last: number[] = [];
  const first: number[] = [];
  const lastDayOf: number[] = [];
  const daysOf: (number[] | undefined)[] = [];
  // With a visit: per row, the day of each order holding it before the visit day (one per order,
  // as the shop's sales count them), so they can be taken out of those sales.
  const ownDays: number[][] | undefined = visit ? [] : undefined;
  let repeats = 0;
  let later = 0;
  let size = 0;
  const gaps: number[] = [];
  for (let t = 0; t < n; t++) {
    const o = prefix[t]!;
    size += o.items.length;
    if (t > 0 && o.day !== prefix[t - 1]!.day) gaps.push(o.day - prefix[t - 1]!.day);
    for (const i of o.items) {
      let r = row.get(i);
      if (t > 0) {
        later++;
        if (r !== undefined) repeats++;
      }
      if (r === undefined) {
        r = items.length;
        row.set(i, r);
        items.push(i);
        times.push(0);
        first.push(t);
        last.push(t);
        lastDayOf.push(o.day);
        daysOf.push(undefined);
      } else if (lastDayOf[r] !== o.day) {
        const days = daysOf[r];
        if (days) days.push(o.day);
        else daysOf[r] = [lastDayOf[r]!, o.day];
        lastDayOf[r] = o.day;
      }
      times[r]!++;
      last[r] = t;
      if (visit && ownDays && o.day < visit.day) {
        const own = ownDays[r];
        if (own) own.push(o.day);
        else ownDays[r] = [o.day];
      }
    }
  }
  const repeatRatio = later > 0 ? repeats / later : -1;
  const meanSize = size / n;
  const lastSize = prefix[n - 1]!.items.length;
  const customerGap = gaps.length > 0 ? medianInPlace(gaps) : -1;
  // The most frequent items (then the most recent, then the first learned) query the basket model.
  const mine = items.length;
  const strongest: number[] = [];
  const stronger = (a: number, b: number) =>
    times[a]! > times[b]! ||
    (times[a] === times[b] && (last[a]! > last[b]! || (last[a] === last[b] && items[a]! < items[b]!)));
  for (let r = 0; r < mine; r++) offerTopK(strongest, settings.queryItems, r, stronger);
  const query: number[] = [];
  const inQuery = new Set<number>();
  for (const r of strongest) {
    query.push(items[r]!);
    inQuery.add(r);
  }
  const blocked: number[] = [];
  for (let r = 0; r < mine; r++) if (!inQuery.has(r)) blocked.push(items[r]!);
  const suggestions =
    settings.exploreCandidates > 0 ? suggest(query, blocked).slice(0, settings.exploreCandidates) : [];
  // Every cell of every row is written below, so a reused buffer needs no clearing.
  const cells = (mine + suggestions.length) * W;
  const x = buffer && buffer.length >= cells ? buffer.subarray(0, cells) : new Float64Array(cells);
  const otherOrders = Math.max(1, shop.orders - n);
  const describeItem = (i: number, own: number, at: number) => {
    const buyers = shop.buyers[i]! - (own > 0 ? 1 : 0);
    const rebuyers = shop.rebuyers[i]! - (own >= 2 ? 1 : 0);
    x[at + 11] = (rebuyers + 1) / (buyers + 5);
    x[at + 12] = buyers;
    x[at + 13] = (shop.holding[i]! - own) / otherOrders;
  };
  const expectedGap = customerGap > 0 ? customerGap : 45;
  for (let r = 0; r < mine; r++) {
    const at = r * W;
    const i = items[r]!;
    const days = daysOf[r];
    let interval = -1;
    if (days) {
      const own: number[] = [];
      for (let k = 1; k < days.length; k++) own.push(days[k]! - days[k - 1]!);
      interval = medianInPlace(own);
    }
    const since = lastDay - lastDayOf[r]!;
    x[at] = times[r]! / n;
    x[at + 1] = times[r]!;
    x[at + 2] = n;
    x[at + 3] = n - 1 - last[r]!;
    x[at + 4] = since;
    x[at + 5] = interval;
    x[at + 6] = (since + expectedGap) / (interval > 0 ? interval : expectedGap);
    x[at + 7] = repeatRatio;
    x[at + 8] = meanSize;
    x[at + 9] = lastSize;
    x[at + 10] = last[r] === n - 1 ? 1 : 0;
    describeItem(i, whole ? (whole.get(i) ?? 0) : times[r]!, at);
    x[at + 14] = 0;
    x[at + 15] = -1;
    x[at + 16] = 0;
    x[at + 17] = customerGap;
    x[at + 18] = first[r]! / n;
    if (visit) writeVisitFeatures(visit.sales, i, visit.day, ownDays![r], x, at + F);
  }
  const explore: boolean[] = new Array<boolean>(mine).fill(false);
  const goesWith: (string[] | undefined)[] = new Array<string[] | undefined>(mine).fill(undefined);
  for (let k = 0; k < suggestions.length; k++) {
    const s = suggestions[k]!;
    const at = (mine + k) * W;
    x[at] = 0;
    x[at + 1] = 0;
    x[at + 2] = n;
    x[at + 3] = -1;
    x[at + 4] = -1;
    x[at + 5] = -1;
    x[at + 6] = -1;
    x[at + 7] = repeatRatio;
    x[at + 8] = meanSize;
    x[at + 9] = lastSize;
    x[at + 10] = 0;
    describeItem(s.i, whole ? (whole.get(s.i) ?? 0) : 0, at);
    x[at + 14] = s.score;
    x[at + 15] = k;
    x[at + 16] = 1;
    x[at + 17] = customerGap;
    x[at + 18] = -1;
    // New to the customer before the visit: nothing of theirs to take out.
    if (visit) writeVisitFeatures(visit.sales, s.i, visit.day, undefined, x, at + F);
    items.push(s.i);
    explore.push(true);
    times.push(0);
    last.push(0);
    goesWith.push(s.goesWith);
  }
  return { items, explore, times, last, goesWith, x };
}

/** Scores every candidate with the ranker: the probability (log-odds) that it is in the next order. */
export function scoreCandidates(ranker: BoostedTrees, c: RankerCandidates): Float64Array {
  const out = new Float64Array(c.items.length);
  const width = c.x.length / Math.max(1, c.items.length);
  for (let r = 0; r < out.length; r++) out[r] = scoreBoostedTrees(ranker, c.x, r * width);
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

/** The fitted rankers: ahead of time, and (when asked for) at the visit. */
export interface FittedRankers {
  ahead: BoostedTrees;
  visit: BoostedTrees | undefined;
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
  return runToEnd(fitNextBasketRankersInSteps(customers, shop, suggest, options, undefined)).ahead;
}

/**
 * The rankers' fit in steps (see `fitBoostedTreesInSteps`): it pauses after each target's rows
 * and at every step of the trees, so a server can answer between steps. With `sales`, it also
 * fits the "at the visit" ranker, whose rows add what sold in the days before each target order
 * (from other customers' orders strictly before its day). Run to the end, it equals the fit in
 * one go exactly. It reads `customers`, `shop` and `sales` across steps: the caller passes
 * copies, or accepts that orders learned meanwhile may count.
 */
export function* fitNextBasketRankersInSteps(
  customers: Iterable<readonly RankerOrder[]>,
  shop: ShopItemStats,
  suggest: (query: number[], blocked: number[]) => ExploreSuggestion[],
  options: RankerTrainingOptions,
  sales: DailySales | undefined,
): Generator<void, FittedRankers> {
  const W = sales ? FV : F;
  // Each target's rows stay in their own array until all are known, then are copied once into
  // one matrix in slices: growing one buffer by doubling copied tens of megabytes in one step.
  const parts: Float64Array[] = [];
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
      // The visit features at the target order's own day: only what sold before it counts.
      const visit = sales ? { day: orders[t]!.day, sales } : undefined;
      const c = rankerCandidates(orders.slice(0, t), whole, shop, suggest, options, undefined, visit);
      const inTarget = new Set(orders[t]!.items);
      parts.push(c.x);
      for (const i of c.items) labels.push(inTarget.has(i) ? 1 : 0);
      yield;
    }
  }
  const rows = labels.length;
  const trees = { trees: options.trees, depth: options.depth, learningRate: options.learningRate };
  const x = new Float64Array(rows * W);
  // With the visit features, the ahead-of-time rows are the first F columns of each row.
  const aheadRows = sales ? new Float64Array(rows * F) : x;
  let row = 0;
  let copied = 0;
  for (const part of parts) {
    x.set(part, row * W);
    const n = part.length / W;
    // A plain loop, not a subarray per row: with the visit features this copy was 100–180 ms a slice.
    if (sales) for (let r = 0; r < n; r++) for (let f = 0; f < F; f++) aheadRows[(row + r) * F + f] = part[r * W + f]!;
    row += n;
    copied += part.length;
    if (copied >= 1 << 16) {
      copied = 0;
      yield;
    }
  }
  parts.length = 0;
  const ahead = yield* fitBoostedTreesInSteps(aheadRows, labels, rows, F, trees);
  const visit = sales ? yield* fitBoostedTreesInSteps(x, labels, rows, W, trees) : undefined;
  return { ahead, visit };
}
