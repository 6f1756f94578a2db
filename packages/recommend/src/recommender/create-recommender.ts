/**
 * `createRecommender`: learns which items belong together from touchpoint interactions and plain
 * baskets, and answers with explained suggestions. Learning only updates statistics; the
 * per-item regressions are refitted lazily, on the next `recommend()`/`toJSON()`, and only for
 * items whose neighbourhood changed — so a new day's interactions never retrain from scratch.
 */
import { type Clock, systemClock, TouchpointConfigError } from '@touchpoint/core';
import { type Basket, createBasketStats } from './basket-stats.js';
import { createItemRegression } from './item-regression.js';
import { packNeighboursInSteps } from './neighbour-codec.js';
import { createNeighbourModel } from './neighbour-model.js';
import { offerTopK } from './top-k.js';
import type { Interaction, InteractionKind, RecommenderOptions, RecommendModel } from './types.js';

const DAY_MS = 86_400_000;

/** Defaults, chosen on a validation split of the onlineretail-h1 training baskets (see bench/). */
export const RECOMMENDER_DEFAULTS = {
  kindWeights: { view: 0.25, cart: 0.6, purchase: 1 },
  halfLifeDays: Number.POSITIVE_INFINITY,
  neighbours: 32,
  candidates: 32,
  l2: 3,
  basketSizeExponent: 0.5,
  popularityPenalty: 0.5,
  popularKept: 100,
  maxBaskets: Number.POSITIVE_INFINITY,
} as const;

export interface LearnResult {
  /** Interactions (or basket items) taken into the model. */
  accepted: number;
  /** Dropped because the subject or item was empty, the kind unknown, or the timestamp invalid. */
  skipped: number;
}

export interface LearnBasketsOptions {
  /** Who these baskets belong to, so `forget(subject)` can remove them. */
  subject?: string;
  /** Kind of every item (default `purchase`). */
  kind?: InteractionKind;
  /** When they happened, for recency weighting (default: undated — full weight, never decays). */
  timestamp?: number | string;
}

export interface Recommender extends RecommendModel {
  /**
   * Adds interactions. Ones sharing a `basketId` (or, without one, a subject) form a basket; a
   * basket seen before is extended, as if everything had been learned at once.
   * @example
   * rec.learn([{ subject: 's1', item: 'tea', kind: 'cart', basketId: 'o-1' }]);
   */
  learn(interactions: Iterable<Interaction>): LearnResult;
  /**
   * Adds plain baskets (lists of item ids), e.g. historic orders.
   * @example
   * rec.learnBaskets([['tea', 'biscuits'], ['tea', 'milk']]);
   */
  learnBaskets(baskets: Iterable<readonly string[]>, options?: LearnBasketsOptions): LearnResult;
  /**
   * Removes every basket the subject took part in, as if it had never been learned. Returns how
   * many baskets were removed.
   * @example
   * rec.forget('user-42'); // 3
   */
  forget(subject: string): number;
  /** The current serving model (refitted if needed): a snapshot later learning does not change. */
  model(): RecommendModel;
  /**
   * Like `model()`, but refits `sliceItems` regressions at a time (default 500) with a 0 ms
   * pause on `clock` between slices, so a server keeps answering requests while a large
   * catalogue refits. Calls during a refit share it; what is learned meanwhile is refitted next.
   * @example
   * const model = await rec.modelInSlices(); // a few seconds at 50k items, in slices of tens of ms
   */
  modelInSlices(options?: { clock?: Clock; sliceItems?: number }): Promise<RecommendModel>;
  readonly basketCount: number;
  readonly subjectCount: number;
}

function positive(field: string, value: number, allowZero = false): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0 || (!allowZero && value === 0)) {
    throw new TouchpointConfigError(
      field,
      `must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${String(value)}`,
    );
  }
  return value;
}

function toTime(t: number | string | undefined): number {
  if (t === undefined) return Number.NaN;
  return typeof t === 'number' ? t : Date.parse(t);
}

/**
 * @example
 * const rec = createRecommender();
 * rec.learnBaskets([['tea', 'biscuits'], ['tea', 'biscuits', 'milk'], ['coffee', 'milk']]);
 * rec.recommend({ items: ['tea'], k: 2 });
 * // [{ item: 'biscuits', score: …, because: ['tea'] }, { item: 'milk', score: …, because: ['tea'] }]
 */
export function createRecommender(options: RecommenderOptions = {}): Recommender {
  const kindWeights = { ...RECOMMENDER_DEFAULTS.kindWeights, ...options.kindWeights };
  for (const kind of ['view', 'cart', 'purchase'] as const) positive(`kindWeights.${kind}`, kindWeights[kind]);
  const halfLifeDays = positive('halfLifeDays', options.halfLifeDays ?? RECOMMENDER_DEFAULTS.halfLifeDays);
  const neighbours = Math.floor(positive('neighbours', options.neighbours ?? RECOMMENDER_DEFAULTS.neighbours));
  const candidates = Math.floor(positive('candidates', options.candidates ?? RECOMMENDER_DEFAULTS.candidates));
  const l2 = positive('l2', options.l2 ?? RECOMMENDER_DEFAULTS.l2);
  const basketSizeExponent = positive(
    'basketSizeExponent',
    options.basketSizeExponent ?? RECOMMENDER_DEFAULTS.basketSizeExponent,
    true,
  );
  const popularityPenalty = positive(
    'popularityPenalty',
    options.popularityPenalty ?? RECOMMENDER_DEFAULTS.popularityPenalty,
    true,
  );
  const popularKept = Math.floor(
    positive('popularKept', options.popularKept ?? RECOMMENDER_DEFAULTS.popularKept, true),
  );

  const maxBaskets = positive('maxBaskets', options.maxBaskets ?? RECOMMENDER_DEFAULTS.maxBaskets);
  const stats = createBasketStats({ basketSizeExponent, halfLifeMs: halfLifeDays * DAY_MS, maxBaskets });
  const fitItem = createItemRegression(stats, { candidates, l2, popularityPenalty });
  // Every item's regression result in one store: item j owns slots [j * candidates, + colSize[j]).
  let colFrom = new Int32Array(0);
  let colWeight = new Float64Array(0);
  let colSize = new Int32Array(0);
  let fitted = 0; // items with a slot (fitted at least once)

  function fitColumn(j: number) {
    if (j >= colSize.length) {
      const capacity = Math.max(64, stats.ids.length * 2);
      const from = new Int32Array(capacity * candidates);
      from.set(colFrom);
      const weight = new Float64Array(capacity * candidates);
      weight.set(colWeight);
      const size = new Int32Array(capacity);
      size.set(colSize);
      colFrom = from;
      colWeight = weight;
      colSize = size;
    }
    colSize[j] = fitItem(j, colFrom, colWeight, j * candidates);
    if (j >= fitted) fitted = j + 1;
  }
  let current: RecommendModel | undefined;
  let plainBaskets = 0;

  /** Which regressions must be refitted for the changes since the last refit (undefined: none). */
  function takeTargets(): number[] | undefined {
    const dirty = stats.takeDirty();
    if (current && !dirty.all && dirty.items.length === 0) return undefined;
    const n = stats.ids.length;
    if (!current || dirty.all) return Array.from({ length: n }, (_, j) => j);
    const targets = new Set(dirty.items);
    if (dirty.shrunk) {
      // After a removal an item's popularity may fall, letting it enter the candidates of any
      // item it co-occurs with: refit every such item.
      for (const d of dirty.items) stats.gram.forEach(d, (c) => targets.add(c));
    } else {
      // Learning only ever raises popularity, and a candidate's score for an unchanged target
      // changes only through its popularity, so a non-candidate can only fall further behind:
      // refitting the changed items and those that use a changed item as candidate is exact.
      const changed = new Set(dirty.items);
      for (let j = 0; j < fitted; j++) {
        if (targets.has(j)) continue;
        for (let p = j * candidates; p < j * candidates + colSize[j]!; p++) {
          if (changed.has(colFrom[p]!)) {
            targets.add(j);
            break;
          }
        }
      }
    }
    return [...targets];
  }

  function refit(): RecommendModel {
    const targets = takeTargets();
    if (!targets) return current!;
    for (const j of targets) fitColumn(j);
    current = buildModel(stats.ids.length);
    return current;
  }

  let slicing: Promise<RecommendModel> | undefined;

  async function refitInSlices(clock: Clock, sliceItems: number): Promise<RecommendModel> {
    const targets = takeTargets();
    if (!targets) return current!;
    for (let i = 0; i < targets.length; i++) {
      fitColumn(targets[i]!);
      if ((i + 1) % sliceItems === 0) await new Promise<void>((resolve) => clock.setTimeout(resolve, 0));
    }
    // Learning may have gone on meanwhile: its changes stay marked for the next refit, and items it
    // added join the model now (without neighbours until then).
    const steps = buildModelInSteps(stats.ids.length);
    for (let step = steps.next(); ; step = steps.next()) {
      if (step.done) {
        current = step.value;
        return current;
      }
      await new Promise<void>((resolve) => clock.setTimeout(resolve, 0));
    }
  }

  const ROWS_PER_STEP = 5000;

  function buildModel(n: number): RecommendModel {
    const steps = buildModelInSteps(n);
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
    }
  }

  /** Builds the serving model, yielding every few thousand rows (see `modelInSlices`). */
  function* buildModelInSteps(n: number): Generator<void, RecommendModel> {
    const ids = stats.ids.slice();
    // Transpose the per-target columns into per-query-item rows (flat arrays, no objects: a
    // 50k-item shop has millions of entries), then keep each row's strongest `neighbours`.
    const rowLength = new Int32Array(n + 1);
    const last = Math.min(n, fitted);
    for (let j = 0; j < last; j++) {
      for (let p = j * candidates; p < j * candidates + colSize[j]!; p++)
        if (colWeight[p]! > 0) rowLength[colFrom[p]! + 1]!++;
    }
    for (let i = 0; i < n; i++) rowLength[i + 1] = rowLength[i + 1]! + rowLength[i]!;
    const fill = rowLength.slice(0, n);
    const to = new Int32Array(rowLength[n]!);
    const weight = new Float64Array(rowLength[n]!);
    for (let j = 0; j < last; j++) {
      for (let p = j * candidates; p < j * candidates + colSize[j]!; p++) {
        const w = colWeight[p]!;
        if (w <= 0) continue;
        const at = fill[colFrom[p]!]!++;
        to[at] = j;
        weight[at] = w;
      }
    }
    yield;
    const keptStart = new Int32Array(n + 1);
    const keptTo = new Int32Array(Math.min(to.length, n * neighbours));
    const keptWeight = new Float64Array(keptTo.length);
    const order: number[] = [];
    const byWeight = (a: number, b: number) =>
      weight[b]! - weight[a]! || (ids[to[a]!]! < ids[to[b]!]! ? -1 : ids[to[a]!]! > ids[to[b]!]! ? 1 : 0);
    let k = 0;
    for (let i = 0; i < n; i++) {
      keptStart[i] = k;
      const start = rowLength[i]!;
      const end = rowLength[i + 1]!;
      order.length = 0;
      for (let p = start; p < end; p++) order.push(p);
      if (order.length > neighbours) {
        order.sort(byWeight);
        order.length = neighbours;
      }
      for (const p of order) {
        keptTo[k] = to[p]!;
        keptWeight[k++] = weight[p]!;
      }
      if ((i + 1) % ROWS_PER_STEP === 0) yield;
    }
    keptStart[n] = k;
    const packed = yield* packNeighboursInSteps(
      keptStart,
      keptTo.subarray(0, k),
      keptWeight.subarray(0, k),
      ROWS_PER_STEP,
    );
    // Interned ids are never removed, so the live id → index map serves every snapshot (the
    // model ignores indexes beyond its own item count).
    return createNeighbourModel({ ids, index: stats.index, neighbours: packed, popular: mostPopular(ids, n) });
  }

  /** The `popularKept` most popular items, best first: one pass with a short sorted list. */
  function mostPopular(ids: readonly string[], n: number): number[] {
    const top: number[] = [];
    const better = (a: number, b: number) =>
      stats.count[a]! > stats.count[b]! || (stats.count[a] === stats.count[b] && ids[a]! < ids[b]!);
    for (let i = 0; i < n; i++) {
      if (!(stats.count[i]! > 1e-9) || popularKept === 0) continue;
      offerTopK(top, popularKept, i, better);
    }
    return top;
  }

  /** Merges new (item, weight) pairs — duplicates allowed — into the basket under `key`. */
  function upsert(key: string, subjects: readonly string[], items: number[], weights: number[], time: number) {
    const prev = stats.getBasket(key);
    const allItems = prev ? prev.items.concat(items) : items;
    const allWeights = prev ? prev.weights.concat(weights) : weights;
    // Sorting by item both orders the basket and brings duplicates together (kept: the strongest kind).
    const order = allItems.map((_, i) => i).sort((x, y) => allItems[x]! - allItems[y]!);
    const outItems: number[] = [];
    const outWeights: number[] = [];
    for (const i of order) {
      const last = outItems.length - 1;
      if (last >= 0 && outItems[last] === allItems[i]) {
        if (allWeights[i]! > outWeights[last]!) outWeights[last] = allWeights[i]!;
      } else {
        outItems.push(allItems[i]!);
        outWeights.push(allWeights[i]!);
      }
    }
    const next: Basket = {
      subjects: prev ? [...prev.subjects] : [],
      items: outItems,
      weights: outWeights,
      time: prev?.time ?? Number.NaN,
    };
    for (const subject of subjects) if (!next.subjects.includes(subject)) next.subjects.push(subject);
    next.subjects.sort();
    if (!Number.isNaN(time) && !(time <= next.time)) next.time = time;
    stats.setBasket(key, next);
  }

  return {
    learn(interactions) {
      let accepted = 0;
      let skipped = 0;
      // Group first, so each touched basket is replaced once per call.
      const groups = new Map<string, { subjects: string[]; items: number[]; weights: number[]; time: number }>();
      for (const x of interactions) {
        const w = kindWeights[x?.kind as InteractionKind];
        const time = toTime(x?.timestamp);
        if (
          !x ||
          typeof x.subject !== 'string' ||
          !x.subject ||
          typeof x.item !== 'string' ||
          !x.item ||
          w === undefined ||
          (x.timestamp !== undefined && Number.isNaN(time))
        ) {
          skipped++;
          continue;
        }
        const key = x.basketId !== undefined && x.basketId !== '' ? `b:${x.basketId}` : `s:${x.subject}`;
        let g = groups.get(key);
        if (!g) {
          g = { subjects: [], items: [], weights: [], time: Number.NaN };
          groups.set(key, g);
        }
        if (!g.subjects.includes(x.subject)) g.subjects.push(x.subject);
        g.items.push(stats.intern(x.item));
        g.weights.push(w);
        if (!(time <= g.time)) g.time = Number.isNaN(time) ? g.time : time;
        accepted++;
      }
      for (const [key, g] of groups) upsert(key, g.subjects, g.items, g.weights, g.time);
      return { accepted, skipped };
    },
    learnBaskets(baskets, opts = {}) {
      const w = kindWeights[opts.kind ?? 'purchase'];
      if (w === undefined)
        throw new TouchpointConfigError('kind', `must be view, cart or purchase, got ${String(opts.kind)}`);
      const time = toTime(opts.timestamp);
      if (opts.timestamp !== undefined && Number.isNaN(time))
        throw new TouchpointConfigError(
          'timestamp',
          `must be epoch ms or an ISO 8601 date, got ${String(opts.timestamp)}`,
        );
      let accepted = 0;
      let skipped = 0;
      for (const basket of baskets) {
        const items: number[] = [];
        for (const id of basket) {
          if (typeof id === 'string' && id) items.push(stats.intern(id));
          else skipped++;
        }
        accepted += items.length;
        if (items.length > 0) {
          const subjects = opts.subject === undefined ? [] : [opts.subject];
          upsert(
            `p:${plainBaskets++}`,
            subjects,
            items,
            items.map(() => w),
            time,
          );
        }
      }
      return { accepted, skipped };
    },
    forget(subject) {
      const keys = stats.basketsOf(subject);
      for (const key of keys) stats.setBasket(key, undefined);
      return keys.length;
    },
    recommend: (query) => refit().recommend(query),
    toJSON: () => refit().toJSON(),
    model: refit,
    modelInSlices(opts = {}) {
      if (!slicing) {
        const sliceItems = Math.max(1, Math.floor(opts.sliceItems ?? 500));
        slicing = refitInSlices(opts.clock ?? systemClock, sliceItems).finally(() => {
          slicing = undefined;
        });
      }
      return slicing;
    },
    get itemCount() {
      return stats.ids.length;
    },
    get basketCount() {
      return stats.basketCount;
    },
    get subjectCount() {
      return stats.subjectCount;
    },
  };
}
