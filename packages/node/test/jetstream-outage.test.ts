/**
 * A NATS outage behind a real ingest (handler + forwarder on `jetStreamLog`, an HTTP destination
 * on a loopback sink): while NATS is down every batch is answered `503` with `Retry-After`, fast;
 * the browser keeps those events and sends them again, and once NATS is back every event reaches
 * the destination.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as destinations from '../src/destinations/index.js';
import { jetStreamLog } from '../src/log/jetstream-log.js';
import { trackEvent, uuid } from './events.js';
import { batchBody, startIngest } from './ingest-server.js';
import { type Sink, startSink } from './loopback-sink.js';
import { type NatsNode, natsBinary, startNatsNode } from './nats-servers.js';
import { shouldRun } from './services.js';

const run = shouldRun(natsBinary, 'nats-server (the NATS outage test needs nats-server, Debian package nats-server)');

describe.skipIf(!run)('ingest on jetStreamLog during a NATS outage', () => {
  let nats: NatsNode & { stop(): Promise<void> };
  let sink: Sink;
  beforeAll(async () => {
    [nats, sink] = await Promise.all([startNatsNode(), startSink()]);
  }, 20_000);
  afterAll(async () => {
    await nats?.stop();
    await sink?.close();
  });

  it('answers 503 with Retry-After while NATS is down, and delivers every event once it is back', {
    timeout: 60_000,
  }, async () => {
    const ingest = await startIngest(
      {},
      {
        log: jetStreamLog({ servers: nats.url, connectTimeoutMs: 500, publishTimeoutMs: 1000 }),
        destinations: [destinations.http({ url: sink.url })],
        batch: { maxEvents: 50, maxWaitMs: 20 },
      },
    );
    try {
      const batches = Array.from({ length: 6 }, (_, b) =>
        Array.from({ length: 10 }, (_, i) => trackEvent({ messageId: uuid(9_000_000 + b * 10 + i) })),
      );
      expect((await ingest.post(batchBody(batches[0]!))).status).toBe(200);
      await sink.waitFor(10);

      await nats.kill();
      const refused: number[] = [];
      for (const batch of batches.slice(1)) {
        const started = Date.now();
        const response = await ingest.post(batchBody(batch));
        refused.push(Date.now() - started);
        expect(response.status).toBe(503);
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      }
      // Never longer than one publish timeout (1 s); once the outage is known, without waiting for
      // one (the bound leaves room for a busy machine; measured 11–70 ms on 2 loaded cores).
      expect(Math.max(...refused)).toBeLessThan(1500);
      expect(refused.slice(-3).every((ms) => ms < 500)).toBe(true);
      // The operator sees the refusals in stats().
      expect(ingest.forwarder.stats().log.refused.unavailable).toBeGreaterThanOrEqual(5);

      await nats.start();
      // The browser sends what was refused again until it is taken.
      const end = Date.now() + 20_000;
      for (const batch of batches.slice(1)) {
        let status = 0;
        while (status !== 200 && Date.now() < end) {
          status = (await ingest.post(batchBody(batch))).status;
          if (status !== 200) await new Promise((r) => setTimeout(r, 250));
        }
        expect(status).toBe(200);
      }
      const all = batches.flat().map((e) => e.messageId);
      const arrived = () => new Set(sink.delivered.map((e) => e.messageId));
      const deadline = Date.now() + 20_000;
      while (arrived().size < all.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect([...arrived()].sort()).toEqual([...all].sort());
    } finally {
      await ingest.close();
    }
  });
});
