/**
 * `pnpm bench`: what `track()` costs the page. Runs the built tracker in Node with happy-dom
 * standing in for the browser and fake-indexeddb for storage, and prints per-call times.
 * Numbers only; no thresholds (speed targets never go in timed tests).
 */
import 'fake-indexeddb/auto';
import { Window } from 'happy-dom';

const win = new Window({ url: 'https://shop.example/products/42' });
Object.assign(globalThis, {
  window: win,
  document: win.document,
  localStorage: win.localStorage,
  location: win.location,
  history: win.history,
});

const { createTracker } = await import('../dist/index.js');

function measure(label, fn, iterations) {
  for (let i = 0; i < 500; i++) fn(i); // warm up
  const start = performance.now();
  for (let i = 0; i < iterations; i++) fn(i);
  const ms = performance.now() - start;
  console.log(
    `${label.padEnd(58)} ${((ms * 1000) / iterations).toFixed(2).padStart(8)} µs/call  (${iterations} calls)`,
  );
}

const base = {
  endpoint: 'http://127.0.0.1:9/ingest',
  writeKey: 'pk_bench',
  autoCapture: false,
  batch: { maxEvents: 500, maxWaitMs: 3_600_000 },
  queue: { maxEvents: 1_000_000, maxBytes: 1e9 },
};
const props = {
  productId: 'sku-123',
  name: 'Linen shirt',
  category: 'apparel',
  price: 39.9,
  currency: 'EUR',
  quantity: 1,
};

const memory = createTracker({ ...base, name: 'bench-memory', storage: 'memory' });
measure('track() with properties, memory queue', (i) => memory.track('cart.item_added', { ...props, i }), 20_000);
measure('track() without properties, memory queue', () => memory.track('page.scrolled'), 20_000);
measure(
  'feedback() nps with comment, memory queue',
  (i) => memory.feedback({ kind: 'nps', score: i % 11, comment: 'fine' }),
  20_000,
);
memory.destroy();

const durable = createTracker({ ...base, name: 'bench-idb' });
measure(
  'track() with properties, IndexedDB queue (fake-indexeddb)',
  (i) => durable.track('cart.item_added', { ...props, i }),
  5_000,
);
durable.destroy();

const pending = createTracker({ ...base, name: 'bench-consent', storage: 'memory', consent: 'pending' });
measure(
  'track() while consent is pending (held in memory)',
  (i) => pending.track('cart.item_added', { ...props, i }),
  20_000,
);
const start = performance.now();
pending.setConsent({ analytics: true });
console.log(
  `${'setConsent() releasing 20 500 held events'.padEnd(58)} ${(performance.now() - start).toFixed(1).padStart(8)} ms`,
);
pending.destroy();
process.exit(0);
