// Cost bench: a synthetic shop of 50k items and 1M interactions (Zipf-skewed popularity, fixed
// seed; views, cart adds and purchases grouped into sessions). Prints learn time, heap growth,
// recommend() latency and the size of the shipped model. Numbers only — no pass/fail here.
// Run after `pnpm build`: node --expose-gc bench/cost.mjs
import { gzipSync } from 'node:zlib';
import { createRecommender, recommenderFromJSON } from '../dist/index.js';
import { createRandom, createZipf, sku } from './synthetic.mjs';

const ITEMS = 50_000;
const INTERACTIONS = 1_000_000;
const SUBJECTS = 120_000;
const DAY = 86_400_000;
const START = Date.parse('2026-08-01T00:00:00Z');

const rand = createRandom(20261122);
// Zipf(1.05) popularity over a shuffled catalogue; items come in "categories" of 40 so sessions
// have structure to learn (a session browses around one category, with some random jumps).
const zipf = createZipf(rand, ITEMS);

function* sessions(count, dayOffset) {
  let produced = 0;
  let s = 0;
  while (produced < count) {
    const subject = `u${Math.floor(rand() * SUBJECTS)}`;
    const basketId = `d${dayOffset}-s${s++}`;
    const size = 1 + Math.floor(-Math.log(1 - rand()) * 4);
    const anchor = zipf();
    const category = anchor - (anchor % 40);
    const t = START + (dayOffset + rand()) * DAY;
    const bought = rand() < 0.3;
    for (let k = 0; k < size && produced < count; k++, produced++) {
      const item = k === 0 ? anchor : rand() < 0.7 ? category + Math.floor(rand() * 40) : zipf();
      const x = rand();
      const kind = bought && x < 0.35 ? 'purchase' : x < 0.6 ? 'cart' : 'view';
      yield { subject, item: sku(item), kind, basketId, timestamp: t + k * 30_000 };
    }
  }
}

const heap = () => {
  globalThis.gc?.();
  return process.memoryUsage().heapUsed;
};
const mb = (b) => `${(b / 1e6).toFixed(1)} MB`;

const heap0 = heap(); // before the interactions exist: the growth is what the model keeps
const data = [];
for (let d = 0; d < 90; d++) for (const x of sessions(Math.floor(INTERACTIONS / 90), d)) data.push(x);
const nextDay = [...sessions(10_000, 90)];

console.log(`\n## Synthetic shop: ${ITEMS} items, ${data.length} interactions, Zipf(1.05), seed fixed`);
const rec = createRecommender({ halfLifeDays: Number.POSITIVE_INFINITY });
let t = performance.now();
rec.learn(data);
const learnMs = performance.now() - t;
data.length = 0; // a server does not keep what it has learned from: let the collector have it
t = performance.now();
const model = rec.model();
const fitMs = performance.now() - t;
const heap1 = heap();

t = performance.now();
rec.learn(nextDay);
rec.model();
const dayMs = performance.now() - t;

// The trainer refits in slices: how long does the event loop go without a turn?
const secondDay = [...sessions(10_000, 91)];
rec.learn(secondDay);
let lastTurn = performance.now();
let longestSlice = 0;
let slices = 0;
const probeClock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const at = performance.now();
    longestSlice = Math.max(longestSlice, at - lastTurn);
    slices++;
    return setTimeout(() => {
      lastTurn = performance.now();
      fn();
    }, ms);
  },
  clearTimeout: (h) => clearTimeout(h),
};
t = performance.now();
await rec.modelInSlices({ clock: probeClock });
longestSlice = Math.max(longestSlice, performance.now() - lastTurn);
const slicedMs = performance.now() - t;

const queries = [];
for (let q = 0; q < 20_000; q++) {
  const size = 1 + Math.floor(rand() * 4);
  queries.push(Array.from({ length: size }, () => sku(zipf())));
}
// Wall-clock latency, and CPU time per call (process.cpuUsage, µs resolution): on a shared
// machine the wall clock also counts the time this process waited for a core.
const latency = (m, intent) => {
  for (const items of queries.slice(0, 2000)) m.recommend({ items, k: 10, intent }); // warm up
  const wall = [];
  const cpu = [];
  for (const items of queries) {
    const c = process.cpuUsage();
    const s = performance.now();
    m.recommend({ items, k: 10, intent });
    wall.push(performance.now() - s);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }
  const at = (xs, p) => xs.sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
  const us = (ms) => `${(ms * 1000).toFixed(0)} µs`;
  return `median ${us(at(wall, 0.5))}, p99 ${us(at(wall, 0.99))} (CPU time: median ${us(at(cpu, 0.5))}, p99 ${us(at(cpu, 0.99))})`;
};

const json = JSON.stringify(model.toJSON());
const gz = gzipSync(json, { level: 9 }).length;
t = performance.now();
const loaded = recommenderFromJSON(json);
const loadMs = performance.now() - t;

console.log('| measure | value |\n|---|---|');
console.log(`| items known / baskets / subjects | ${rec.itemCount} / ${rec.basketCount} / ${rec.subjectCount} |`);
console.log(`| learn (statistics) | ${(learnMs / 1000).toFixed(2)} s |`);
console.log(`| fit (per-item regressions, top-K) | ${(fitMs / 1000).toFixed(2)} s |`);
console.log(`| next day: learn 10k interactions + refit | ${(dayMs / 1000).toFixed(2)} s |`);
console.log(
  `| another day, refit in slices (trainer) | ${(slicedMs / 1000).toFixed(2)} s in ${slices + 1} slices, longest ${longestSlice.toFixed(0)} ms without an event-loop turn |`,
);
console.log(`| heap growth after learn + fit | ${globalThis.gc ? mb(heap1 - heap0) : 'run with --expose-gc'} |`);
console.log(`| recommend() complementary | ${latency(model, 'complementary')} |`);
console.log(`| recommend() similar | ${latency(model, 'similar')} |`);
console.log(`| recommend() after recommenderFromJSON | ${latency(loaded, 'complementary')} |`);
console.log(`| toJSON() raw / gzip | ${mb(json.length)} / ${mb(gz)} |`);
console.log(`| recommenderFromJSON() parse + unpack | ${loadMs.toFixed(0)} ms |`);
