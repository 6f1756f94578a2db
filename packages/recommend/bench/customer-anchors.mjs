// The README's anchors, computed here on the same splits: popularity, P-TopFreq, TIFU-KNN (tuned
// on the validation split over the README's grid) and the timing anchors of step 5.
import { customerGap, popularity } from './customer-protocol.mjs';

/** Popularity: training baskets holding the item; ties by stock code. */
export function popularityRanker(split_) {
  const { ranked } = popularity(split_.train);
  const top = ranked.slice(0, 10);
  return () => top;
}

/** Fills `list` to k with popular items it does not hold. */
export function fillPopular(list, ranked, k = 10) {
  const have = new Set(list);
  for (const item of ranked) {
    if (list.length >= k) break;
    if (!have.has(item)) list.push(item);
  }
  return list;
}

/** P-TopFreq: the customer's baskets holding the item, ties by most recent, then popularity; filled with popularity. */
export function pTopFreq(split_) {
  const { count, ranked } = popularity(split_.train);
  const rank = new Map(ranked.map((item, i) => [item, i]));
  return (_customer, baskets) => {
    const freq = new Map();
    const last = new Map();
    baskets.forEach((b, i) => {
      for (const item of b.items) {
        freq.set(item, (freq.get(item) ?? 0) + 1);
        last.set(item, i);
      }
    });
    const list = [...freq.keys()]
      .sort((a, b) => freq.get(b) - freq.get(a) || last.get(b) - last.get(a) || rank.get(a) - rank.get(b))
      .slice(0, 10);
    void count;
    return fillPopular(list, ranked);
  };
}

/** TIFU-KNN's customer vector (README: decayed baskets, m groups, group decay), as item → value. */
function tifuVector(baskets, m, rb, rg) {
  const n = baskets.length;
  const groups = [];
  if (n < m) for (let i = 0; i < n; i++) groups.push([i, i + 1]);
  else {
    const size = Math.floor(n / m);
    const extra = n % m;
    let at = 0;
    for (let j = 0; j < m; j++) {
      const len = size + (j >= m - extra ? 1 : 0);
      groups.push([at, at + len]);
      at += len;
    }
  }
  const g = groups.length;
  const u = new Map();
  groups.forEach(([from, to], j) => {
    const w = rg ** (g - 1 - j) / (to - from) / g;
    for (let i = from; i < to; i++) {
      const decay = rb ** (n - 1 - i) * w;
      for (const item of baskets[i].items) u.set(item, (u.get(item) ?? 0) + decay);
    }
  });
  return u;
}

const KS = [10, 25, 50, 100, 300];
const ALPHAS = [0.5, 0.6, 0.7, 0.8, 0.9, 1];

/**
 * TIFU-KNN for every (k, α) of one (m, r_b, r_g): returns `lists[k][α]` as customer → items.
 * Neighbours are the other customers of the file by Euclidean distance, ties by file order.
 * Items are numbered by popularity rank, so "ties go to the more popular item" is the lower number.
 */
function tifuFamily(split_, m, rb, rg, pop) {
  const customers = [...split_.train.keys()];
  const n = pop.ranked.length;
  const vectors = customers.map((c) => {
    const v = tifuVector(split_.train.get(c), m, rb, rg);
    const idx = Int32Array.from(v.keys(), (item) => pop.rank.get(item));
    return { idx, val: Float64Array.from(v.values()) };
  });
  const norm2 = vectors.map((v) => v.val.reduce((a, x) => a + x * x, 0));
  const postings = Array.from({ length: n }, () => []);
  vectors.forEach((v, ci) => {
    for (let e = 0; e < v.idx.length; e++) postings[v.idx[e]].push(ci, v.val[e]);
  });
  const index = new Map(customers.map((c, i) => [c, i]));
  const dot = new Float64Array(customers.length);
  const own = new Float64Array(n);
  const nb = new Float64Array(n);
  const seen = new Uint8Array(n);
  const touched = [];
  const results = KS.map(() => ALPHAS.map(() => new Map()));
  const topS = new Float64Array(10);
  const topI = new Int32Array(10);
  for (const customer of split_.targets.keys()) {
    const ci = index.get(customer);
    const u = vectors[ci];
    dot.fill(0);
    for (let e = 0; e < u.idx.length; e++) {
      const p = postings[u.idx[e]];
      const x = u.val[e];
      for (let q = 0; q < p.length; q += 2) dot[p[q]] += x * p[q + 1];
    }
    const dist = Float64Array.from(customers, (_, j) => norm2[ci] + norm2[j] - 2 * dot[j]);
    const order = [];
    for (let j = 0; j < customers.length; j++) if (j !== ci) order.push(j);
    order.sort((a, b) => dist[a] - dist[b] || a - b);
    touched.length = 0;
    for (let e = 0; e < u.idx.length; e++) {
      own[u.idx[e]] = u.val[e];
      seen[u.idx[e]] = 1;
      touched.push(u.idx[e]);
    }
    let used = 0;
    KS.forEach((k, ki) => {
      for (; used < k && used < order.length; used++) {
        const v = vectors[order[used]];
        for (let e = 0; e < v.idx.length; e++) {
          const j = v.idx[e];
          nb[j] += v.val[e];
          if (!seen[j]) {
            seen[j] = 1;
            touched.push(j);
          }
        }
      }
      const count = Math.min(k, order.length);
      ALPHAS.forEach((alpha, ai) => {
        let size = 0;
        for (const j of touched) {
          const s = alpha * own[j] + ((1 - alpha) * nb[j]) / count;
          if (!(s > 0)) continue;
          if (size === 10 && !(s > topS[9] || (s === topS[9] && j < topI[9]))) continue;
          let at = size < 10 ? size++ : 9;
          while (at > 0 && (s > topS[at - 1] || (s === topS[at - 1] && j < topI[at - 1]))) {
            topS[at] = topS[at - 1];
            topI[at] = topI[at - 1];
            at--;
          }
          topS[at] = s;
          topI[at] = j;
        }
        const list = Array.from(topI.subarray(0, size), (j) => pop.ranked[j]);
        results[ki][ai].set(customer, fillPopular(list, pop.ranked));
      });
    });
    for (const j of touched) {
      own[j] = 0;
      nb[j] = 0;
      seen[j] = 0;
    }
  }
  return results;
}

/** The README's grid (with m = 1, r_g does not matter and runs once). */
export function tifuGrid() {
  const grid = [];
  for (const m of [1, 3, 5, 7, 10, 15])
    for (const rb of [0.8, 0.9, 1]) for (const rg of m === 1 ? [1] : [0.5, 0.7, 0.8, 0.9, 1]) grid.push({ m, rb, rg });
  return grid;
}

/** Every (k, α) of one vector setting, scored with `evaluate(predict)`: [{ setting, result }]. */
export function tifuScores(split_, { m, rb, rg }, evaluate) {
  const { count, ranked } = popularity(split_.train);
  const pop = { count, ranked, rank: new Map(ranked.map((item, i) => [item, i])) };
  const family = tifuFamily(split_, m, rb, rg, pop);
  const out = [];
  KS.forEach((k, ki) => {
    ALPHAS.forEach((alpha, ai) => {
      const lists = family[ki][ai];
      out.push({ setting: { k, m, rb, rg, alpha }, result: evaluate((customer) => lists.get(customer)) });
    });
  });
  return out;
}

/** Timing anchors of step 5: item interval, the customer's rhythm added to L, and L itself. */
export function timingAnchors(timing) {
  const rhythms = [];
  const rhythm = new Map();
  for (const c of timing.customers) {
    const g = customerGap(c.baskets);
    rhythm.set(c.customer, g);
    if (g !== undefined) rhythms.push(g);
  }
  const fallback = timing.median(rhythms);
  return {
    itemInterval: (_c, cand) => Math.max(cand.last + cand.interval, _c.L),
    customerRhythm: (c) => c.L + (rhythm.get(c.customer) ?? fallback),
    lastDay: (c) => c.L,
  };
}
