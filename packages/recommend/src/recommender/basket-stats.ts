/**
 * The recommender's sufficient statistics: per-item weights and the weighted item-item
 * co-occurrence (Gram) matrix, kept exactly as the sum of every basket's contribution. Because
 * each basket is remembered, a basket that grows (a session continuing tomorrow) or a customer who
 * asks to be forgotten is handled by subtracting the old contribution and adding the new one:
 * learning incrementally gives the same statistics as learning everything at once, up to
 * floating-point rounding.
 */
import { createSparseRows, type SparseRows } from './sparse-rows.js';

export interface Basket {
  /** Everyone who contributed (an anonymous id and the user id it became); sorted, may be empty. */
  subjects: string[];
  /** Item indexes, ascending. Plain arrays: a typed array costs ~200 bytes of overhead per basket. */
  items: number[];
  /** Per item: the weight of its strongest interaction kind. */
  weights: number[];
  /** newest timestamp in ms, NaN when undated */
  time: number;
}

export interface BasketStatsOptions {
  basketSizeExponent: number;
  halfLifeMs: number;
  /** Oldest-updated baskets beyond this many are evicted (subtracted), bounding memory. */
  maxBaskets: number;
}

export interface BasketStats {
  readonly ids: string[];
  /** Index of an item id, interning it when new. */
  intern(id: string): number;
  indexOf(id: string): number | undefined;
  /** Item id → index; append-only (ids are never removed). */
  readonly index: ReadonlyMap<string, number>;
  /** Weighted interaction count per item (popularity). */
  count: Float64Array;
  /** Gram diagonal per item. */
  diag: Float64Array;
  /** Off-diagonal Gram entries, stored in both directions. */
  gram: SparseRows;
  /** Replaces (or creates, or with `next` undefined deletes) the basket under `key`. */
  setBasket(key: string, next: Basket | undefined): void;
  getBasket(key: string): Basket | undefined;
  basketsOf(subject: string): string[];
  readonly basketCount: number;
  readonly subjectCount: number;
  /** Multiplier that brings stored (origin-relative) weights to "as of the newest basket". */
  scale(): number;
  /**
   * Items whose statistics changed since the last `takeDirty()`; `all` when every row must refit;
   * `shrunk` when a basket was removed (forgotten or evicted), so popularity may have fallen.
   */
  takeDirty(): { all: boolean; shrunk: boolean; items: number[] };
}

function grown(a: Float64Array, size: number): Float64Array {
  if (size <= a.length) return a;
  const b = new Float64Array(Math.max(size, a.length * 2));
  b.set(a);
  return b;
}

/**
 * @example
 * const stats = createBasketStats({ basketSizeExponent: 0.5, halfLifeMs: Infinity, maxBaskets: Infinity });
 * stats.setBasket('order-1', { subjects: ['u1'], items: [stats.intern('tea')], weights: [1], time: NaN });
 */
export function createBasketStats(options: BasketStatsOptions): BasketStats {
  const ids: string[] = [];
  const index = new Map<string, number>();
  const baskets = new Map<string, Basket>();
  // subject -> keys of its baskets (an array: most subjects have one or two)
  const subjects = new Map<string, string[]>();
  const gram = createSparseRows();
  let dirty = new Set<number>();
  let allDirty = false;
  let shrunk = false;
  // Recency weights are 2^((t - origin) / halfLife), relative to the first dated basket, so a
  // stored contribution never has to be revisited when time moves on; `scale()` renormalises.
  let origin = Number.NaN;
  let newest = Number.NaN;
  const decays = Number.isFinite(options.halfLifeMs);

  const stats: BasketStats = {
    ids,
    count: new Float64Array(64),
    diag: new Float64Array(64),
    gram,
    intern(id) {
      let i = index.get(id);
      if (i === undefined) {
        i = ids.length;
        ids.push(id);
        index.set(id, i);
        stats.count = grown(stats.count, ids.length);
        stats.diag = grown(stats.diag, ids.length);
      }
      return i;
    },
    indexOf: (id) => index.get(id),
    index,
    setBasket(key, next) {
      const prev = baskets.get(key);
      if (prev && !next) shrunk = true;
      if (prev) {
        apply(prev, -1);
        for (const s of prev.subjects) {
          const keys = subjects.get(s);
          const at = keys ? keys.lastIndexOf(key) : -1;
          if (at >= 0) keys!.splice(at, 1);
        }
        baskets.delete(key);
      }
      if (next && next.items.length > 0) {
        apply(next, 1);
        baskets.set(key, next);
        for (const s of next.subjects) {
          const keys = subjects.get(s);
          if (keys) keys.push(key);
          else subjects.set(s, [key]);
        }
      }
      for (const s of prev?.subjects ?? []) if (subjects.get(s)?.length === 0) subjects.delete(s);
      // A Map iterates in insertion order and a replaced basket is re-inserted, so the first
      // entry is always the basket updated longest ago.
      while (baskets.size > options.maxBaskets) {
        const oldest = baskets.keys().next().value as string;
        stats.setBasket(oldest, undefined);
      }
    },
    getBasket: (key) => baskets.get(key),
    basketsOf: (subject) => [...(subjects.get(subject) ?? [])],
    get basketCount() {
      return baskets.size;
    },
    get subjectCount() {
      return subjects.size;
    },
    scale() {
      if (!decays || Number.isNaN(newest)) return 1;
      return 2 ** (-(newest - origin) / options.halfLifeMs);
    },
    takeDirty() {
      const out = { all: allDirty, shrunk, items: [...dirty] };
      dirty = new Set();
      allDirty = false;
      shrunk = false;
      return out;
    },
  };

  function recency(time: number): number {
    if (!decays || Number.isNaN(time)) return 1;
    if (Number.isNaN(origin)) origin = time;
    return 2 ** ((time - origin) / options.halfLifeMs);
  }

  function apply(basket: Basket, sign: 1 | -1) {
    if (decays && !Number.isNaN(basket.time) && !(basket.time <= newest)) {
      newest = basket.time;
      allDirty = true;
    }
    // Items are kept sorted: a fixed order makes the floating-point sums reproducible.
    const { items, weights: x } = basket;
    const r = sign * recency(basket.time);
    const w = r / items.length ** options.basketSizeExponent;
    for (let p = 0; p < items.length; p++) {
      const a = items[p]!;
      const xa = x[p]!;
      stats.count[a] = stats.count[a]! + r * xa;
      stats.diag[a] = stats.diag[a]! + w * xa * xa;
      dirty.add(a);
      const wa = w * xa;
      for (let q = 0; q < items.length; q++) if (q !== p) gram.add(a, items[q]!, wa * x[q]!);
    }
  }

  return stats;
}
