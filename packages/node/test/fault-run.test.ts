/**
 * The fault run: three destinations whose backends randomly answer 500 or 429, reset the
 * connection, or answer slowly (some past the per-attempt timeout, so the backend got a batch
 * the forwarder believes failed). Randomness is seeded and bounded. Every event must arrive at
 * every destination, and — deduped by messageId as a backend would — none twice.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as destinations from '../src/destinations/index.js';
import { createForwarder } from '../src/forwarder.js';
import type { DropReport } from '../src/types.js';
import { trackEvent, uuid } from './events.js';
import { type Sink, type SinkAnswer, startSink } from './loopback-sink.js';

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function flaky(random: () => number): () => SinkAnswer {
  return () => {
    const r = random();
    if (r < 0.15) return { status: 500 };
    if (r < 0.25) return { status: 429, headers: { 'retry-after': '0' } };
    if (r < 0.33) return { reset: true };
    if (r < 0.38) return { delayMs: 150 + Math.floor(random() * 150) }; // past the 100 ms timeout
    if (r < 0.48) return { delayMs: Math.floor(random() * 40) };
    return {};
  };
}

const sinks: Sink[] = [];
afterAll(async () => {
  await Promise.all(sinks.map((s) => s.close()));
});

describe('fault run', () => {
  it('delivers every event to every destination exactly once after dedupe', { timeout: 60_000 }, async () => {
    const random = mulberry32(20261122);
    const [a, b, c] = await Promise.all([startSink(flaky(random)), startSink(flaky(random)), startSink(flaky(random))]);
    sinks.push(a!, b!, c!);
    const drops: DropReport[] = [];
    const forwarder = createForwarder({
      destinations: [
        destinations.http({ url: a!.url }),
        destinations.webhook({ url: b!.url, secret: 'whsec_ZmF1bHQtcnVuLXNlY3JldC0wMTIzNDU2Nzg5YWJj' }),
        destinations.segment({ writeKey: 'wk', host: c!.url.replace('/ingest', '') }),
      ],
      batch: { maxEvents: 40, maxWaitMs: 20 },
      retry: { maxAttempts: 100, baseMs: 5, maxMs: 40 },
      timeoutMs: 100,
      random: mulberry32(7),
      onError: () => {},
      onDrop: (d) => drops.push(d),
    });
    const ids: string[] = [];
    for (let i = 0; i < 1500; i++) {
      const event = trackEvent({ messageId: uuid(1_000_000 + i) });
      ids.push(event.messageId);
      expect(forwarder.enqueue(event)).toBe(true);
      // Browsers resend: one in ten events arrives twice.
      if (random() < 0.1) forwarder.enqueue({ ...event });
    }
    await forwarder.flush();
    await forwarder.close({ timeoutMs: 5000 });
    expect(drops).toEqual([]);
    const expected = [...ids].sort();
    for (const sink of [a!, b!, c!]) {
      const unique = [...new Set(sink.delivered.map((e) => e.messageId))].sort();
      expect(unique).toEqual(expected);
      // The faults really happened: several answers were failures.
      expect(sink.requests.length).toBeGreaterThan(1500 / 40 + 5);
    }
    // Slow answers past the timeout were retried after the backend had the batch: raw duplicates
    // reached the backends, which is why they dedupe by messageId.
    const raw = a!.delivered.length + b!.delivered.length + c!.delivered.length;
    expect(raw).toBeGreaterThan(3 * 1500);
    const stats = forwarder.stats();
    expect(stats.destinations.every((d) => d.delivered === 1500 && d.queued === 0)).toBe(true);
    expect(stats.duplicates).toBeGreaterThan(100);
  });
});
