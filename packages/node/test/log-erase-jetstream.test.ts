/**
 * Erasure and retention in `jetStreamLog` against a real nats-server with a file store: the
 * customer's events and dead letters are securely erased (`erase: true`), and the store
 * directory's bytes hold none of their ids afterwards; other customers' events stay readable.
 */
import type { TouchpointEvent } from '@touchpoint/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createForwarder } from '../src/forwarder.js';
import { jetStreamLog } from '../src/log/jetstream-log.js';
import type { EventLog, LogMessage } from '../src/log/types.js';
import { bytesHolding, customer, customerEvent, needlesOf, subjectOf } from './erase-fixtures.js';
import { until } from './events.js';
import { drain, type NatsNode, natsBinary, startNatsNode } from './nats-servers.js';
import { shouldRun } from './services.js';

const run = shouldRun(natsBinary, 'nats-server (JetStream erasure tests need nats-server, Debian package nats-server)');

const erased = customer(5);
const others = [customer(1), customer(2)];
const userOf = (m: LogMessage) => (JSON.parse(m.json) as { userId: string }).userId;

describe.skipIf(!run)('jetStreamLog erase and expire', () => {
  let nats: NatsNode & { dir: string; stop(): Promise<void> };
  const logs: EventLog[] = [];
  let streams = 0;
  const open = () => {
    const log = jetStreamLog({
      servers: nats.url,
      stream: `E${++streams}`,
      subject: `tp.e${streams}`,
      ackWaitMs: 1000,
    });
    logs.push(log);
    return log;
  };
  beforeAll(async () => {
    nats = await startNatsNode();
  }, 20_000);
  afterAll(async () => {
    await Promise.all(logs.map((l) => l.close()));
    await nats?.stop();
  });

  it('securely erases the subject from the stream and its dead letters: zero bytes left in the store', async () => {
    const log = open();
    const events: string[] = [];
    for (let i = 0; i < 200; i++)
      for (const who of [others[0]!, erased, others[1]!]) events.push(customerEvent(who, i));
    expect(await log.append(events)).toEqual({ ok: true });
    const dead = await log.deadLetters('crm');
    const record = (who: typeof erased, i: number) =>
      JSON.stringify({
        destination: 'crm',
        reason: 'not_retryable',
        message: '400',
        at: 'x',
        event: JSON.parse(customerEvent(who, i)),
      });
    expect(await dead.append([record(erased, 1000), record(others[0]!, 1000)])).toEqual({ ok: true });
    // A reader that took some and acked some: the rest (the erased ones among them) are never redelivered.
    const crm = await log.reader('crm');
    const first = await crm.next({ maxEvents: 30, maxBytes: 1 << 20, waitMs: 1000 });
    await crm.ack(first.slice(0, 15));
    crm.retry(first.slice(15), 0);

    // The store holds their ids before (so the search below can find them at all).
    await new Promise((r) => setTimeout(r, 1500));
    expect((await bytesHolding(nats.dir, needlesOf(erased))).length).toBeGreaterThan(0);

    const result = await log.erase(subjectOf(erased));
    expect(result.erased).toBe(200);
    expect(result.messageIds).toHaveLength(200);
    expect(await dead.erase(subjectOf(erased))).toEqual({ erased: 1, messageIds: [`msg-${erased.userId}-1000`] });

    const rest = await drain(crm, 400 - 10);
    expect(rest.some((m) => userOf(m) === erased.userId)).toBe(false);
    expect(rest.length + 10).toBe(400);
    expect((await dead.list({ max: 10 })).map((m) => JSON.parse(m.json).event.userId)).toEqual([others[0]!.userId]);
    // The file store writes through its own buffers: give it its flush interval, then read every byte.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await bytesHolding(nats.dir, needlesOf(erased))).toEqual([]);
  }, 30_000);

  it('a forwarder on JetStream: a batch nak-ed for a retry is not redelivered after the erase', async () => {
    const log = open();
    let up = false;
    const attempted: TouchpointEvent[] = [];
    const received: TouchpointEvent[] = [];
    const forwarder = createForwarder({
      log,
      destinations: [
        {
          name: 'crm',
          async send(events) {
            attempted.push(...events);
            if (!up) return { ok: false, status: 503, message: 'down' };
            received.push(...events);
            return { ok: true };
          },
        },
      ],
      batch: { maxEvents: 50, maxWaitMs: 5 },
      retry: { baseMs: 300, maxMs: 400 },
      onError: () => {},
      onDrop: () => {},
    });
    const events: TouchpointEvent[] = [];
    for (let i = 0; i < 60; i++)
      for (const who of [others[0]!, erased, others[1]!])
        events.push(JSON.parse(customerEvent(who, i)) as TouchpointEvent);
    expect(await forwarder.accept(events)).toEqual({ ok: true });
    await until(() => attempted.some((e) => e.userId === erased.userId), 10_000);
    const results = await forwarder.erase(subjectOf(erased));
    expect(results[0]).toMatchObject({ store: 'log', erased: 60 });
    up = true;
    await until(() => received.length >= 120, 15_000);
    await new Promise((r) => setTimeout(r, 1200)); // past another ack wait: nothing more arrives
    expect(received.filter((e) => e.userId === erased.userId)).toEqual([]);
    for (const who of others)
      expect(new Set(received.filter((e) => e.userId === who.userId).map((e) => e.messageId)).size).toBe(60);
    await forwarder.close({ timeoutMs: 1000 });
  }, 30_000);

  it('expires what was appended before the cut', async () => {
    const log = open();
    await log.append(Array.from({ length: 50 }, (_, i) => customerEvent(others[0]!, i)));
    await new Promise((r) => setTimeout(r, 50));
    const cut = Date.now();
    await new Promise((r) => setTimeout(r, 50));
    await log.append(Array.from({ length: 20 }, (_, i) => customerEvent(others[1]!, i)));
    expect(await log.expire(cut)).toEqual({ removed: 50 });
    const left = await log.list({ max: 100 });
    expect(left).toHaveLength(20);
    expect(left.every((m) => userOf(m) === others[1]!.userId)).toBe(true);
  }, 30_000);
});
