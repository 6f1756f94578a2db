// One benchmark subject in its own process, so its peak RSS is its own: sends N server-side
// events into the loopback sink and reports events/second and peak RSS.
// Usage: node subject.mjs <touchpoint|segment|posthog> <events> <sink-port>
const [subject, nArg, portArg] = process.argv.slice(2);
const N = Number(nArg);
const base = `http://127.0.0.1:${portArg}`;

function eventAt(i) {
  return {
    userId: `user-${i % 5000}`,
    event: 'order.shipped',
    properties: { orderId: `o-${i}`, total: 42.5, currency: 'EUR', items: 3, carrier: 'dhl' },
  };
}

async function runTouchpoint() {
  const { createForwarder, destinations } = await import('../dist/index.js');
  const forwarder = createForwarder({
    destinations: [destinations.http({ url: `${base}/tp` })],
    batch: { maxEvents: 500, maxWaitMs: 50 },
  });
  const started = performance.now();
  for (let i = 0; i < N; i++) {
    // Explicit backpressure: wait for room instead of growing the queue.
    if (!forwarder.hasCapacity()) await forwarder.waitForCapacity(500);
    forwarder.track(eventAt(i));
  }
  await forwarder.close({ timeoutMs: 600_000 });
  return performance.now() - started;
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
  return performance.now() - started;
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
  return performance.now() - started;
}

const run = { touchpoint: runTouchpoint, segment: runSegment, posthog: runPosthog }[subject];
const elapsedMs = await run();
const peakRssMB = process.resourceUsage().maxRSS / 1024;
process.send?.({ subject, events: N, elapsedMs, eventsPerSec: N / (elapsedMs / 1000), peakRssMB });
process.disconnect?.();
