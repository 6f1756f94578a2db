// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { COOCCURRENCE_LIKE, chooseRecommenderOptions } from './choose-options.js';
import { createRecommender } from './create-recommender.js';

/** A bakery: 30 items, two per basket, each item with one usual partner and some noise. */
function bakery(count: number): string[][] {
  let seed = 3;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const out: string[][] = [];
  for (let b = 0; b < count; b++) {
    const a = Math.floor(rand() * 30);
    const partner = rand() < 0.6 ? (a + 15) % 30 : Math.floor(rand() * 30);
    out.push([`bake-${a}`, `bake-${partner}`]);
  }
  return out;
}

describe('chooseRecommenderOptions', () => {
  it('reports every candidate on validation and returns the winner', () => {
    const result = chooseRecommenderOptions(bakery(600));
    expect(Object.keys(result.validation)).toEqual(['defaults', 'co-occurrence']);
    expect(result.queries).toBeGreaterThan(100);
    const best = Math.max(...Object.values(result.validation));
    expect(result.validation[result.chosen]).toBe(best);
    expect(result.options).toEqual(result.chosen === 'defaults' ? {} : COOCCURRENCE_LIKE);
  });

  it('the co-occurrence-like setting ranks partners by how often they were bought together', () => {
    const rec = createRecommender(COOCCURRENCE_LIKE);
    rec.learnBaskets([
      ['bread', 'butter'],
      ['bread', 'butter'],
      ['bread', 'butter'],
      ['bread', 'jam'],
      ['bread', 'jam'],
      ['bread', 'honey'],
      ['butter', 'honey'],
    ]);
    expect(rec.recommend({ items: ['bread'], k: 3 }).map((r) => r.item)).toEqual(['butter', 'jam', 'honey']);
  });

  it('keeps the defaults when they are not beaten', () => {
    const result = chooseRecommenderOptions(bakery(200), { defaults: {}, same: {} });
    expect(result.chosen).toBe('defaults');
  });
});
