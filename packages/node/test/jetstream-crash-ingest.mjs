// An ingest instance of the JetStream crash test (a child process the test SIGKILLs): a forwarder
// that only appends (`deliver: false`), taking events `from`..`to` of instance `instance` in
// batches, several at a time, as the ingest's `accept` does; it writes each batch it sent and each
// batch JetStream acknowledged to stdout (synchronously, so a line written before the kill reaches
// the test). A refused batch is retried, as a browser retries a 503.
import { writeSync } from 'node:fs';

// The test passes a private copy of the built package (a concurrent build may empty dist/).
const { createForwarder, jetStreamLog } = await import(process.env.TP_DIST_INDEX ?? '../dist/index.js');

const [servers, stream, instance, from, to] = process.argv.slice(2);
const BATCH = 50;
const LANES = 8;

function event(inst, i) {
  return {
    type: 'track',
    messageId: `00000000-0000-4000-8${String(inst).padStart(3, '0')}-${i.toString(16).padStart(12, '0')}`,
    timestamp: '2026-11-30T00:00:00.000Z',
    anonymousId: `a${i % 97}`,
    event: 'crash.test',
    properties: { i },
  };
}

const log = jetStreamLog({
  servers: servers.split(','),
  stream,
  replicas: 3,
  connectTimeoutMs: 1000,
  publishTimeoutMs: 2000,
});
const forwarder = createForwarder({ log, destinations: [], deliver: false, onError: () => {} });
let next = Number(from);
const end = Number(to);
let refused = 0;

async function lane() {
  while (next < end) {
    const a = next;
    const b = Math.min(end, a + BATCH);
    next = b;
    const events = [];
    for (let i = a; i < b; i++) events.push(event(instance, i));
    writeSync(1, `S ${a} ${b}\n`);
    for (;;) {
      const result = await forwarder.accept(events);
      if (result.ok) break;
      refused++;
      await new Promise((r) => setTimeout(r, Math.min(result.retryAfterMs, 250)));
    }
    writeSync(1, `A ${a} ${b}\n`);
  }
}

await Promise.all(Array.from({ length: LANES }, lane));
writeSync(1, `R ${refused}\n`);
await forwarder.close({ timeoutMs: 1000 });
process.exit(0);
