// The protocol of ../shared/data/onlineretail-customers/README.md, reproduced step by step so the
// numbers the bench prints are comparable with the README's anchors: loading, the test and
// validation splits (steps 1, 2, 7), the ranking metrics with repeat / explore parts (3, 4), and
// the timing candidates, intervals and errors (5).
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { dataDir } from './protocol.mjs';

const DAY_MS = 86_400_000;
export const dayOf = (date) => Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS);

/** customer → baskets `{ day, date, invoice, items }`, ordered by date then invoice; undefined when absent. */
export function loadCustomers(relative = 'onlineretail-customers/baskets.csv') {
  const file = resolve(dataDir, relative);
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, 'utf8').split('\n');
  const customers = new Map();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    const [customer, date, invoice, items] = line.split(',');
    let list = customers.get(customer);
    if (!list) {
      list = [];
      customers.set(customer, list);
    }
    list.push({ day: dayOf(date), date, invoice, items: [...new Set(items.split(' ').filter(Boolean))] });
  }
  for (const list of customers.values())
    list.sort((a, b) => a.day - b.day || Number(a.invoice.replace(/\D/g, '')) - Number(b.invoice.replace(/\D/g, '')));
  return customers;
}

/**
 * Step 2 (`test`) or step 7 (`validation`): every customer's training baskets, and the target
 * basket of each evaluated customer (at least 3 baskets in the file).
 */
export function split(customers, mode = 'test') {
  const train = new Map();
  const targets = new Map();
  for (const [customer, baskets] of customers) {
    const evaluated = baskets.length >= 3;
    let own = evaluated ? baskets.slice(0, -1) : baskets.slice();
    if (evaluated && mode === 'validation') {
      targets.set(customer, own[own.length - 1]);
      own = own.slice(0, -1);
    } else if (evaluated) targets.set(customer, baskets[baskets.length - 1]);
    train.set(customer, own);
  }
  return { train, targets };
}

/** Training baskets holding each item (the popularity of step 3's fill), and the items by it, ties by stock code. */
export function popularity(train) {
  const count = new Map();
  for (const baskets of train.values())
    for (const b of baskets) for (const item of b.items) count.set(item, (count.get(item) ?? 0) + 1);
  const ranked = [...count.keys()].sort((a, b) => count.get(b) - count.get(a) || (a < b ? -1 : a > b ? 1 : 0));
  return { count, ranked };
}

export const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Mean and standard error of the per-customer difference a − b (the same customers, same order). */
export const pairedDifference = (a, b) => {
  const d = a.map((x, i) => x - b[i]);
  return { mean: mean(d), se: stderr(d) };
};
export const stderr = (xs) => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1) / xs.length);
};

/**
 * Steps 3–4: `predict(customer, ownBaskets)` returns 10 distinct items, best first. Returns the
 * means and standard errors of Recall@10, NDCG@10, HR@10 and the repeat / explore recalls.
 */
export function evaluateRanking(split_, predict, k = 10) {
  const recall = [];
  const ndcg = [];
  const hr = [];
  const repeat = [];
  const explore = [];
  for (const [customer, target] of split_.targets) {
    const own = split_.train.get(customer);
    const list = predict(customer, own).slice(0, k);
    const truth = new Set(target.items);
    const seen = new Set();
    for (const b of own) for (const item of b.items) seen.add(item);
    let h = 0;
    let dcg = 0;
    let hRepeat = 0;
    let hExplore = 0;
    list.forEach((item, rank) => {
      if (!truth.has(item)) return;
      h++;
      dcg += 1 / Math.log2(rank + 2);
      if (seen.has(item)) hRepeat++;
      else hExplore++;
    });
    const ideal = Math.min(k, truth.size);
    let idcg = 0;
    for (let r = 0; r < ideal; r++) idcg += 1 / Math.log2(r + 2);
    recall.push(h / ideal);
    ndcg.push(dcg / idcg);
    hr.push(h > 0 ? 1 : 0);
    const nRepeat = target.items.filter((i) => seen.has(i)).length;
    const nExplore = target.items.length - nRepeat;
    if (nRepeat > 0) repeat.push(hRepeat / Math.min(k, nRepeat));
    if (nExplore > 0) explore.push(hExplore / Math.min(k, nExplore));
  }
  const stat = (xs) => ({ mean: mean(xs), se: stderr(xs), n: xs.length });
  return {
    recall: stat(recall),
    ndcg: stat(ndcg),
    hr: stat(hr),
    repeat: stat(repeat),
    explore: stat(explore),
    // Per-customer Recall@10 in the targets' order, for paired differences between methods.
    recalls: recall,
  };
}

function median(xs) {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Distinct days of the baskets holding each item, per customer: item → sorted days. */
export function itemDays(baskets) {
  const days = new Map();
  const count = new Map();
  for (const b of baskets) {
    for (const item of b.items) {
      count.set(item, (count.get(item) ?? 0) + 1);
      let d = days.get(item);
      if (!d) {
        d = [];
        days.set(item, d);
      }
      if (d[d.length - 1] !== b.day) d.push(b.day);
    }
  }
  return { days, count };
}

const gaps = (days) => days.slice(1).map((d, i) => d - days[i]);

/**
 * Step 5: the timing candidates of each evaluated customer (items in ≥ 2 of their training
 * baskets), with the step's interval, last purchase day and L, and the fallbacks it names.
 */
export function timingCandidates(split_) {
  const perItem = new Map();
  const all = [];
  const own = new Map();
  for (const [customer, baskets] of split_.train) {
    const info = itemDays(baskets);
    own.set(customer, info);
    for (const [item, days] of info.days) {
      const g = gaps(days);
      if (g.length === 0) continue;
      let list = perItem.get(item);
      if (!list) {
        list = [];
        perItem.set(item, list);
      }
      list.push(...g);
      all.push(...g);
    }
  }
  const globalInterval = median(all);
  const itemInterval = new Map([...perItem].map(([item, g]) => [item, median(g)]));
  const customers = [];
  for (const [customer, target] of split_.targets) {
    const baskets = split_.train.get(customer);
    const { days, count } = own.get(customer);
    const L = baskets[baskets.length - 1].day;
    const candidates = [];
    for (const [item, n] of count) {
      if (n < 2) continue;
      const d = days.get(item);
      const interval = d.length >= 2 ? median(gaps(d)) : (itemInterval.get(item) ?? globalInterval);
      candidates.push({ item, baskets: n, last: d[d.length - 1], interval });
    }
    if (candidates.length === 0) continue;
    customers.push({ customer, L, baskets, target, candidates, inTarget: new Set(target.items) });
  }
  return { customers, globalInterval, itemInterval, median };
}

/**
 * Step 5's errors: `predictDay(customerEntry, candidate)` → predicted day. MAE over the scored
 * (customer, item) pairs, their median, and the mean over customers of each one's mean (with SE).
 */
export function evaluateTiming(timing, predictDay) {
  const errors = [];
  const perCustomer = [];
  for (const c of timing.customers) {
    const actual = c.target.day;
    const mine = [];
    for (const cand of c.candidates) {
      if (!c.inTarget.has(cand.item)) continue;
      const e = Math.abs(predictDay(c, cand) - actual);
      errors.push(e);
      mine.push(e);
    }
    if (mine.length > 0) perCustomer.push(mean(mine));
  }
  return {
    pairs: errors.length,
    customers: perCustomer.length,
    mae: mean(errors),
    medianError: median(errors),
    maeCustomers: mean(perCustomer),
    maeCustomersSE: stderr(perCustomer),
  };
}

/** The customer's median gap between distinct basket days (the rhythm anchor). */
export function customerGap(baskets) {
  const days = [...new Set(baskets.map((b) => b.day))];
  return days.length >= 2 ? median(gaps(days)) : undefined;
}

export { median };
