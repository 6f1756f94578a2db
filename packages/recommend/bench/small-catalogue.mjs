// Small-catalogue check: does the recommender ever fall meaningfully below plain co-occurrence?
// On short-basket subsamples of the shared sets (every basket cut to its first 2 or 3 items, as
// in a bakery), with the leave-one-out protocol of protocol.mjs: co-occurrence counts (bench
// baseline), the package defaults, the co-occurrence-like setting, and what
// chooseRecommenderOptions picks on validation baskets carved from the training baskets.
// Run after `pnpm build`: node bench/small-catalogue.mjs
import { COOCCURRENCE_LIKE, chooseRecommenderOptions, createRecommender } from '../dist/index.js';
import { createBaselines } from './baselines.mjs';
import { dataDir, evaluate, loadBaskets, splitBaskets } from './protocol.mjs';

const SETS = [
  { name: 'groceries', file: 'groceries/groceries.csv' },
  { name: 'onlineretail-h1', file: 'onlineretail-h1/baskets.csv' },
];
const fmt = (r) => `${r.hr.toFixed(3)} ± ${r.hrSE.toFixed(3)}`;
const fit = (train, options) => {
  const rec = createRecommender(options);
  rec.learnBaskets(train);
  const model = rec.model();
  return (query, k) => model.recommend({ items: query, k }).map((r) => r.item);
};
console.log('\n## Small catalogues and short baskets: HR@10 against plain co-occurrence');
console.log(
  '\n| data | items | co-occurrence | defaults | co-occurrence-like | chosen on validation |\n|---|---|---|---|---|---|',
);
for (const set of SETS) {
  const all = loadBaskets(set.file);
  if (!all) {
    console.log(`| ${set.name} | SKIPPED: ${dataDir}/${set.file} not found | | | | |`);
    continue;
  }
  for (const cut of [Number.POSITIVE_INFINITY, 3, 2]) {
    const baskets = all.map((b) => b.slice(0, cut));
    const { train, test } = splitBaskets(baskets);
    const items = new Set(baskets.flat()).size;
    const base = createBaselines(train, [...new Set(baskets.flat())]);
    const co = evaluate(test, base.cooccurrence);
    const defaults = evaluate(test, fit(train, {}));
    const like = evaluate(test, fit(train, COOCCURRENCE_LIKE));
    const choice = chooseRecommenderOptions(train);
    const chosen = evaluate(test, fit(train, choice.options));
    const name = `${set.name}${Number.isFinite(cut) ? `, first ${cut} items per basket` : ''}`;
    console.log(
      `| ${name} | ${items} | ${fmt(co)} | ${fmt(defaults)} | ${fmt(like)} | ${fmt(chosen)} (${choice.chosen}; validation ${Object.entries(
        choice.validation,
      )
        .map(([k, v]) => `${k} ${v.toFixed(3)}`)
        .join(', ')}) |`,
    );
  }
}
