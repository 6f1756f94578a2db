/**
 * `chooseRecommenderOptions`: lets the shop's own baskets pick the recommender's settings. On a
 * small catalogue or with short baskets, a regression has little to learn beyond plain
 * co-occurrence and can land below it (a 93-item bakery with ~2 items per basket: 1.6 points of
 * HR@10 behind). So the choice includes a co-occurrence-like setting — a ridge penalty so large
 * that each weight is the co-occurrence count, no basket-size or popularity discount — and the
 * package defaults, and keeps whichever hides-one-item validation prefers. The package defaults
 * win ties, and the result is never meaningfully worse than co-occurrence on the shop's data.
 */
import { createRecommender } from './create-recommender.js';
import type { RecommenderOptions } from './types.js';

/**
 * Co-occurrence counts through the regression: λ so large that B ≈ G / λ, undiscounted, with
 * room for 100 neighbours per item, and the 2,000 most popular items kept so that equal counts go
 * to the more popular item (with short baskets many candidates tie: breaking ties by id instead
 * cost a point of HR@10 against plain co-occurrence).
 */
export const COOCCURRENCE_LIKE: Readonly<RecommenderOptions> = {
  l2: 1e6,
  basketSizeExponent: 0,
  popularityPenalty: 0,
  candidates: 100,
  neighbours: 100,
  popularKept: 2000,
};

export interface ChooseOptionsResult {
  /** The settings to pass to `createRecommender`. */
  options: RecommenderOptions;
  /** Which candidate won. */
  chosen: string;
  /** Validation HR@10 of every candidate, by name. */
  validation: Record<string, number>;
  /** Validation queries (baskets with an item hidden). */
  queries: number;
}

/**
 * Carves every 5th basket with ≥ 2 items as a validation query (one item hidden, fixed seed),
 * trains each candidate on the rest and returns the best by HR@10.
 * @example
 * const { options } = chooseRecommenderOptions(historicOrders);
 * const rec = createRecommender(options);
 * rec.learnBaskets(historicOrders);
 */
export function chooseRecommenderOptions(
  baskets: readonly (readonly string[])[],
  candidates: Record<string, RecommenderOptions> = { defaults: {}, 'co-occurrence': COOCCURRENCE_LIKE },
): ChooseOptionsResult {
  let seed = 7;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const train: string[][] = [];
  const queries: { query: string[]; hidden: string }[] = [];
  baskets.forEach((b, i) => {
    const items = [...new Set(b)];
    if (i % 5 === 4 && items.length >= 2) {
      const h = Math.floor(rand() * items.length);
      queries.push({ hidden: items[h]!, query: items.filter((_, k) => k !== h) });
    } else train.push(items);
  });
  const validation: Record<string, number> = {};
  let best: { name: string; hr: number } | undefined;
  for (const [name, options] of Object.entries(candidates)) {
    const rec = createRecommender(options);
    rec.learnBaskets(train);
    const model = rec.model();
    let hits = 0;
    for (const q of queries) if (model.recommend({ items: q.query, k: 10 }).some((r) => r.item === q.hidden)) hits++;
    const hr = queries.length ? hits / queries.length : 0;
    validation[name] = hr;
    // The first candidate (the defaults) keeps its place unless another is strictly better.
    if (!best || hr > best.hr + 1e-12) best = { name, hr };
  }
  const chosen = best?.name ?? 'defaults';
  return { options: { ...candidates[chosen] }, chosen, validation, queries: queries.length };
}
