// One benchmark subject in its own process, so its peak RSS is its own: sends N server-side
// events into the loopback sink and reports events/second and peak RSS.
// Usage: node subject.mjs <memory|file|backlog|ingest|segment|posthog> <events> <sink-port>
//   memory / file: the forwarder on memoryLog / fileLog (durable: every append fsync'd)
//   backlog: fileLog with the sink down — N events appended, then delivered once it is back
//   ingest: the ingest handler on fileLog, 20-event batches over HTTP, latency per answer
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [subject, nArg, portArg] = process.argv.slice(2);
// BENCH_TRACE=<ms>: print heap / external / arrayBuffers / RSS every <ms> to stderr (where the memory goes).
if (process.env.BENCH_TRACE) {
  const t0 = performance.now();
  const mb = (n) => (n / 1024 / 1024).toFixed(0).padStart(4);
  setInterval(() => {
    const m = process.memoryUsage();
    process.stderr.write(
      `${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s  rss ${mb(m.rss)}  heapUsed ${mb(m.heapUsed)}  heapTotal ${mb(m.heapTotal)}  external ${mb(m.external)}  arrayBuffers ${mb(m.arrayBuffers)}\n`,
    );
  }, Number(process.env.BENCH_TRACE)).unref();
}
const N = Number(nArg);
const base = `http://127.0.0.1:${portArg}`;

function eventAt(i) {
  return {
    userId: `user-${i % 5000}`,
    event: 'order.shipped',
    properties: { orderId: `o-${i}`, total: 42.5, currency: 'EUR', items: 3, carrier: 'dhl' },
  };
}

function logFor(lib, kind) {
  if (kind === 'memory') return { log: lib.memoryLog(), cleanup() {} };
  const dir = mkdtempSync(join(tmpdir(), 'tp-bench-log-'));
  return {
    log: lib.fileLog({ dir, maxBytes: 4 * 1024 ** 3 }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function runTouchpoint(kind) {
  const lib = await import('../dist/index.js');
  const { log, cleanup } = logFor(lib, kind);
  const forwarder = lib.createForwarder({
    log,
    destinations: [lib.destinations.http({ url: `${base}/tp` })],
    batch: { maxEvents: 500, maxWaitMs: 50 },
    retry: { baseMs: 100, maxMs: 1000 },
    onError: () => {},
  });
  const started = performance.now();
  for (let i = 0; i < N; i++) {
    // Explicit backpressure: `false` means slow down (the event is kept).
    if (!forwarder.track(eventAt(i))) await forwarder.waitForCapacity(500);
  }
  let appendedMs;
  if (kind === 'backlog') {
    while (forwarder.stats().pending > 0) await new Promise((r) => setTimeout(r, 20));
    appendedMs = performance.now() - started;
    // Only now does the sink come back: everything was held on disk meanwhile.
    await fetch(`${base}/up`, { method: 'POST' });
  }
  // The forwarder's timers are unref'd (a pending delivery never keeps a host alive): while every
  // event waits for a retry, only this keeps the process running until flush() resolves.
  const alive = setInterval(() => {}, 1000);
  await forwarder.flush();
  clearInterval(alive);
  const elapsedMs = performance.now() - started;
  await forwarder.close({ timeoutMs: 600_000 });
  cleanup();
  return { elapsedMs, ...(appendedMs !== undefined && { appendedMs }) };
}

/** The ingest on fileLog: N events as 20-event batches from 8 concurrent clients; latency per answer. */
async function runIngest() {
  const lib = await import('../dist/index.js');
  const { log, cleanup } = logFor(lib, 'file');
  const forwarder = lib.createForwarder({
    log,
    destinations: [lib.destinations.http({ url: `${base}/tp` })],
    batch: { maxEvents: 500, maxWaitMs: 50 },
    onError: () => {},
  });
  const handler = lib.createIngestHandler({ forwarder, writeKeys: ['wk_bench'] });
  const server = createServer(lib.toNodeHandler(handler));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/v1/batch`;
  const latencies = [];
  let next = 0;
  const started = performance.now();
  const client = async () => {
    while (next < N) {
      const from = next;
      next += 20;
      const batch = [];
      for (let i = from; i < from + 20; i++) {
        const e = eventAt(i);
        batch.push({
          type: 'track',
          messageId: `bench-${i}-${from}`,
          anonymousId: e.userId,
          timestamp: new Date().toISOString(),
          event: e.event,
          properties: e.properties,
        });
      }
      const t0 = performance.now();
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer wk_bench' },
        body: JSON.stringify({ batch, sentAt: new Date().toISOString() }),
      });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`ingest answered ${res.status}`);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: 8 }, client));
  await forwarder.flush();
  const elapsedMs = performance.now() - started;
  server.close();
  await forwarder.close();
  cleanup();
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { elapsedMs, latencyP50Ms: at(0.5), latencyP99Ms: at(0.99) };
}

// The other SDKs have no backpressure signal, so they are fed in windows of WINDOW events and
// each window is awaited (delivery callbacks / flush) before the next: every subject then holds at
// most about as many events as the Touchpoint forwarder's default queue (10 000), and none is
// measured swapping or buffering a million events.
const WINDOW = 10_000;

async function runSegment() {
  const { Analytics } = await import('@segment/analytics-node');
  const analytics = new Analytics({
    writeKey: 'bench',
    host: base,
    path: '/v1/batch',
    maxEventsInBatch: 500,
    flushInterval: 50,
  });
  const started = performance.now();
  for (let from = 0; from < N; from += WINDOW) {
    const pending = [];
    for (let i = from; i < Math.min(N, from + WINDOW); i++) {
      pending.push(new Promise((resolve) => analytics.track(eventAt(i), resolve)));
    }
    await Promise.all(pending);
  }
  await analytics.closeAndFlush({ timeout: 600_000 });
  return { elapsedMs: performance.now() - started };
}

async function runPosthog() {
  const { PostHog } = await import('posthog-node');
  const client = new PostHog('phc_bench', {
    host: base,
    flushAt: 500,
    maxBatchSize: 500,
    flushInterval: 50,
    maxQueueSize: WINDOW + 1,
    disableCompression: true,
    disableGeoip: true,
  });
  const started = performance.now();
  for (let from = 0; from < N; from += WINDOW) {
    for (let i = from; i < Math.min(N, from + WINDOW); i++) {
      const e = eventAt(i);
      client.capture({ distinctId: e.userId, event: e.event, properties: e.properties });
    }
    await client.flush();
  }
  await client.shutdown(600_000);
  return { elapsedMs: performance.now() - started };
}

const run = {
  memory: () => runTouchpoint('memory'),
  file: () => runTouchpoint('file'),
  backlog: () => runTouchpoint('backlog'),
  ingest: runIngest,
  segment: runSegment,
  posthog: runPosthog,
}[subject];
const result = await run();
const usage = process.resourceUsage();
const peakRssMB = usage.maxRSS / 1024;
// The whole process (every thread: the collector's, libuv's) from its start, imports included.
const cpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000;
process.send?.({ subject, events: N, ...result, eventsPerSec: N / (result.elapsedMs / 1000), peakRssMB, cpuMs });
process.disconnect?.();
