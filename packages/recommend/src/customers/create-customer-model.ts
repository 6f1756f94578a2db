/**
 * `createCustomerModel`: knows each customer's orders and the calendar. It answers the two
 * questions a shop asks every day — what will this customer buy in their next order
 * (`predictNextBasket`), and which items they bought before are due again (`dueItems`) — with a
 * plain reason for every answer. It learns incrementally, order by order, keyed by customer id;
 * `forget(customer)` erases a customer as if never learned; `toJSON()` round-trips exactly.
 *
 * Next basket (`ranker: 'learned'`, the default): the customer's own items and "goes with what you
 * buy" suggestions of a basket recommender fed the same orders, ranked by gradient-boosted trees
 * fitted on the shop's own histories (next-basket-ranker.ts). With `ranker: 'frequency'`: the
 * customer's own items ranked by the share of their orders that held them (ties to the shop's
 * best-sellers), blended with the suggestions weighted by `exploreWeight`. Optionally
 * (`exploreSlots`, off by default: see its TSDoc) the last places go to those suggestions instead
 * of weak repeats.
 */
import { TouchpointConfigError, type TouchpointEvent } from '@touchpoint/core';
import { createRecommender } from '../recommender/create-recommender.js';
import { offerTopK } from '../recommender/top-k.js';
import type { Interaction, RecommendModel } from '../recommender/types.js';
import type { BoostedTrees } from './boosted-trees.js';
import { check, resolveOptions } from './customer-model-options.js';
import {
  type ExploreSuggestion,
  fitNextBasketRankersInSteps,
  RANKER_FEATURES,
  type RankerOrder,
  rankerCandidates,
  scoreCandidates,
  VISIT_RANKER_FEATURES,
} from './next-basket-ranker.js';
import {
  agoPhrase,
  createShopTempo,
  DAY_MS,
  everyPhrase,
  gapsOf,
  median,
  orderWithin,
  ownGapDays,
  type RhythmSettings,
  type ShopTempo,
} from './order-rhythm.js';
import { ordersFromEvents } from './orders-from-events.js';
import { createRankerRefits, hashOrder, type RankerFit } from './ranker-refits.js';
import type {
  CustomerModelJSON,
  CustomerModelOptions,
  CustomerOrder,
  DueItem,
  NextBasketItem,
  NextOrderEstimate,
  RankerStatus,
} from './types.js';
import { createDailySales, type DailySales } from './visit-sales.js';

export interface PredictNextBasketOptions {
  /** How many items (default 10). */
  k?: number;
  /** Items never to suggest (e.g. already in the cart). */
  exclude?: readonly string[];
  /** Fill empty slots with best-sellers (default true). */
  fillWithPopular?: boolean;
  /** "Now" for the reasons' "last time … ago" (epoch ms; default: the customer's last order). */
  now?: number;
  /** Overrides the model's `exploreWeight` for this answer (more or less discovery). */
  exploreWeight?: number;
  /** Overrides the model's `exploreSlots` for this answer. */
  exploreSlots?: number;
  /** Overrides the model's `exploreBelowShare` for this answer. */
  exploreBelowShare?: number;
  /** Overrides the model's `ranker` for this answer. */
  ranker?: 'learned' | 'frequency';
  /**
   * "At the visit": the customer is in the shop now, at this time (epoch ms or ISO 8601), and the
   * learned ranker also weighs what sold in the days before it (needs `rankerAtVisit: true`).
   * Only orders of other customers on days before the visit count. It also sets `now`.
   */
  at?: number | string;
}

export interface DueItemsOptions {
  /** The window "due" means: bought within this many days of `now` (default 7). */
  withinDays?: number;
  /** Only items at least this likely (default 0). */
  minProbability?: number;
  /** At most this many, most likely first (default 10). */
  limit?: number;
}

export interface LearnOrdersResult {
  accepted: number;
  /** Dropped: no customer, no items, or an invalid date. */
  skipped: number;
}

export interface CustomerModel {
  /**
   * Learns completed orders. An order whose `orderId` the customer already has is merged.
   * @example
   * customers.learnOrders([{ customer: 'u1', at: '2026-11-02', items: ['coffee', 'filters'], orderId: 'o-1' }]);
   */
  learnOrders(orders: Iterable<CustomerOrder>): LearnOrdersResult;
  /**
   * Learns the `order.completed` touchpoints of signed-in customers (a forwarder batch).
   * @example
   * customers.learnEvents(batch); // from a forwarder destination
   */
  learnEvents(events: readonly TouchpointEvent[]): LearnOrdersResult;
  /**
   * The customer's likely next basket, best first, each with its reason.
   * @example
   * customers.predictNextBasket('u1', { k: 3 });
   * // [{ item: 'coffee', kind: 'repeat', because: 'you bought this in 4 of your 5 orders; last time 12 days ago', … }, …]
   */
  predictNextBasket(customer: string, options?: PredictNextBasketOptions): NextBasketItem[];
  /**
   * When the customer's next order is expected; undefined for an unknown customer.
   * @example
   * customers.nextOrder('u1'); // { at: Date.parse('2026-11-23'), gapDays: 21, … }
   */
  nextOrder(customer: string): NextOrderEstimate | undefined;
  /**
   * Items the customer bought in at least two orders, with the probability they buy each within
   * `withinDays` of `now`, most likely first.
   * @example
   * customers.dueItems('u1', Date.now(), { withinDays: 7, minProbability: 0.2 });
   * // [{ item: 'coffee', probability: 0.41, because: 'you buy this about every 3 weeks; last time 24 days ago', … }]
   */
  dueItems(customer: string, now: number, options?: DueItemsOptions): DueItem[];
  /** Erasure: removes every order of the customer, as if never learned. Returns how many. */
  forget(customer: string): number;
  /** Orders, compactly, for `customerModelFromJSON` (answers are identical after the round trip). */
  toJSON(): CustomerModelJSON;
  /**
   * Fits the learned next-basket ranker now, in one go, on every order learned so far (exact:
   * the same trees as a model that learned everything at once; it blocks for the whole fit, which
   * takes seconds at 100k customers — for tests, batch jobs and start-up). Without it the model
   * fits by itself in the background (`refitRanker`) when an answer finds no trees, finds
   * `rankerRefitShare` of the orders new since the last fit, or follows a `forget`.
   * @example
   * customers.learnOrders(historicOrders);
   * customers.fitRanker(); // before the server takes requests
   */
  fitRanker(): void;
  /**
   * Refits the learned ranker in the background: the fit gives the event loop back between
   * small steps (a few milliseconds each), answers meanwhile use the current trees (or, with none
   * or after a `forget`, the frequency ranker), and concurrent calls share one refit. Resolves
   * when the new trees answer; rejects with the fit's error (also reported to `onError` and kept
   * in `rankerStatus()`).
   * @example
   * customers.learnOrders(todaysOrders);
   * await customers.refitRanker();
   */
  refitRanker(): Promise<void>;
  /**
   * What the learned ranker answers with now, and how its refits went.
   * @example
   * customers.rankerStatus(); // { answersWith: 'learned', state: 'fitted', … }
   */
  rankerStatus(): RankerStatus;
  /** The basket model that supplies explore suggestions (refitted if needed). */
  basketModel(): RecommendModel;
  readonly customerCount: number;
  readonly orderCount: number;
}

/** A candidate of one next-basket answer, before it is explained. */
interface Scored {
  i: number;
  score: number;
  explore: boolean;
  /** Repeat: orders holding the item, and the index of the last one. */
  times: number;
  last: number;
  /** Explore: the customer's items it goes with. */
  goesWith?: string[];
}

interface Order {
  at: number;
  day: number;
  key: string;
  orderId: string | undefined;
  items: number[];
}

function toTime(t: number | string): number {
  return typeof t === 'number' ? t : typeof t === 'string' ? Date.parse(t) : Number.NaN;
}

/**
 * @example
 * const customers = createCustomerModel();
 * customers.learnOrders(historicOrders); // [{ customer, at, items, orderId }]
 * customers.predictNextBasket('u1');     // what they will likely buy next, with reasons
 * customers.dueItems('u1', Date.now());  // what is due again, with a probability
 */
export function createCustomerModel(options: CustomerModelOptions = {}): CustomerModel {
  return buildCustomerModel(options, undefined);
}

/** A ranker restored from JSON, with the count of orders changed since it was fitted. */
interface SavedRanker {
  trees: BoostedTrees;
  visitTrees: BoostedTrees | undefined;
  changedSince: number;
  fittedOn: number;
}

/** A customer model, optionally restored from JSON: its orders, then the ranker fitted on them. */
function buildCustomerModel(
  options: CustomerModelOptions,
  restore: { orders: CustomerOrder[]; ranker: SavedRanker | undefined } | undefined,
): CustomerModel {
  const o = resolveOptions(options);
  const rhythm: RhythmSettings = {
    quantile: o.gapQuantile,
    decay: o.gapDecay,
    priorGapDays: o.priorGapDays,
    priorGapWeight: o.priorGapWeight,
    tempoExponent: o.tempoExponent,
  };
  const recommender = createRecommender(o.basket);
  const ids: string[] = [];
  const index = new Map<string, number>();
  const holding: number[] = []; // orders holding each item: the tie-break and the popular fill
  // Customers who bought each item, and those who bought it in two or more orders (the ranker's
  // "how often do buyers buy it again"), kept exact through learnOrders and forget.
  const buyers: number[] = [];
  const rebuyers: number[] = [];
  // Orders learned so far (merges included): the learned ranker's fits are dated by it.
  let changes = 0;
  // "At the visit": the shop's orders per item and day (only with `rankerAtVisit`).
  const sales: DailySales | undefined = o.rankerAtVisit ? createDailySales() : undefined;
  const customers = new Map<string, Order[]>();
  let orderCount = 0;
  let autoKey = 0;
  let tempo: ShopTempo | undefined;
  let popular: number[] | undefined;
  let pendingInteractions: Interaction[] = [];
  function basketModel(): RecommendModel {
    if (pendingInteractions.length > 0) {
      recommender.learn(pendingInteractions);
      pendingInteractions = [];
    }
    return recommender.model();
  }

  const intern = (id: string) => {
    let i = index.get(id);
    if (i === undefined) {
      i = ids.length;
      ids.push(id);
      index.set(id, i);
      holding.push(0);
      buyers.push(0);
      rebuyers.push(0);
    }
    return i;
  };
  const byPopularity = (a: number, b: number) => holding[b]! - holding[a]! || (ids[a]! < ids[b]! ? -1 : 1);

  function learnOne(x: CustomerOrder): boolean {
    if (!x || typeof x.customer !== 'string' || !x.customer || !Array.isArray(x.items)) return false;
    const at = toTime(x.at);
    if (!Number.isFinite(at)) return false;
    const items = [...new Set(x.items.filter((id): id is string => typeof id === 'string' && id.length > 0))];
    if (items.length === 0) return false;
    let orders = customers.get(x.customer);
    if (!orders) {
      orders = [];
      customers.set(x.customer, orders);
    }
    const orderId = typeof x.orderId === 'string' && x.orderId ? x.orderId : undefined;
    let order = orderId === undefined ? undefined : orders.find((e) => e.orderId === orderId);
    if (!order) {
      const key = orderId ?? `#${autoKey++}`;
      order = { at, day: Math.floor(at / DAY_MS), key, orderId, items: [] };
      // Keep orders oldest first, then by key (an order learned late slots into place, and the
      // order of learning never shows in the answers).
      let p = orders.length;
      while (p > 0 && (orders[p - 1]!.at > at || (orders[p - 1]!.at === at && orders[p - 1]!.key > key))) p--;
      orders.splice(p, 0, order);
      orderCount++;
    }
    changes++;
    const added: number[] = [];
    for (const id of items) {
      const i = intern(id);
      if (!order.items.includes(i)) {
        order.items.push(i);
        added.push(i);
        holding[i]!++;
        let times = 0;
        for (const x of orders) if (x.items.includes(i)) times++;
        if (times === 1) buyers[i]!++;
        else if (times === 2) rebuyers[i]!++;
      }
    }
    sales?.add(order.day, added, 1);
    // The basket model learns in one batch when it is next needed (much faster than per order).
    const basketId = `${x.customer}\u0000${order.key}`;
    for (const item of items)
      pendingInteractions.push({ subject: x.customer, item, kind: 'purchase', basketId, timestamp: order.at });
    return true;
  }

  function learnOrders(orders: Iterable<CustomerOrder>): LearnOrdersResult {
    let accepted = 0;
    let skipped = 0;
    for (const x of orders) {
      if (learnOne(x)) accepted++;
      else skipped++;
    }
    if (accepted > 0) {
      tempo = undefined;
      popular = undefined;
    }
    return { accepted, skipped };
  }

  function shopTempo(): ShopTempo {
    tempo ??= createShopTempo(
      (function* () {
        for (const orders of customers.values()) yield distinctDays(orders);
      })(),
      o.tempoWindowDays,
    );
    return tempo;
  }

  function distinctDays(orders: readonly Order[]): number[] {
    const days: number[] = [];
    for (const x of orders) if (days[days.length - 1] !== x.day) days.push(x.day);
    return days;
  }

  /** Per item of the customer: orders holding it, last order index, its distinct days. */
  function itemsOf(orders: readonly Order[]) {
    const out = new Map<number, { times: number; lastIndex: number; days: number[] }>();
    orders.forEach((x, t) => {
      for (const i of x.items) {
        let e = out.get(i);
        if (!e) {
          e = { times: 0, lastIndex: 0, days: [] };
          out.set(i, e);
        }
        e.times++;
        e.lastIndex = t;
        if (e.days[e.days.length - 1] !== x.day) e.days.push(x.day);
      }
    });
    return out;
  }

  function nextOrder(customer: string): NextOrderEstimate | undefined {
    const orders = customers.get(customer);
    if (!orders || orders.length === 0) return undefined;
    const days = distinctDays(orders);
    const last = days[days.length - 1]!;
    const own = ownGapDays(gapsOf(days), rhythm, shopTempo().sigma);
    const gapDays = own * shopTempo().at(last) ** o.tempoExponent;
    return {
      at: Math.round(last + gapDays) * DAY_MS,
      gapDays,
      lastOrderAt: last * DAY_MS,
      orderDays: days.length,
    };
  }

  function repeatReason(times: number, orders: number, days: number[], nowDay: number): string {
    const ago = agoPhrase(nowDay - days[days.length - 1]!);
    if (days.length >= 2) return `you buy this about ${everyPhrase(median(gapsOf(days)))}; last time ${ago}`;
    return `you bought this in ${times} of your ${orders} orders; last time ${ago}`;
  }

  // Per-call tallies of a customer's items in reusable typed arrays (stamped by generation, so
  // nothing is cleared or allocated per answer): predictNextBasket is on the request path, and at
  // a million orders per-call Maps and closures showed up in its tail latency.
  let tallyStamp = new Uint32Array(0);
  let tallyTimes = new Int32Array(0);
  let tallyLast = new Int32Array(0);
  let tallied = new Int32Array(0);
  let tallyGeneration = 0;
  /** Counts the orders holding each item and the last one's index; returns how many items (in `tallied`). */
  function tally(orders: readonly Order[]): number {
    if (tallyStamp.length < ids.length) {
      const size = Math.max(ids.length, tallyStamp.length * 2, 64);
      tallyStamp = new Uint32Array(size);
      tallyTimes = new Int32Array(size);
      tallyLast = new Int32Array(size);
      tallied = new Int32Array(size);
      tallyGeneration = 0;
    }
    tallyGeneration = (tallyGeneration + 1) >>> 0;
    if (tallyGeneration === 0) {
      tallyStamp.fill(0);
      tallyGeneration = 1;
    }
    const g = tallyGeneration;
    let count = 0;
    for (let t = 0; t < orders.length; t++)
      for (const i of orders[t]!.items) {
        if (tallyStamp[i] !== g) {
          tallyStamp[i] = g;
          tallyTimes[i] = 0;
          tallied[count++] = i;
        }
        tallyTimes[i]!++;
        tallyLast[i] = t;
      }
    return count;
  }
  /** The explore query takes the customer's most frequent items, then the most recent, then the first learned. */
  const queryFirst = (a: number, b: number) =>
    tallyTimes[a]! > tallyTimes[b]! ||
    (tallyTimes[a] === tallyTimes[b] && (tallyLast[a]! > tallyLast[b]! || (tallyLast[a] === tallyLast[b] && a < b)));

  const bestFirst = (a: Scored, b: Scored) => b.score - a.score || byPopularity(a.i, b.i);
  const better = (a: Scored, b: Scored) => a.score > b.score || (a.score === b.score && byPopularity(a.i, b.i) < 0);

  // Per item (our index): its strongest neighbour weight in the basket model, for the bound above,
  // asked of the model item by item when first needed (a one-item query's best score is exactly
  // that) and forgotten when the basket model is refitted (a new model object).
  let ceilingOf: RecommendModel | undefined;
  let ceilingRow = new Float64Array(0);
  function strongestNeighbour(model: RecommendModel, i: number): number {
    if (ceilingOf !== model || ceilingRow.length < ids.length) {
      ceilingRow = new Float64Array(Math.max(ids.length, 64)).fill(Number.NaN);
      ceilingOf = model;
    }
    let w = ceilingRow[i]!;
    if (Number.isNaN(w)) {
      const best = model.recommend({ items: [ids[i]!], k: 1, fillWithPopular: false })[0];
      w = best === undefined ? 0 : Math.max(0, best.score);
      ceilingRow[i] = w;
    }
    return w;
  }

  /** Distinct days of the customer's orders holding item `i` (only for the few items an answer explains). */
  function daysHolding(orders: readonly Order[], i: number): number[] {
    const days: number[] = [];
    for (const x of orders) if (x.items.includes(i) && days[days.length - 1] !== x.day) days.push(x.day);
    return days;
  }

  const rankerSettings = { queryItems: o.exploreQueryItems, exploreCandidates: o.rankerExploreCandidates };
  const shopStats = () => ({ holding, buyers, rebuyers, orders: orderCount });
  // Feature rows of one answer, reused from answer to answer (read before the next answer).
  let rankerRows = new Float64Array(0);
  /** The basket model's explore suggestions for the ranker (item indexes, new to the customer). */
  function suggestFrom(model: RecommendModel | undefined) {
    return (query: number[], blocked: number[]): ExploreSuggestion[] => {
      const out: ExploreSuggestion[] = [];
      if (!model || query.length === 0 || o.rankerExploreCandidates === 0) return out;
      const suggestions = model.recommend({
        items: query.map((i) => ids[i]!),
        exclude: blocked.map((i) => ids[i]!),
        k: o.rankerExploreCandidates,
        fillWithPopular: false,
      });
      for (const r of suggestions) {
        const i = index.get(r.item);
        if (i !== undefined && r.score > 0) out.push({ i, score: r.score, goesWith: r.because });
      }
      return out;
    };
  }

  /**
   * The rankers' fit in steps. Its first step copies what it reads — the sampled customers'
   * orders and the shop's item counts — and takes the basket model of now, so orders learned
   * while it runs in the background do not mix into it; erasures restart it (background-fit.ts).
   * The daily sales of the "at the visit" ranker are read live (copying them would cost more
   * than the fit): an order learned meanwhile may count in a later target's features.
   */
  function* rankerFitSteps(): Generator<void, RankerFit> {
    const basis = changes;
    const fittedOn = orderCount;
    const model = o.rankerExploreCandidates > 0 ? basketModel() : undefined;
    const names = hashOrder([...customers.keys()]);
    yield;
    const sample: RankerOrder[][] = [];
    let targets = 0;
    for (const c of names) {
      if (targets >= o.rankerMaxTargets) break;
      const orders = customers.get(c)!;
      if (orders.length < 2) continue;
      targets += Math.min(o.rankerTargets, orders.length - 1);
      sample.push(orders.map((x) => ({ day: x.day, items: x.items.slice() })));
    }
    const shop = {
      holding: Int32Array.from(holding),
      buyers: Int32Array.from(buyers),
      rebuyers: Int32Array.from(rebuyers),
      orders: orderCount,
    };
    yield;
    const fitted = yield* fitNextBasketRankersInSteps(
      sample,
      shop,
      suggestFrom(model),
      {
        ...rankerSettings,
        targetsPerCustomer: o.rankerTargets,
        maxTargets: o.rankerMaxTargets,
        trees: o.rankerTrees,
        depth: o.rankerDepth,
        learningRate: o.rankerLearningRate,
      },
      sales,
    );
    return { ...fitted, fittedOn, basis };
  }
  const refits = createRankerRefits({
    steps: rankerFitSteps,
    refitShare: o.rankerRefitShare,
    changes: () => changes,
    onError: o.onError,
  });

  function predictNextBasket(customer: string, opts: PredictNextBasketOptions = {}): NextBasketItem[] {
    const k = opts.k === undefined ? 10 : Math.max(0, Math.floor(opts.k));
    const exclude = new Set(opts.exclude ?? []);
    const orders = customers.get(customer) ?? [];
    const n = orders.length;
    const out: NextBasketItem[] = [];
    if (k === 0) return out;
    const slots = Math.min(k, Math.max(0, Math.floor(opts.exploreSlots ?? o.exploreSlots)));
    let make: (s: Scored) => NextBasketItem = () => {
      throw new Error('unreachable: nothing is scored without orders');
    };
    const belowShare = opts.exploreBelowShare ?? o.exploreBelowShare;
    let scored: Scored[] = [];
    const visitAt = opts.at === undefined ? undefined : toTime(opts.at);
    if (visitAt !== undefined) {
      check('at', visitAt, Number.isFinite(visitAt), 'a time (epoch ms or ISO 8601)');
      if (!sales) throw new TouchpointConfigError('at', 'needs createCustomerModel({ rankerAtVisit: true })');
    }
    if (n > 0) {
      const count = tally(orders);
      const nowDay = Math.floor((opts.now ?? visitAt ?? orders[n - 1]!.at) / DAY_MS);
      const exploreWeight = opts.exploreWeight ?? o.exploreWeight;
      // Without usable trees (before the first fit, after a forget) the frequency ranker answers
      // while they are fitted in the background.
      const fitted = (opts.ranker ?? o.ranker) === 'learned' ? refits.forAnswer() : undefined;
      const visit = visitAt !== undefined && sales ? { day: Math.floor(visitAt / DAY_MS), sales } : undefined;
      const trees = visit ? fitted?.visit : fitted?.ahead;
      const learned = trees !== undefined;
      let wantExplore = !learned && (exploreWeight > 0 || slots > 0);
      const query: number[] = [];
      if (trees) {
        const width = visit ? VISIT_RANKER_FEATURES.length : RANKER_FEATURES.length;
        const cells = (count + o.rankerExploreCandidates) * width;
        if (rankerRows.length < cells) rankerRows = new Float64Array(Math.max(cells, 2 * rankerRows.length));
        const suggest = suggestFrom(o.rankerExploreCandidates > 0 ? basketModel() : undefined);
        const c = rankerCandidates(orders, undefined, shopStats(), suggest, rankerSettings, rankerRows, visit);
        const raw = scoreCandidates(trees, c);
        for (let r = 0; r < c.items.length; r++) {
          const i = c.items[r]!;
          if (exclude.has(ids[i]!)) continue;
          const score = 1 / (1 + Math.exp(-raw[r]!));
          scored.push({
            i,
            score,
            explore: c.explore[r]!,
            times: c.times[r]!,
            last: c.last[r]!,
            goesWith: c.goesWith[r],
          });
        }
      }
      for (let t = 0; t < count && !learned; t++) {
        const i = tallied[t]!;
        if (wantExplore) offerTopK(query, o.exploreQueryItems, i, queryFirst);
        if (exclude.has(ids[i]!)) continue;
        scored.push({ i, score: tallyTimes[i]! / n, explore: false, times: tallyTimes[i]!, last: tallyLast[i]! });
      }
      if (wantExplore && slots === 0 && scored.length >= k) {
        // Skip the basket model when no suggestion could reach the answer: a suggestion's score is
        // at most the sum of its query items' strongest neighbour weights (exact: same answers).
        scored.sort(bestFirst);
        const model = basketModel();
        let most = 0;
        for (const q of query) most += strongestNeighbour(model, q);
        if (exploreWeight * most * (1 + 1e-9) < scored[k - 1]!.score) wantExplore = false;
      }
      if (wantExplore) {
        // Every item the customer has is excluded (explore means new to them), so the k best
        // suggestions are all that can ever reach a k-long answer: no over-asking, no filtering.
        const blocked = [...exclude];
        for (let t = 0; t < count; t++) if (!query.includes(tallied[t]!)) blocked.push(ids[tallied[t]!]!);
        const suggestions = basketModel().recommend({
          items: query.map((i) => ids[i]!),
          exclude: blocked,
          k,
          fillWithPopular: false,
        });
        for (const r of suggestions) {
          const i = index.get(r.item);
          if (i === undefined || r.score <= 0) continue;
          scored.push({ i, score: exploreWeight * r.score, explore: true, times: 0, last: 0, goesWith: r.because });
        }
      }
      make = (s) =>
        s.explore
          ? {
              item: ids[s.i]!,
              score: s.score,
              kind: 'explore',
              because: `goes with what you usually buy: ${s.goesWith!.join(', ')}`,
              goesWith: s.goesWith!.slice(),
            }
          : {
              item: ids[s.i]!,
              score: s.score,
              kind: 'repeat',
              because: repeatReason(s.times, n, daysHolding(orders, s.i), nowDay),
              timesBought: s.times,
              orders: n,
              lastBoughtAt: orders[s.last]!.at,
            };
    }
    if (slots === 0 && scored.length > k) {
      // Only the k best can be answered: select them instead of sorting every candidate (the
      // same answer; a full sort copied the array and boxed every comparison's result).
      const top: number[] = [];
      const list = scored;
      for (let r = 0; r < list.length; r++) offerTopK(top, k, r, (a, b) => better(list[a]!, list[b]!));
      scored = top.map((r) => list[r]!);
    } else scored.sort(bestFirst);
    // Reserved explore slots: the last `slots` places go to "goes with what you buy" items instead
    // of repeat items the customer bought in fewer than `belowShare` of their orders — a weak
    // repeat is about as likely as the best explore item, and only the explore item is news.
    let exploreLeft = 0;
    for (const s of scored) if (s.explore) exploreLeft++;
    let exploreTaken = 0;
    for (const s of scored) {
      if (out.length >= k) break;
      const reserve = Math.min(slots, exploreLeft) - exploreTaken;
      if (!s.explore && reserve > 0 && out.length >= k - reserve && s.score < belowShare) continue;
      out.push(make(s));
      if (s.explore) exploreTaken++;
    }
    if (out.length < k && opts.fillWithPopular !== false) {
      popular ??= ids.map((_, i) => i).sort(byPopularity);
      const taken = new Set(out.map((x) => x.item));
      for (const i of popular) {
        if (out.length >= k) break;
        const item = ids[i]!;
        if (taken.has(item) || exclude.has(item)) continue;
        out.push({ item, score: 0, kind: 'popular', because: 'a best-seller' });
      }
    }
    return out;
  }

  function dueItems(customer: string, now: number, opts: DueItemsOptions = {}): DueItem[] {
    const withinDays = opts.withinDays ?? 7;
    check('withinDays', withinDays, withinDays > 0, 'a positive number of days');
    const orders = customers.get(customer);
    const next = nextOrder(customer);
    if (!orders || !next) return [];
    const n = orders.length;
    const nowDay = Math.floor(now / DAY_MS);
    const lastDay = next.lastOrderAt / DAY_MS;
    const pOrder = orderWithin(
      next.gapDays,
      o.gapSpread ?? shopTempo().sigma,
      Math.max(0, nowDay - lastDay),
      withinDays,
    );
    const out: DueItem[] = [];
    for (const [i, e] of itemsOf(orders)) {
      if (e.times < 2) continue;
      // Share of the customer's orders holding it, shrunk (calibrated on validation in bench/).
      const probability = pOrder * (e.times / (n + o.dueShrinkOrders));
      if (probability < (opts.minProbability ?? 0)) continue;
      out.push({
        item: ids[i]!,
        probability,
        dueAt: next.at,
        intervalDays: e.days.length >= 2 ? median(gapsOf(e.days)) : next.gapDays,
        lastBoughtAt: orders[e.lastIndex]!.at,
        timesBought: e.times,
        because: repeatReason(e.times, n, e.days, nowDay),
      });
    }
    out.sort((a, b) => b.probability - a.probability || (a.item < b.item ? -1 : 1));
    return out.slice(0, opts.limit ?? 10);
  }

  function forget(customer: string): number {
    const orders = customers.get(customer);
    if (!orders) return 0;
    const times = new Map<number, number>();
    for (const x of orders)
      for (const i of x.items) {
        holding[i]!--;
        times.set(i, (times.get(i) ?? 0) + 1);
      }
    for (const [i, t] of times) {
      buyers[i]!--;
      if (t >= 2) rebuyers[i]!--;
    }
    customers.delete(customer);
    for (const x of orders) sales?.add(x.day, x.items, -1);
    // The trees were fitted on this customer's orders too: they never answer again, and a
    // background fit that may have read them starts over.
    refits.erase();
    orderCount -= orders.length;
    pendingInteractions = pendingInteractions.filter((x) => x.subject !== customer);
    recommender.forget(customer);
    tempo = undefined;
    popular = undefined;
    return orders.length;
  }

  function toJSON(): CustomerModelJSON {
    const used = new Map<number, number>();
    const items: string[] = [];
    const ref = (i: number) => {
      let j = used.get(i);
      if (j === undefined) {
        j = items.length;
        items.push(ids[i]!);
        used.set(i, j);
      }
      return j;
    };
    const list: CustomerModelJSON['customers'] = [];
    for (const [customer, orders] of customers)
      list.push([customer, orders.map((x) => [x.at, x.orderId ?? null, x.items.map(ref)])]);
    const { onError: _callback, ...plain } = options;
    const json: CustomerModelJSON = {
      format: 'touchpoint-customers',
      version: 1,
      options: plain,
      items,
      customers: list,
    };
    // The fitted ranker travels too (a restored model answers the same without refitting); after
    // a `forget` there is none to carry until the refit is done.
    const saved = refits.saved();
    if (saved) {
      json.ranker = {
        features: [...RANKER_FEATURES],
        trees: saved.ahead,
        fittedOn: saved.fittedOn,
        changedSince: saved.changedSince,
      };
      if (saved.visit) json.ranker.visit = { features: [...VISIT_RANKER_FEATURES], trees: saved.visit };
    }
    return json;
  }

  if (restore) {
    learnOrders(restore.orders);
    const r = restore.ranker;
    if (r) refits.restore({ ahead: r.trees, visit: r.visitTrees, fittedOn: r.fittedOn, changedSince: r.changedSince });
  }

  return {
    learnOrders,
    learnEvents: (events) => learnOrders(ordersFromEvents(Array.isArray(events) ? events : [])),
    predictNextBasket,
    nextOrder,
    dueItems,
    forget,
    toJSON,
    fitRanker: refits.fitNow,
    refitRanker: refits.refit,
    rankerStatus: refits.status,
    basketModel,
    get customerCount() {
      return customers.size;
    },
    get orderCount() {
      return orderCount;
    },
  };
}

/**
 * Rebuilds a customer model from `toJSON()` (a string or the parsed object): the same answers.
 * @example
 * const copy = customerModelFromJSON(JSON.stringify(customers.toJSON()));
 */
export function customerModelFromJSON(
  json: string | CustomerModelJSON,
  callbacks: Pick<CustomerModelOptions, 'onError'> = {},
): CustomerModel {
  const data: CustomerModelJSON = typeof json === 'string' ? JSON.parse(json) : json;
  if (data?.format !== 'touchpoint-customers' || data.version !== 1 || !Array.isArray(data.customers))
    throw new TouchpointConfigError(
      'json',
      'must be the output of CustomerModel.toJSON() (format touchpoint-customers, version 1)',
    );
  const saved = data.ranker;
  const usable =
    saved !== undefined &&
    Array.isArray(saved.features) &&
    saved.features.join() === RANKER_FEATURES.join() &&
    Array.isArray(saved.trees?.trees);
  const visit = saved?.visit;
  const visitUsable =
    visit !== undefined &&
    Array.isArray(visit.features) &&
    visit.features.join() === VISIT_RANKER_FEATURES.join() &&
    Array.isArray(visit.trees?.trees);
  const orders: CustomerOrder[] = [];
  for (const [customer, list] of data.customers)
    for (const [at, orderId, items] of list) {
      const order: CustomerOrder = { customer, at, items: items.map((j) => data.items[j]!) };
      if (orderId !== null) order.orderId = orderId;
      orders.push(order);
    }
  const options = { ...data.options, ...callbacks };
  // A saved fit without the "at the visit" trees the options ask for is refitted.
  const complete = usable && (options.rankerAtVisit !== true || visitUsable);
  return buildCustomerModel(options, {
    orders,
    ranker: complete
      ? {
          trees: saved.trees,
          visitTrees: visitUsable && options.rankerAtVisit === true ? visit.trees : undefined,
          fittedOn: saved.fittedOn,
          changedSince: saved.changedSince,
        }
      : undefined,
  });
}
