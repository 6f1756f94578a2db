/**
 * Per-item sparse regression: each item is predicted from its best candidate neighbours with a
 * small ridge regression on the Gram matrix — EASE^R (Steck 2019) restricted to those candidates.
 * The full EASE^R inverts a dense n×n matrix (20 GB and hours at 50k items); here each item
 * solves an m×m system (m ≈ 32), so cost grows linearly with the catalogue, and an item only
 * needs refitting when the statistics around it change.
 */
import type { BasketStats } from './basket-stats.js';

export interface RegressionOptions {
  candidates: number;
  l2: number;
  popularityPenalty: number;
}

/**
 * Fits one target item and writes the weights with which candidate items (`from`) predict it at
 * `offset` of the caller's arrays (at most `candidates` entries); returns how many it wrote.
 * Results go into one preallocated store, not two small typed arrays per item: tens of thousands
 * of tiny array buffers make every garbage collection slow.
 */
export type FitItem = (target: number, from: Int32Array, weight: Float64Array, offset: number) => number;

// Sums that cancelled out (a forgotten basket) leave rounding dust; treat it as absent.
const DUST = 1e-9;

/**
 * Returns a function fitting one target item; it reuses scratch buffers between calls.
 * @example
 * const fit = createItemRegression(stats, { candidates: 50, l2: 3, popularityPenalty: 0.5 });
 * const written = fit(stats.indexOf('tea')!, from, weight, 0);
 */
export function createItemRegression(stats: BasketStats, options: RegressionOptions): FitItem {
  const m = options.candidates;
  const a = new Float64Array(m * m);
  const rhs = new Float64Array(m);
  const solution = new Float64Array(m);
  const chosen = new Int32Array(m);
  const candidates: number[] = [];
  let scores = new Float64Array(0);
  let values = new Float64Array(0);
  let scratch = new Float64Array(0);
  const beta = options.popularityPenalty;
  // Called once per stored pair on every full fit: avoid Math.pow for the common exponents.
  const penalty = beta === 0 ? () => 1 : beta === 0.5 ? Math.sqrt : (c: number) => c ** beta;

  return (target, outFrom, outWeight, offset) => {
    const { ids, count, diag, gram } = stats;
    const l2 = options.l2 / stats.scale();
    candidates.length = 0;
    // An item whose every basket was forgotten keeps only rounding dust: it predicts nothing.
    if (!(diag[target]! > DUST)) return 0;
    if (scores.length < ids.length) {
      scores = new Float64Array(ids.length * 2);
      values = new Float64Array(ids.length * 2);
    }
    gram.forEach(target, (col, value) => {
      if (value <= DUST * diag[target]! || count[col]! <= DUST) return;
      candidates.push(col);
      scores[col] = value / penalty(count[col]!);
      values[col] = value;
    });
    let pool = candidates;
    if (candidates.length > 2 * m) {
      // A best-seller co-occurs with thousands of items: find the m-th best score in linear
      // time and sort only what can make the cut (ties at the threshold all stay in).
      if (scratch.length < candidates.length) scratch = new Float64Array(candidates.length * 2);
      for (let i = 0; i < candidates.length; i++) scratch[i] = scores[candidates[i]!]!;
      const threshold = kthLargest(scratch, candidates.length, m);
      pool = candidates.filter((c) => scores[c]! >= threshold);
    }
    pool.sort((x, y) => scores[y]! - scores[x]! || (ids[x]! < ids[y]! ? -1 : ids[x]! > ids[y]! ? 1 : 0));
    const size = Math.min(m, pool.length);
    for (let p = 0; p < size; p++) chosen[p] = pool[p]!;
    for (let p = 0; p < size; p++) {
      const ip = chosen[p]!;
      rhs[p] = values[ip]!;
      a[p * size + p] = diag[ip]! + l2;
      for (let q = 0; q < p; q++) {
        const v = gram.get(ip, chosen[q]!);
        a[p * size + q] = v;
        a[q * size + p] = v;
      }
    }
    if (size > 0) choleskySolve(a, rhs, size, solution);
    for (let p = 0; p < size; p++) {
      outFrom[offset + p] = chosen[p]!;
      outWeight[offset + p] = solution[p]!;
    }
    return size;
  };
}

/** The k-th largest of the first `length` values (1-based k); reorders `values`. Quickselect. */
function kthLargest(values: Float64Array, length: number, k: number): number {
  let lo = 0;
  let hi = length - 1;
  const want = k - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! > pivot) i++;
      while (values[j]! < pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i++] = values[j]!;
        values[j--] = t;
      }
    }
    if (want <= j) hi = j;
    else if (want >= i) lo = i;
    else return values[want]!;
  }
  return values[want]!;
}

/** Solves A x = b for symmetric positive definite A (size×size, row-major; A is overwritten). */
function choleskySolve(a: Float64Array, b: Float64Array, size: number, x: Float64Array): void {
  for (let j = 0; j < size; j++) {
    let s = a[j * size + j]!;
    for (let k = 0; k < j; k++) s -= a[j * size + k]! * a[j * size + k]!;
    // The ridge term keeps A positive definite; the floor only guards against rounding.
    const d = Math.sqrt(Math.max(s, 1e-12));
    a[j * size + j] = d;
    for (let i = j + 1; i < size; i++) {
      let t = a[i * size + j]!;
      for (let k = 0; k < j; k++) t -= a[i * size + k]! * a[j * size + k]!;
      a[i * size + j] = t / d;
    }
  }
  for (let i = 0; i < size; i++) {
    let t = b[i]!;
    for (let k = 0; k < i; k++) t -= a[i * size + k]! * x[k]!;
    x[i] = t / a[i * size + i]!;
  }
  for (let i = size - 1; i >= 0; i--) {
    let t = x[i]!;
    for (let k = i + 1; k < size; k++) t -= a[k * size + i]! * x[k]!;
    x[i] = t / a[i * size + i]!;
  }
}
