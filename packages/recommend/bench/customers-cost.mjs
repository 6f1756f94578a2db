// Cost bench of the customer model: a synthetic shop of 100k customers and 1M orders over a year
// (fixed seed; each customer has a rhythm, a few regulars and some browsing of a Zipf catalogue).
// Prints learn time, heap, and per-customer latency of predictNextBasket / nextOrder / dueItems.
// Then the learned ranker's refits: in one go (`fitRanker()`, the event loop waits for all of it)
// and in the background (after 10% new orders, and after a `forget`), with answers served between
// its steps: the longest step, and the answers' p99 as a request sees it (waiting + answering).
// Numbers only — no pass/fail. Run after `pnpm build`: node --expose-gc bench/customers-cost.mjs
// [--at-visit]  (the model also fits the "at the visit" ranker and answers at a visit date)

import { PerformanceObserver } from 'node:perf_hooks';
import { CUSTOMER_MODEL_DEFAULTS, createCustomerModel } from '../dist/index.js';
import { createRandom, createZipf, sku } from './synthetic.mjs';

const atVisit = process.argv.includes('--at-visit');
const CUSTOMERS = 100_000;
const ORDERS = 1_000_000;
const ITEMS = 20_000;
const DAY = 86_400_000;
const START = Date.parse('2025-12-01T00:00:00Z');

const rand = createRandom(20261130);
const zipf = createZipf(rand, ITEMS);

/** 1M orders, oldest first per customer: 10 per customer on average, at their own rhythm. */
function* orders() {
  const perCustomer = ORDERS / CUSTOMERS;
  for (let c = 0; c < CUSTOMERS; c++) {
    const gap = Math.exp(Math.log(30) + 0.6 * (rand() * 2 - 1));
    const regulars = Array.from({ length: 3 }, zipf);
    let day = rand() * gap;
    for (let k = 0; k < perCustomer; k++) {
      const items = regulars.filter(() => rand() < 0.6);
      const extra = 1 + Math.floor(rand() * 3);
      for (let e = 0; e < extra; e++) items.push(zipf());
      yield { customer: `c${c}`, at: START + Math.floor(day) * DAY, items: items.map(sku), orderId: `o${c}-${k}` };
      day += gap * Math.exp(0.4 * (rand() * 2 - 1));
    }
  }
}

const heap = () => {
  globalThis.gc?.();
  return process.memoryUsage().heapUsed;
};
const mb = (b) => `${(b / 1e6).toFixed(0)} MB`;
const before = heap();
const model = createCustomerModel({ rankerAtVisit: atVisit });
let t = performance.now();
let cpu = process.cpuUsage();
const cpuSeconds = () => {
  const d = process.cpuUsage(cpu);
  cpu = process.cpuUsage();
  return ((d.user + d.system) / 1e6).toFixed(1);
};
let batch = [];
for (const o of orders()) {
  batch.push(o);
  if (batch.length === 10_000) {
    model.learnOrders(batch);
    batch = [];
  }
}
model.learnOrders(batch);
const learnMs = performance.now() - t;
const learnCpu = cpuSeconds();
t = performance.now();
model.basketModel(); // the basket model learns its pending orders in one batch, then fits
const fitMs = performance.now() - t;
const fitCpu = cpuSeconds();
t = performance.now();
model.fitRanker(); // the learned next-basket ranker in one go: features of up to rankerMaxTargets targets + trees
const rankerMs = performance.now() - t;
const rankerCpu = cpuSeconds();
const kept = heap() - before;

/** Wall-clock and CPU-time median / p99 over 5,000 random customers (CPU time: the machine is shared). */
function latency(fn) {
  const wall = [];
  const cpu = [];
  for (let i = 0; i < 5000; i++) {
    const c = `c${Math.floor(rand() * CUSTOMERS)}`;
    const s = performance.now();
    const u = process.cpuUsage();
    fn(c);
    const d = process.cpuUsage(u);
    wall.push((performance.now() - s) * 1000);
    cpu.push(d.user + d.system);
  }
  const pct = (xs, p) => xs.slice().sort((a, b) => a - b)[Math.floor(p * xs.length)];
  const us = (x) => `${x.toFixed(0)} µs`;
  return `${us(pct(wall, 0.5))} / ${us(pct(wall, 0.99))} (CPU ${us(pct(cpu, 0.5))} / ${us(pct(cpu, 0.99))})`;
}
const now = START + 380 * DAY;
t = performance.now();
model.predictNextBasket('c1'); // after a refit: the explore bound starts empty (each item's is asked once)
const firstPredictMs = performance.now() - t;
model.dueItems('c1', now);
console.log(
  `\n## Customer model cost: ${CUSTOMERS.toLocaleString('en')} customers, ${ORDERS.toLocaleString('en')} orders, ${ITEMS.toLocaleString('en')} items (synthetic, fixed seed)`,
);
console.log(
  `(load average ${(await import('node:os')).loadavg()[0].toFixed(1)} on ${(await import('node:os')).cpus().length} cores)`,
);
console.log('\n| measure | value |\n|---|---|');
console.log(
  `| learnOrders (histories; basket model deferred) | ${(learnMs / 1000).toFixed(1)} s (CPU ${learnCpu} s) |`,
);
console.log(
  `| first answer: basket model learns all orders + fits | ${(fitMs / 1000).toFixed(1)} s (CPU ${fitCpu} s) |`,
);
console.log(
  `| fitRanker: learned next-basket ranker (${CUSTOMER_MODEL_DEFAULTS.rankerTrees} trees, ≤ ${CUSTOMER_MODEL_DEFAULTS.rankerMaxTargets.toLocaleString('en')} targets) | ${(rankerMs / 1000).toFixed(1)} s (CPU ${rankerCpu} s) |`,
);
console.log(`| heap kept (histories + basket model + ranker) | ${mb(kept)} |`);
console.log(`| first predictNextBasket after learning | ${firstPredictMs.toFixed(0)} ms |`);
console.log(
  `| predictNextBasket(k 10), learned ranker, median / p99 | ${latency((c) => model.predictNextBasket(c))} |`,
);
console.log(
  `| predictNextBasket(k 10), frequency ranker, median / p99 | ${latency((c) => model.predictNextBasket(c, { ranker: 'frequency' }))} |`,
);
console.log(
  `| predictNextBasket, frequency ranker without explore, median / p99 | ${latency((c) => model.predictNextBasket(c, { ranker: 'frequency', exploreWeight: 0 }))} |`,
);
if (atVisit)
  console.log(
    `| predictNextBasket(k 10, at the visit), median / p99 | ${latency((c) => model.predictNextBasket(c, { at: now }))} |`,
  );
console.log(`| nextOrder, median / p99 | ${latency((c) => model.nextOrder(c))} |`);
console.log(`| dueItems(now, 7 days), median / p99 | ${latency((c) => model.dueItems(c, now))} |`);
t = performance.now();
const json = JSON.stringify(model.toJSON());
console.log(`| toJSON (orders) size / time | ${mb(json.length)} / ${((performance.now() - t) / 1000).toFixed(1)} s |`);

// ---- the learned ranker's refits while answering ----------------------------------------------
/**
 * Runs `refit` (a promise) while answering one random customer per turn of the event loop.
 * Returns the refit's wall time, its steps and longest step (the status), and for the answers:
 * the time each took, and the time each request saw (waiting for the loop + answering).
 */
async function answersDuringRefit(refit, answer) {
  const seen = [];
  const took = [];
  let done = false;
  // The collector's pauses land in whichever step or answer is running: the longest is printed.
  let gcMax = 0;
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcMax = Math.max(gcMax, e.duration);
  });
  gc.observe({ entryTypes: ['gc'] });
  const t0 = performance.now();
  const finished = refit.then(() => {
    done = true;
  });
  while (!done) {
    const asked = performance.now();
    await new Promise((resolve) => setImmediate(resolve));
    if (done) break;
    const s = performance.now();
    answer(`c${Math.floor(rand() * CUSTOMERS)}`);
    const e = performance.now();
    took.push((e - s) * 1000);
    seen.push((e - asked) * 1000);
  }
  await finished;
  const ms = performance.now() - t0;
  gc.disconnect();
  const pct = (xs, p) => xs.slice().sort((a, b) => a - b)[Math.floor(p * (xs.length - 1))];
  const st = model.rankerStatus();
  return { ms, st, n: took.length, took: pct(took, 0.99), seen: pct(seen, 0.99), seenMax: pct(seen, 1), gcMax };
}
const us = (x) => (x >= 1000 ? `${(x / 1000).toFixed(1)} ms` : `${x.toFixed(0)} µs`);
// 10% new orders (a later month for 100k of the customers' rhythms): the trees go stale.
const extra = [];
for (let k = 0; k < ORDERS / 10; k++) {
  const c = k % CUSTOMERS;
  extra.push({
    customer: `c${c}`,
    at: START + (400 + (k % 30)) * DAY,
    items: [sku(zipf()), sku(zipf())],
    orderId: `x${k}`,
  });
}
model.learnOrders(extra);
t = performance.now();
model.basketModel(); // the basket model learns the new order lines (its own cost, not the ranker's)
const basketUpdateMs = performance.now() - t;
const stale = await answersDuringRefit(model.refitRanker(), (c) => model.predictNextBasket(c));
model.forget('c2');
const erased = await answersDuringRefit(model.refitRanker(), (c) => model.predictNextBasket(c));
console.log('\n| learned ranker refit | before: `fitRanker()` in one go | after: in the background |\n|---|---|---|');
console.log(
  `| longest time the event loop waits (ms) | ${rankerMs.toFixed(0)} (the whole fit) | ${stale.st.lastRefitLongestStepMs.toFixed(1)} after 10% new orders, ${erased.st.lastRefitLongestStepMs.toFixed(1)} after a forget |`,
);
console.log(
  `| refit wall time / steps | ${(rankerMs / 1000).toFixed(1)} s / 1 | ${(stale.ms / 1000).toFixed(1)} s / ${stale.st.lastRefitSteps} (new orders), ${(erased.ms / 1000).toFixed(1)} s / ${erased.st.lastRefitSteps} (forget) |`,
);
console.log(
  `| answers during the refit: p99 answering / p99 as a request sees it (wait + answer), max | none (blocked) | stale trees: ${stale.n} answers, ${us(stale.took)} / ${us(stale.seen)}, max ${us(stale.seenMax)}; after forget (frequency ranker): ${erased.n} answers, ${us(erased.took)} / ${us(erased.seen)}, max ${us(erased.seenMax)} |`,
);
console.log(
  `| longest collector pause during the refit | | ${stale.gcMax.toFixed(1)} ms (new orders), ${erased.gcMax.toFixed(1)} ms (forget) |`,
);
console.log(
  `| basket model learning the 10% new orders (blocks its first answer; not the ranker) | ${(basketUpdateMs / 1000).toFixed(1)} s | |`,
);
console.log(`(load average ${(await import('node:os')).loadavg()[0].toFixed(1)} after the refits)`);
