// Baselines computed by the bench itself, on the same split: popularity, co-occurrence counts
// and cosine. Ties go to the item that appeared first in the data, as in the published numbers.
export function createBaselines(train, itemOrder) {
  const index = new Map(itemOrder.map((id, i) => [id, i]));
  const n = itemOrder.length;
  const pop = new Float64Array(n);
  const co = Array.from({ length: n }, () => new Map());
  for (const basket of train) {
    const ids = basket.map((id) => index.get(id));
    for (const a of ids) {
      pop[a]++;
      for (const b of ids) if (a !== b) co[a].set(b, (co[a].get(b) ?? 0) + 1);
    }
  }
  const popular = [...pop.keys()].sort((a, b) => pop[b] - pop[a] || a - b);
  const score = new Float64Array(n);

  function topK(query, k, weight) {
    const q = query.map((id) => index.get(id)).filter((i) => i !== undefined);
    const blocked = new Set(q);
    const touched = new Set();
    score.fill(0);
    for (const a of q) {
      for (const [b, c] of co[a]) {
        score[b] += weight(a, b, c);
        touched.add(b);
      }
    }
    const ranked = [...touched].filter((j) => !blocked.has(j) && score[j] > 0);
    ranked.sort((a, b) => score[b] - score[a] || a - b);
    const out = ranked.slice(0, k);
    for (const p of popular) {
      if (out.length >= k) break;
      if (!blocked.has(p) && !out.includes(p)) out.push(p);
    }
    return out.map((i) => itemOrder[i]);
  }

  return {
    popularity: (query, k) => topK(query, k, () => 0),
    cooccurrence: (query, k) => topK(query, k, (_a, _b, c) => c),
    cosine: (query, k) => topK(query, k, (a, b, c) => c / Math.sqrt(pop[a] * pop[b])),
  };
}
