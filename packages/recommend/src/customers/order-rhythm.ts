/**
 * A customer's order rhythm: when their next order is likely, from the gaps between the days
 * they ordered on, and how likely an order is within a window. Pure functions over day numbers.
 *
 * The estimate, chosen on the validation split of the shared data (bench/customer-bench.mjs): a
 * recency-weighted quantile of the customer's gaps (newer gaps weigh more; a low quantile, since
 * a gap that ends the rhythm is long and rare), shrunk towards a prior gap when there are few
 * (less so when the customer's gaps scatter less than the shop's),
 * then scaled by the shop's tempo — how much faster or slower than their own habit customers have
 * been ordering lately (a Christmas rush shortens everyone's gaps at once). On the shared data the
 * customer's own rhythm already beats each item's interval (25 vs 45 days MAE): it is one
 * customer, one next order, and the items come with it.
 */

export const DAY_MS = 86_400_000;

export interface RhythmSettings {
  quantile: number;
  decay: number;
  priorGapDays: number;
  priorGapWeight: number;
  tempoExponent: number;
}

/** Gaps in days between consecutive distinct order days (sorted ascending days in). */
export function gapsOf(days: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < days.length; i++) out.push(days[i]! - days[i - 1]!);
  return out;
}

export function median(xs: readonly number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The weighted `q`-quantile of the gaps, newest weighing 1, each older one `decay` times the next. */
function weightedQuantile(gaps: readonly number[], decay: number, q: number): number {
  const order = gaps.map((g, i) => ({ g, w: decay ** (gaps.length - 1 - i) })).sort((a, b) => a.g - b.g);
  const total = order.reduce((a, x) => a + x.w, 0);
  let acc = 0;
  for (const x of order) {
    acc += x.w;
    if (acc >= q * total - 1e-12) return x.g;
  }
  return order[order.length - 1]!.g;
}

/** Spread of a customer's log gaps around their median (1.4826 × MAD ≈ σ); undefined below `MIN_GAPS_FOR_SPREAD` gaps. */
function ownSpread(gaps: readonly number[]): number | undefined {
  if (gaps.length < MIN_GAPS_FOR_SPREAD) return undefined;
  const m = Math.log(median(gaps) + 1);
  return 1.4826 * median(gaps.map((g) => Math.abs(Math.log(g + 1) - m)));
}
const MIN_GAPS_FOR_SPREAD = 2;

/**
 * The customer's own gap in days (before the shop's tempo): see the module comment. With the
 * shop's spread `shopSpread`, the prior weighs less for a customer whose gaps scatter less than
 * the shop's (a clockwork 3-week customer keeps their 3 weeks; an erratic one is pulled to the prior).
 */
export function ownGapDays(gaps: readonly number[], s: RhythmSettings, shopSpread?: number): number {
  if (gaps.length === 0) return s.priorGapDays;
  const g = weightedQuantile(gaps, s.decay, s.quantile);
  const spread = shopSpread === undefined ? undefined : ownSpread(gaps);
  const w = spread === undefined ? s.priorGapWeight : s.priorGapWeight * Math.min(1, spread / shopSpread!);
  return (gaps.length * g + w * s.priorGapDays) / (gaps.length + w);
}

/**
 * The shop's tempo: per gap that ended on a day, log((gap + 1) / (its customer's median gap + 1)).
 * Built from every customer with at least two gaps; `at(day)` is exp(median of those ending in
 * (day − window, day]), 1 when none did.
 */
export function createShopTempo(perCustomerDays: Iterable<readonly number[]>, windowDays: number) {
  const events: { day: number; x: number }[] = [];
  const logRatios: number[] = [];
  for (const days of perCustomerDays) {
    const gaps = gapsOf(days);
    if (gaps.length < 2) continue;
    const m = median(gaps);
    gaps.forEach((g, i) => {
      const x = Math.log((g + 1) / (m + 1));
      events.push({ day: days[i + 1]!, x });
      logRatios.push(Math.abs(x));
    });
  }
  events.sort((a, b) => a.day - b.day);
  const eventDays = Float64Array.from(events, (e) => e.day);
  const eventX = Float64Array.from(events, (e) => e.x);

  function firstAfter(day: number): number {
    let lo = 0;
    let hi = eventDays.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (eventDays[mid]! <= day) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  // Every day from the first gap to the last + window, computed once, so an answer is a lookup
  // (per-customer latency stays flat however many days the customers' last orders span).
  const first = events.length ? eventDays[0]! : 0;
  const factors = new Float64Array(
    events.length ? eventDays[eventDays.length - 1]! - first + Math.ceil(windowDays) + 1 : 0,
  );
  for (let d = 0; d < factors.length; d++) {
    const from = firstAfter(first + d - windowDays);
    const to = firstAfter(first + d);
    factors[d] = to > from ? Math.exp(selectMedian(eventX.slice(from, to))) : 1;
  }

  // Spread of gaps around a customer's habit, robustly (1.4826 × MAD ≈ σ of a normal): the width
  // of the log-normal that turns a point estimate into "probability of an order within N days".
  const sigma = logRatios.length >= 10 ? Math.max(0.2, 1.4826 * median(logRatios)) : 0.8;

  return {
    sigma,
    at(day: number): number {
      const d = Math.round(day) - first;
      return d >= 0 && d < factors.length ? factors[d]! : 1;
    },
  };
}

export type ShopTempo = ReturnType<typeof createShopTempo>;

/** The k-th smallest of `a` (reordering it): Hoare's quickselect, linear on average. */
function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i++] = a[j]!;
        a[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

/** Median of a scratch array (reordered): the tempo's window holds tens of thousands of gaps at 1M orders, so no sort. */
function selectMedian(a: Float64Array): number {
  const m = a.length >> 1;
  return a.length % 2 ? select(a, m) : (select(a, m - 1) + select(a, m)) / 2;
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 on erf; error below 1.5e-7). */
function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/**
 * Probability that the next order falls within (elapsed, elapsed + window] days after the last
 * one, given none came before `elapsed`: a log-normal gap with median `gapDays` and spread `sigma`.
 */
export function orderWithin(gapDays: number, sigma: number, elapsedDays: number, windowDays: number): number {
  const cdf = (d: number) => (d <= 0 ? 0 : normalCdf((Math.log(d) - Math.log(Math.max(gapDays, 0.5))) / sigma));
  const before = cdf(elapsedDays);
  if (before >= 1 - 1e-12) return 1;
  return Math.min(1, Math.max(0, (cdf(elapsedDays + windowDays) - before) / (1 - before)));
}

/** "every 3 weeks", "every 5 days", "every 2 months". */
export function everyPhrase(days: number): string {
  if (days < 1.5) return 'every day';
  if (days < 13.5) return `every ${Math.round(days)} days`;
  if (days < 59.5) {
    const w = Math.round(days / 7);
    return w === 1 ? 'every week' : `every ${w} weeks`;
  }
  const m = Math.round(days / 30.44);
  return m === 1 ? 'every month' : `every ${m} months`;
}

/** "today", "yesterday", "24 days ago". */
export function agoPhrase(days: number): string {
  if (days <= 0) return 'today';
  if (days === 1) return 'yesterday';
  return `${days} days ago`;
}
