/**
 * Dead letters through the forwarder on `jetStreamLog`: events a destination refused for good are
 * listed by `forwarder.deadLetters(name)`, sent again by `replay(name)`, and no longer listed once
 * the destination took them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as destinations from '../src/destinations/index.js';
import { createForwarder } from '../src/forwarder.js';
import { jetStreamLog } from '../src/log/jetstream-log.js';
import { trackEvent, uuid } from './events.js';
import { type Sink, startSink } from './loopback-sink.js';
import { type NatsNode, natsBinary, startNatsNode } from './nats-servers.js';
import { shouldRun } from './services.js';

const run = shouldRun(
  natsBinary,
  'nats-server (JetStream dead-letter tests need nats-server, Debian package nats-server)',
);

describe.skipIf(!run)('dead letters on jetStreamLog', () => {
  let nats: NatsNode & { stop(): Promise<void> };
  let sink: Sink;
  let refusing = true;
  beforeAll(async () => {
    [nats, sink] = await Promise.all([startNatsNode(), startSink(() => (refusing ? { status: 400 } : {}))]);
  }, 20_000);
  afterAll(async () => {
    await nats?.stop();
    await sink?.close();
  });

  it('lists what the destination refused for good and replays it once the destination takes it', {
    timeout: 30_000,
  }, async () => {
    const forwarder = createForwarder({
      log: jetStreamLog({ servers: nats.url, stream: 'DEAD_TEST' }),
      destinations: [destinations.http({ url: sink.url })],
      batch: { maxEvents: 10, maxWaitMs: 10 },
      onError: () => {},
      onDrop: () => {},
    });
    try {
      const ids = Array.from({ length: 5 }, (_, i) => uuid(9_100_000 + i));
      expect(await forwarder.accept(ids.map((messageId) => trackEvent({ messageId })))).toEqual({ ok: true });
      let dead: Awaited<ReturnType<typeof forwarder.deadLetters>> = [];
      const end = Date.now() + 10_000;
      while (dead.length < 5 && Date.now() < end) {
        dead = await forwarder.deadLetters('http');
        if (dead.length < 5) await new Promise((r) => setTimeout(r, 100));
      }
      expect(dead.map((d) => d.event.messageId)).toEqual(ids);
      expect(dead.every((d) => d.destination === 'http')).toBe(true);
      expect(sink.delivered).toHaveLength(0);

      refusing = false;
      const summary = await forwarder.replay('http', { timeoutMs: 10_000 });
      expect(summary).toEqual({ replayed: 5, remaining: 0 });
      expect(sink.delivered.map((e) => e.messageId)).toEqual(ids);
      expect(await forwarder.deadLetters('http')).toEqual([]);
    } finally {
      await forwarder.close({ timeoutMs: 1000 });
    }
  });
});
