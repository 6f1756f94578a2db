/**
 * Gradient-boosted regression trees with a logistic loss (a small pointwise GBDT), in plain
 * TypeScript: the learned ranker of the next basket scores (customer, item) pairs with it, because
 * the signals that matter combine non-linearly ("a habitual re-buyer AND the item is due") where a
 * linear blend cannot. Features are bucketed once into at most `bins` quantile bins, trees grow
 * level by level on gradient / hessian histograms, leaves are Newton steps with L2 shrinkage.
 *
 * Deterministic: no sampling, ties in split search go to the lower feature and bin, so the same
 * rows give the same trees on every machine. The fitted model is plain numbers (JSON-safe).
 */

export interface BoostedTreesOptions {
  /** Boosting rounds (default 100). */
  trees?: number;
  /** Depth of each tree (default 4: up to 16 leaves). */
  depth?: number;
  /** Shrinkage of each tree (default 0.1). */
  learningRate?: number;
  /** Smallest hessian sum a leaf may have (default 5). */
  minLeafWeight?: number;
  /** L2 penalty on leaf values (default 1). */
  l2?: number;
  /** Quantile bins per feature (default 32, at most 255). */
  bins?: number;
}

/** A fitted model: `trees[t]` is flat, node `n` splits on `feature[n]` at `threshold[n]` (left: `x <= threshold`), or is a leaf (`feature[n] = -1`, `value[n]`). */
export interface BoostedTrees {
  base: number;
  trees: { feature: number[]; threshold: number[]; left: number[]; right: number[]; value: number[] }[];
}

/** Raw score (log-odds) of one row `x` (length = feature count, starting at `offset`). */
export function scoreBoostedTrees(model: BoostedTrees, x: ArrayLike<number>, offset = 0): number {
  let s = model.base;
  for (const t of model.trees) {
    let n = 0;
    while (t.feature[n]! >= 0) n = x[offset + t.feature[n]!]! <= t.threshold[n]! ? t.left[n]! : t.right[n]!;
    s += t.value[n]!;
  }
  return s;
}

/** Bin edges of feature `f`: up to `bins - 1` distinct quantile cut points of its values. */
function binEdges(x: Float64Array, rows: number, features: number, f: number, bins: number): number[] {
  const column = new Float64Array(rows);
  for (let r = 0; r < rows; r++) column[r] = x[r * features + f]!;
  column.sort();
  const cuts: number[] = [];
  const top = column[rows - 1]!;
  for (let b = 1; b < bins; b++) {
    // `<= cut` goes left: a cut at the value at each quantile keeps equal values together, and
    // a value shared by many rows takes one bin however many quantiles it spans.
    const cut = column[Math.floor((b * rows) / bins)]!;
    if (cut < top && (cuts.length === 0 || cut > cuts[cuts.length - 1]!)) cuts.push(cut);
  }
  return cuts;
}

/**
 * Fits the trees on `rows` rows of `features` features (row-major `x`) and 0/1 `labels`.
 * @example
 * const model = fitBoostedTrees(x, labels, rows, features, { trees: 200, depth: 4 });
 * scoreBoostedTrees(model, x, 0); // log-odds of row 0
 */
export function fitBoostedTrees(
  x: Float64Array,
  labels: ArrayLike<number>,
  rows: number,
  features: number,
  options: BoostedTreesOptions = {},
): BoostedTrees {
  return runToEnd(fitBoostedTreesInSteps(x, labels, rows, features, options));
}

/** Runs a stepwise computation to its end in one go (the synchronous, exact path). */
export function runToEnd<T>(steps: Generator<unknown, T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * `fitBoostedTrees` in steps: the generator pauses after each feature's bin edges and bucketing,
 * after each tree's gradient pass and after each level of a tree, so a caller can give the event loop back
 * between steps (each step touches every row at most once). The same steps run to the end give
 * the same trees as `fitBoostedTrees`. It reads `x` and `labels` across steps: they must not
 * change until it is done.
 */
export function* fitBoostedTreesInSteps(
  x: Float64Array,
  labels: ArrayLike<number>,
  rows: number,
  features: number,
  options: BoostedTreesOptions = {},
): Generator<void, BoostedTrees> {
  const trees = options.trees ?? 100;
  const depth = options.depth ?? 4;
  const rate = options.learningRate ?? 0.1;
  const minLeaf = options.minLeafWeight ?? 5;
  const l2 = options.l2 ?? 1;
  const bins = Math.min(255, Math.max(2, options.bins ?? 32));
  const edges: number[][] = [];
  for (let f = 0; f < features; f++) {
    edges.push(binEdges(x, rows, features, f, bins));
    yield;
  }
  // Bucketed features, row-major: one pass over a node's rows fills every feature's histogram.
  const binned = new Uint8Array(rows * features);
  for (let f = 0; f < features; f++) {
    const cuts = edges[f]!;
    for (let r = 0; r < rows; r++) {
      const v = x[r * features + f]!;
      let lo = 0;
      let hi = cuts.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (v <= cuts[mid]!) hi = mid;
        else lo = mid + 1;
      }
      binned[r * features + f] = lo;
    }
    yield;
  }
  let positives = 0;
  for (let r = 0; r < rows; r++) positives += labels[r]! > 0 ? 1 : 0;
  const prior = Math.min(1 - 1e-6, Math.max(1e-6, positives / Math.max(1, rows)));
  const base = Math.log(prior / (1 - prior));
  const score = new Float64Array(rows).fill(base);
  const grad = new Float64Array(rows);
  const hess = new Float64Array(rows);
  // Rows of each node are a contiguous range of `order` (partitioned in place as nodes split).
  const order = new Int32Array(rows);
  const spare = new Int32Array(rows);
  const width = features * bins;
  const histogram = (from: number, to: number) => {
    const h = new Float64Array(2 * width);
    for (let k = from; k < to; k++) {
      const r = order[k]!;
      const g = grad[r]!;
      const w = hess[r]!;
      const row = r * features;
      for (let f = 0; f < features; f++) {
        const at = 2 * (f * bins + binned[row + f]!);
        h[at]! += g;
        h[at + 1]! += w;
      }
    }
    return h;
  };
  const model: BoostedTrees = { base, trees: [] };
  for (let t = 0; t < trees; t++) {
    let g0 = 0;
    let h0 = 0;
    for (let r = 0; r < rows; r++) {
      const p = 1 / (1 + Math.exp(-score[r]!));
      grad[r] = p - (labels[r]! > 0 ? 1 : 0);
      hess[r] = Math.max(1e-12, p * (1 - p));
      g0 += grad[r]!;
      h0 += hess[r]!;
      order[r] = r;
    }
    yield;
    const tree: BoostedTrees['trees'][number] = { feature: [-1], threshold: [0], left: [0], right: [0], value: [0] };
    interface Open {
      node: number;
      from: number;
      to: number;
      G: number;
      H: number;
      hist: Float64Array;
    }
    const leaves: Open[] = [];
    let level: Open[] = [{ node: 0, from: 0, to: rows, G: g0, H: h0, hist: histogram(0, rows) }];
    for (let d = 0; d <= depth && level.length > 0; d++) {
      const next: Open[] = [];
      for (const open of level) {
        const { G, H, hist } = open;
        let bestGain = 1e-9;
        let bestF = -1;
        let bestB = 0;
        let bestGL = 0;
        let bestHL = 0;
        if (d < depth) {
          const parent = (G * G) / (H + l2);
          for (let f = 0; f < features; f++) {
            let gl = 0;
            let hl = 0;
            const nb = edges[f]!.length;
            for (let b = 0; b < nb; b++) {
              gl += hist[2 * (f * bins + b)]!;
              hl += hist[2 * (f * bins + b) + 1]!;
              const hr = H - hl;
              if (hl < minLeaf || hr < minLeaf) continue;
              const gr = G - gl;
              const gain = (gl * gl) / (hl + l2) + (gr * gr) / (hr + l2) - parent;
              if (gain > bestGain) {
                bestGain = gain;
                bestF = f;
                bestB = b;
                bestGL = gl;
                bestHL = hl;
              }
            }
          }
        }
        if (bestF < 0) {
          leaves.push(open);
          continue;
        }
        const l = tree.feature.length;
        for (let k = 0; k < 2; k++) {
          tree.feature.push(-1);
          tree.threshold.push(0);
          tree.left.push(0);
          tree.right.push(0);
          tree.value.push(0);
        }
        tree.feature[open.node] = bestF;
        tree.threshold[open.node] = edges[bestF]![bestB]!;
        tree.left[open.node] = l;
        tree.right[open.node] = l + 1;
        // Stable partition of the node's rows: left ones first.
        let a = open.from;
        let z = 0;
        for (let k = open.from; k < open.to; k++) {
          const r = order[k]!;
          if (binned[r * features + bestF]! <= bestB) order[a++] = r;
          else spare[z++] = r;
        }
        order.set(spare.subarray(0, z), a);
        // The smaller child's histogram is counted; the larger one's is the parent's minus it.
        const leftSmaller = a - open.from <= open.to - a;
        const small = leftSmaller ? histogram(open.from, a) : histogram(a, open.to);
        const large = new Float64Array(2 * width);
        for (let k = 0; k < large.length; k++) large[k] = hist[k]! - small[k]!;
        next.push(
          { node: l, from: open.from, to: a, G: bestGL, H: bestHL, hist: leftSmaller ? small : large },
          { node: l + 1, from: a, to: open.to, G: G - bestGL, H: H - bestHL, hist: leftSmaller ? large : small },
        );
      }
      level = next;
      yield;
    }
    for (const leaf of leaves) {
      const v = (-rate * leaf.G) / (leaf.H + l2);
      tree.value[leaf.node] = v;
      for (let k = leaf.from; k < leaf.to; k++) score[order[k]!]! += v;
    }
    model.trees.push(tree);
  }
  return model;
}
