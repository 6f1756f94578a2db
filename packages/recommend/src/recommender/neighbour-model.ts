/**
 * The serving side of the recommender: scores a query against packed top-K neighbour lists. It is
 * what `createRecommender` answers with and what `recommenderFromJSON` rebuilds in the browser,
 * so both give identical answers. Work per query is |query| × K additions and a top-k selection:
 * well under a millisecond on a 50k-item catalogue.
 */
import { encodeNeighbours, type PackedNeighbours } from './neighbour-codec.js';
import { offerTopK } from './top-k.js';
import type { Recommendation, RecommendModel, RecommendQuery } from './types.js';

const MAX_BECAUSE = 3;
// A best-seller is a neighbour of thousands of items; "similar" walks at most this many of them
// (the strongest), which keeps a query's work bounded.
const REVERSE_WALK = 48;

export interface NeighbourModelParts {
  ids: readonly string[];
  index: ReadonlyMap<string, number>;
  neighbours: PackedNeighbours;
  popular: readonly number[];
}

/**
 * @example
 * const neighbours = packNeighbours(Int32Array.of(0, 1, 2), Int32Array.of(1, 0), Float64Array.of(1, 1));
 * const model = createNeighbourModel({ ids: ['tea', 'milk'], index, neighbours, popular: [0] });
 * model.recommend({ items: ['tea'] });
 */
export function createNeighbourModel(parts: NeighbourModelParts): RecommendModel {
  const { ids, index, neighbours, popular } = parts;
  const { rowStart, to, weight } = neighbours;
  const n = ids.length;
  const score = new Float64Array(n);
  const stamp = new Uint32Array(n);
  let generation = 0;
  let reverse: { start: Int32Array; from: Int32Array; weight: Float64Array; norm: Float64Array } | undefined;

  const byId = (a: number, b: number) => (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0);
  // Equal scores go to the more popular item (among the kept popular list), then the smaller id:
  // with short baskets many candidates tie, and popularity is the better guess.
  const popularRank = new Int32Array(n).fill(popular.length);
  popular.forEach((p, r) => {
    if (p < n) popularRank[p] = r;
  });
  const tieBreak = (a: number, b: number) => popularRank[a]! - popularRank[b]! || byId(a, b);

  function nextGeneration(): number {
    generation = (generation + 1) >>> 0;
    if (generation === 0) {
      stamp.fill(0);
      generation = 1;
    }
    return generation;
  }

  // "Similar" compares neighbour profiles: items bought with the same things. That needs, for
  // each item, who lists it as a neighbour — built once, on the first similar query.
  function reverseIndex() {
    if (reverse) return reverse;
    const start = new Int32Array(n + 1);
    for (let e = 0; e < to.length; e++) start[to[e]! + 1]!++;
    for (let i = 0; i < n; i++) start[i + 1] = start[i + 1]! + start[i]!;
    const fill = start.slice(0, n);
    const from = new Int32Array(to.length);
    const w = new Float64Array(to.length);
    const norm = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let sq = 0;
      for (let e = rowStart[i]!; e < rowStart[i + 1]!; e++) {
        const p = fill[to[e]!]!++;
        from[p] = i;
        w[p] = weight[e]!;
        sq += weight[e]! * weight[e]!;
      }
      norm[i] = Math.sqrt(sq);
    }
    for (let m = 0; m < n; m++) {
      const s = start[m]!;
      const e = start[m + 1]!;
      if (e - s <= REVERSE_WALK) continue;
      const order = Array.from({ length: e - s }, (_, k) => s + k);
      order.sort((a, b) => w[b]! - w[a]! || byId(from[a]!, from[b]!));
      const f = order.map((k) => from[k]!);
      const v = order.map((k) => w[k]!);
      from.set(f, s);
      w.set(v, s);
    }
    reverse = { start, from, weight: w, norm };
    return reverse;
  }

  // Items reached by the current query, in a preallocated buffer: the hot path allocates nothing
  // per candidate, so garbage collection does not show up in the tail latency.
  const touched = new Int32Array(n);
  let touchedCount = 0;

  function add(j: number, v: number, g: number) {
    if (stamp[j] !== g) {
      stamp[j] = g;
      score[j] = 0;
      touched[touchedCount++] = j;
    }
    score[j] = score[j]! + v;
  }

  /** Adds query item q's contribution to every candidate it reaches. */
  function accumulate(q: number, similar: boolean, g: number) {
    if (!similar) {
      for (let e = rowStart[q]!; e < rowStart[q + 1]!; e++) add(to[e]!, weight[e]!, g);
      return;
    }
    const r = reverseIndex();
    const nq = r.norm[q]!;
    if (nq === 0) return;
    for (let e = rowStart[q]!; e < rowStart[q + 1]!; e++) {
      const m = to[e]!;
      const wq = weight[e]! / nq;
      const end = Math.min(r.start[m + 1]!, r.start[m]! + REVERSE_WALK);
      for (let p = r.start[m]!; p < end; p++) {
        const j = r.from[p]!;
        if (j !== q) add(j, (wq * r.weight[p]!) / r.norm[j]!, g);
      }
    }
  }

  function recommend(query: RecommendQuery): Recommendation[] {
    const k = typeof query.k === 'number' && query.k >= 0 ? Math.min(Math.floor(query.k), n) : 10;
    if (k === 0) return [];
    const similar = query.intent === 'similar';
    const queryIdx: number[] = [];
    const blocked = new Set<number>();
    for (const id of query.items ?? []) {
      const i = index.get(id);
      if (i !== undefined && i < n && !blocked.has(i)) {
        queryIdx.push(i);
        blocked.add(i);
      }
    }
    for (const id of query.exclude ?? []) {
      const i = index.get(id);
      if (i !== undefined && i < n) blocked.add(i);
    }
    const g = nextGeneration();
    touchedCount = 0;
    for (const q of queryIdx) accumulate(q, similar, g);
    const ranked = selectTop(k, blocked);
    const out: Recommendation[] = [];
    for (const j of ranked) out.push({ item: ids[j]!, score: score[j]!, because: [] });
    out.forEach((r, i) => {
      r.because = explain(ranked[i]!, queryIdx, similar);
    });
    if (out.length < k && query.fillWithPopular !== false) {
      const taken = new Set(ranked);
      for (const p of popular) {
        if (out.length >= k) break;
        if (blocked.has(p) || taken.has(p)) continue;
        out.push({ item: ids[p]!, score: 0, because: [] });
      }
    }
    return out;
  }

  /**
   * The k best candidates, best first. Insertion into a short sorted list: a "similar" query can
   * touch thousands of items, and sorting them all would dominate its latency.
   */
  function selectTop(k: number, blocked: Set<number>): number[] {
    const top: number[] = [];
    const better = (a: number, b: number) => score[a]! > score[b]! || (score[a] === score[b] && tieBreak(a, b) < 0);
    for (let t = 0; t < touchedCount; t++) {
      const j = touched[t]!;
      if (score[j]! <= 0 || blocked.has(j)) continue;
      offerTopK(top, k, j, better);
    }
    return top;
  }

  /** The query items whose neighbour lists gave `target` the most score. */
  function explain(target: number, queryIdx: number[], similar: boolean): string[] {
    const parts: { q: number; v: number }[] = [];
    for (const q of queryIdx) {
      let v = 0;
      if (similar) {
        // Rows are sorted by neighbour index, so their dot product is a merge.
        const r = reverseIndex();
        let e = rowStart[q]!;
        let f = rowStart[target]!;
        while (e < rowStart[q + 1]! && f < rowStart[target + 1]!) {
          if (to[e]! < to[f]!) e++;
          else if (to[e]! > to[f]!) f++;
          else v += weight[e++]! * weight[f++]!;
        }
        v = v > 0 ? v / (r.norm[q]! * r.norm[target]!) : 0;
      } else {
        for (let e = rowStart[q]!; e < rowStart[q + 1]!; e++) if (to[e] === target) v = weight[e]!;
      }
      if (v > 0) parts.push({ q, v });
    }
    parts.sort((a, b) => b.v - a.v || byId(a.q, b.q));
    return parts.slice(0, MAX_BECAUSE).map((p) => ids[p.q]!);
  }

  return {
    recommend,
    toJSON: () => ({
      format: 'touchpoint-recommender',
      version: 1,
      items: [...ids],
      popular: [...popular],
      neighbours: encodeNeighbours(neighbours),
    }),
    itemCount: n,
  };
}
