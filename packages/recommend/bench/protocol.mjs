// The leave-one-out protocol of the shared basket data (see ../shared/data/onlineretail-h1/README.md),
// reproduced exactly so numbers are comparable with the published anchors.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const dataDir = resolve(repoRoot, '../shared/data');

/** Baskets in file order, each de-duplicated (first occurrence kept); undefined when absent. */
export function loadBaskets(relative) {
  const file = resolve(dataDir, relative);
  if (!existsSync(file)) return undefined;
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => [
      ...new Set(
        line
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    ]);
}

/** Basket i with i % 5 === 4 and ≥ 2 items is a test query; one item hidden by the fixed LCG. */
export function splitBaskets(baskets, seed = 42) {
  let s = seed;
  const rand = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const train = [];
  const test = [];
  baskets.forEach((basket, i) => {
    if (i % 5 === 4 && basket.length >= 2) {
      const hidden = Math.floor(rand() * basket.length);
      test.push({ hidden: basket[hidden], query: basket.filter((_, k) => k !== hidden) });
    } else train.push(basket);
  });
  return { train, test };
}

/** HR@k and MRR@k with standard errors; `recommend(query, k)` returns item ids, best first. */
export function evaluate(test, recommend, k = 10) {
  const hits = [];
  const rr = [];
  for (const { hidden, query } of test) {
    const rank = recommend(query, k).slice(0, k).indexOf(hidden);
    hits.push(rank >= 0 ? 1 : 0);
    rr.push(rank >= 0 ? 1 / (rank + 1) : 0);
  }
  return { n: test.length, hr: mean(hits), hrSE: stderr(hits), mrr: mean(rr), mrrSE: stderr(rr) };
}

function mean(xs) {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
function stderr(xs) {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1) / xs.length);
}
