// @vitest-environment node
// On real grocery baskets (../shared/data, outside the repo) the recommender must not fall behind
// plain co-occurrence counts: the leave-one-out protocol of the bench, on a smaller scale.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRecommender } from './create-recommender.js';

const file = resolve(__dirname, '../../../../../shared/data/groceries/groceries.csv');
const present = existsSync(file);
if (!present) console.warn(`⚠ SKIPPED: shared basket data not found at ${file}`);

describe.skipIf(!present)('on the shared groceries baskets', () => {
  it('hits the hidden item at least as often as co-occurrence counts (within one standard error)', () => {
    const baskets = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => [
        ...new Set(
          l
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        ),
      ]);
    let seed = 42;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const train: string[][] = [];
    const test: { hidden: string; query: string[] }[] = [];
    baskets.forEach((b, i) => {
      if (i % 5 === 4 && b.length >= 2) {
        const h = Math.floor(rand() * b.length);
        test.push({ hidden: b[h]!, query: b.filter((_, k) => k !== h) });
      } else train.push(b);
    });
    const rec = createRecommender();
    rec.learnBaskets(train);
    const co = new Map<string, Map<string, number>>();
    const pop = new Map<string, number>();
    for (const b of train) {
      for (const a of b) {
        pop.set(a, (pop.get(a) ?? 0) + 1);
        const row = co.get(a) ?? new Map<string, number>();
        co.set(a, row);
        for (const c of b) if (c !== a) row.set(c, (row.get(c) ?? 0) + 1);
      }
    }
    const popular = [...pop.keys()].sort((a, b) => pop.get(b)! - pop.get(a)! || (a < b ? -1 : 1));
    const byCounts = (query: string[]) => {
      const score = new Map<string, number>();
      for (const q of query)
        for (const [c, n] of co.get(q) ?? []) if (!query.includes(c)) score.set(c, (score.get(c) ?? 0) + n);
      const ranked = [...score.keys()].sort((a, b) => score.get(b)! - score.get(a)! || (a < b ? -1 : 1));
      return [...ranked, ...popular.filter((p) => !query.includes(p) && !score.has(p))].slice(0, 10);
    };
    let ours = 0;
    let counts = 0;
    for (const { hidden, query } of test) {
      if (rec.recommend({ items: query, k: 10 }).some((r) => r.item === hidden)) ours++;
      if (byCounts(query).includes(hidden)) counts++;
    }
    const hr = ours / test.length;
    const se = Math.sqrt((hr * (1 - hr)) / test.length);
    expect(test.length).toBe(1546);
    expect(hr).toBeGreaterThanOrEqual(counts / test.length - se);
  });
});
