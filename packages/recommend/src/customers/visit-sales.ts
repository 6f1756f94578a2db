/**
 * What is selling right now, at a visit: the shop's orders per item and day, so the learned
 * ranker can ask "how many orders held this item in the W days before the visit, and how does
 * that compare with its long-run rate" (the "at the visit" answer, `predictNextBasket(c, { at })`).
 *
 * Only days strictly before the visit day count, and the asking customer's own orders are taken
 * out by the caller, so a target order never counts towards its own features. Kept exact through
 * learning in any order and `forget` (so "as if never learned" holds), in memory bounded by the
 * distinct (item, day) pairs: at most one pair per order line, far fewer for a busy shop
 * (two numbers per pair in small-integer arrays).
 */

/** Windows (days before the visit) of the "at the visit" features, shortest first. */
export const VISIT_WINDOWS = [7, 14, 30] as const;

/** Feature names the "at the visit" ranker adds to the ahead-of-time ones, in row order. */
export const VISIT_FEATURES = VISIT_WINDOWS.flatMap((w) => [`sales${w}`, `sales${w}Ratio`]);

export interface DailySales {
  /** Counts (sign 1) or removes (sign -1) one order of `day` holding `items`. */
  add(day: number, items: readonly number[], sign: 1 | -1): void;
  /** Orders holding item `i` on days in [from, to). */
  between(i: number, from: number, to: number): number;
  /** The first day with any order (undefined before the first). */
  firstDay(): number | undefined;
}

/**
 * @example
 * const sales = createDailySales();
 * sales.add(20_000, [3, 7], 1);
 * sales.between(3, 19_990, 20_001); // 1
 */
export function createDailySales(): DailySales {
  // Per item: its sale days ascending and the orders on each (parallel small-integer arrays).
  const days: number[][] = [];
  const counts: number[][] = [];
  let first: number | undefined;
  let firstStale = false;
  /** Index of the first entry of `list` at or after `day`. */
  const lowerBound = (list: number[], day: number) => {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]! < day) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return {
    add(day, items, sign) {
      for (const i of items) {
        while (days.length <= i) {
          days.push([]);
          counts.push([]);
        }
        const d = days[i]!;
        const c = counts[i]!;
        // Orders mostly arrive in time order: the common case appends.
        const p = d.length > 0 && d[d.length - 1]! < day ? d.length : lowerBound(d, day);
        if (d[p] === day) {
          c[p]! += sign;
          if (c[p] === 0) {
            d.splice(p, 1);
            c.splice(p, 1);
            if (day === first) firstStale = true;
          }
        } else if (sign > 0) {
          d.splice(p, 0, day);
          c.splice(p, 0, 1);
        }
      }
      if (sign > 0 && !firstStale && (first === undefined || day < first)) first = day;
    },
    between(i, from, to) {
      const d = days[i];
      if (!d || d.length === 0 || to <= from) return 0;
      const c = counts[i]!;
      let n = 0;
      for (let p = lowerBound(d, from); p < d.length && d[p]! < to; p++) n += c[p]!;
      return n;
    },
    firstDay() {
      if (firstStale) {
        // An erasure took the first day away: the earliest remaining one (one pass over items).
        first = undefined;
        for (const d of days) if (d.length > 0 && (first === undefined || d[0]! < first)) first = d[0]!;
        firstStale = false;
      }
      return first;
    },
  };
}

/**
 * Writes the "at the visit" features of item `i` into `x` at `at`: for each window W, the orders
 * of other customers holding it in the W days before `day`, and that count against the item's
 * long-run rate among them since the shop's first day ((count + 1) / (W × rate + 1)).
 * `ownDays` are the days of the customer's own orders holding the item (taken out).
 */
export function writeVisitFeatures(
  sales: DailySales,
  i: number,
  day: number,
  ownDays: readonly number[] | undefined,
  x: Float64Array,
  at: number,
): void {
  const start = sales.firstDay() ?? day;
  const own = (from: number, to: number) => {
    let n = 0;
    if (ownDays) for (const d of ownDays) if (d >= from && d < to) n++;
    return n;
  };
  const rate = (sales.between(i, start, day) - own(start, day)) / Math.max(1, day - start);
  let k = at;
  for (const w of VISIT_WINDOWS) {
    const recent = sales.between(i, day - w, day) - own(day - w, day);
    x[k++] = recent;
    x[k++] = (recent + 1) / (w * rate + 1);
  }
}
