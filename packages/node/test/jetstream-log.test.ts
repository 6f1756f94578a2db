/**
 * `jetStreamLog` against a real nats-server (Debian's 2.9.10 in CI): what an ingest and a delivery
 * worker notice — appends acknowledged only when stored, readers that share a destination's
 * consumer, redelivery after the ack wait, dead letters, a full stream, and an outage that answers
 * fast and loses nothing once NATS is back.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetStreamLog } from '../src/log/jetstream-log.js';
import type { EventLog, LogMessage } from '../src/log/types.js';
import { trackEvent, uuid } from './events.js';
import { drain, type NatsNode, natsBinary, startNatsNode } from './nats-servers.js';
import { shouldRun } from './services.js';

const run = shouldRun(natsBinary, 'nats-server (JetStream log tests need nats-server, Debian package nats-server)');

const json = (i: number) => JSON.stringify(trackEvent({ messageId: uuid(7_000_000 + i) }));
const idOf = (m: LogMessage) => (JSON.parse(m.json) as { messageId: string }).messageId;

describe.skipIf(!run)('jetStreamLog on one nats-server', () => {
  let nats: NatsNode & { stop(): Promise<void> };
  const logs: EventLog[] = [];
  let streams = 0;
  // Each test its own stream, so none sees another's events.
  const open = (options: Partial<Parameters<typeof jetStreamLog>[0]> = {}) => {
    const log = jetStreamLog({
      servers: nats.url,
      stream: `T${++streams}`,
      subject: `tp.t${streams}`,
      ackWaitMs: 1000,
      ...options,
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

  it('acknowledges appends once stored, and stores a resent messageId once', async () => {
    const log = open();
    expect(log.kind).toBe('jetstream');
    expect(log.durable).toBe(true);
    const before = Date.now();
    expect(await log.append([json(1), json(2), json(3)])).toEqual({ ok: true });
    expect(await log.append([json(2), json(4)])).toEqual({ ok: true });
    const reader = await log.reader('http');
    const got = await reader.next({ maxEvents: 10, maxBytes: 1 << 20, waitMs: 500 });
    expect(got.map(idOf)).toEqual([1, 2, 3, 4].map((i) => uuid(7_000_000 + i)));
    expect(got.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    expect(got.every((m) => m.attempts === 0 && m.appendedAt >= before - 1000 && m.appendedAt <= Date.now())).toBe(
      true,
    );
    await reader.ack(got);
    expect(await reader.next({ maxEvents: 10, maxBytes: 1 << 20, waitMs: 100 })).toEqual([]);
    expect(log.stats()).toMatchObject({ kind: 'jetstream', appended: 5 });
  });

  it('gives every destination every event, and a retried one again with its attempts', async () => {
    const log = open();
    await log.append([json(10), json(11)]);
    const a = await log.reader('http');
    const b = await log.reader('warehouse/events v2'); // any name: sanitised into a consumer name
    const fromA = await a.next({ maxEvents: 10, maxBytes: 1 << 20, waitMs: 500 });
    expect((await drain(b, 2)).map(idOf)).toEqual(fromA.map(idOf));
    const started = Date.now();
    a.retry(fromA, 300);
    const again = await drain(a, 2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(again.map(idOf)).toEqual(fromA.map(idOf));
    expect(again.every((m) => m.attempts === 1)).toBe(true);
  });

  it('respects the byte limit of one read but hands out an event larger than it alone', async () => {
    const log = open();
    await log.append(Array.from({ length: 20 }, (_, i) => json(20 + i)));
    const reader = await log.reader('small');
    const first = await reader.next({ maxEvents: 100, maxBytes: 600, waitMs: 500 });
    expect(first.length).toBeGreaterThan(0);
    expect(first.length).toBeLessThan(20);
    const tiny = await reader.next({ maxEvents: 100, maxBytes: 10, waitMs: 500 });
    expect(tiny.length).toBe(1);
  });

  it('leaves what a worker took and never acked to another worker after the ack wait', async () => {
    const one = open({ ackWaitMs: 800 });
    await one.append([json(50), json(51), json(52)]);
    const crashed = await one.reader('http');
    const taken = await crashed.next({ maxEvents: 10, maxBytes: 1 << 20, waitMs: 500 });
    expect(taken).toHaveLength(3);
    // A second worker process: its own connection, the same stream and destination.
    const other = jetStreamLog({ servers: nats.url, stream: `T${streams}`, subject: `tp.t${streams}`, ackWaitMs: 800 });
    logs.push(other);
    const survivor = await other.reader('http');
    expect(await survivor.next({ maxEvents: 10, maxBytes: 1 << 20, waitMs: 200 })).toEqual([]);
    const later = await drain(survivor, 3, 5000);
    expect(later.map(idOf)).toEqual(taken.map(idOf));
    expect(later.every((m) => m.attempts === 1)).toBe(true);
    await crashed.ack(taken); // too late to matter: acked by the survivor already
  });

  it('acks deliveries that finish after the reader closed, and gives the rest back when the log closes', async () => {
    const stream = `T${++streams}`;
    const options = { servers: nats.url, stream, subject: `tp.${stream}`, ackWaitMs: 30_000 };
    const stopping = jetStreamLog(options);
    await stopping.append([json(70), json(71), json(72), json(73)]);
    const reader = await stopping.reader('http');
    const taken = await reader.next({ maxEvents: 10, maxBytes: 1 << 20, waitMs: 500 });
    expect(taken).toHaveLength(4);
    await reader.close();
    expect(await reader.next({ maxEvents: 10, maxBytes: 1 << 20, waitMs: 0 })).toEqual([]);
    await reader.ack(taken.slice(0, 2)); // two deliveries in flight finished after close()
    await stopping.close();
    const next = jetStreamLog(options);
    logs.push(next);
    const started = Date.now();
    // The other two are back at once, not after the 30 s ack wait.
    const rest = await drain(await next.reader('http'), 2, 5000);
    expect(rest.map(idOf)).toEqual(taken.slice(2).map(idOf));
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('trims what every reader acked, and never what a worker still holds', { timeout: 15_000 }, async () => {
    const log = open({ ackWaitMs: 800, trimIntervalMs: 100 });
    await log.append(Array.from({ length: 10 }, (_, i) => json(90 + i)));
    const reader = await log.reader('http');
    const taken = await reader.next({ maxEvents: 10, maxBytes: 1 << 20, waitMs: 500 });
    expect(taken).toHaveLength(10);
    await reader.ack(taken.slice(0, 5));
    // The trim runs with the next look at the stream (every 2 s): the five acked go…
    const nc = await connect({ servers: nats.url });
    const jsm = await jetstreamManager(nc);
    const end = Date.now() + 6000;
    let first = 1;
    while (first < 6 && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 200));
      first = (await jsm.streams.info(`T${streams}`)).state.first_seq;
    }
    await nc.close();
    expect(first).toBe(6);
    // …and the five still held come back after the ack wait. (nats-server 2.9's purge with a
    // subject filter drops every unacked message from the consumer: they would never come back.)
    const again = await drain(reader, 5, 5000);
    expect(again.map(idOf)).toEqual(taken.slice(5).map(idOf));
  });

  it('sets its consumer up again when someone deleted it', { timeout: 15_000 }, async () => {
    const log = open();
    const reader = await log.reader('http');
    await log.append([json(80)]);
    expect(await drain(reader, 1)).toHaveLength(1);
    const nc = await connect({ servers: nats.url });
    await (await jetstreamManager(nc)).consumers.delete(`T${streams}`, 'http');
    await nc.close();
    await log.append([json(81)]);
    // A new consumer starts at the stream's first message: the acked one comes again, then the new one.
    expect((await drain(reader, 2)).map(idOf)).toEqual([uuid(7_000_080), uuid(7_000_081)]);
  });

  it('keeps dead letters per destination, listed and replayable', async () => {
    const log = open();
    const dead = await log.deadLetters('http');
    expect(await log.deadLetters('http')).toBe(dead);
    const record = (i: number) =>
      JSON.stringify({
        destination: 'http',
        reason: 'rejected',
        message: '400',
        at: 'now',
        event: JSON.parse(json(i)),
      });
    expect(await dead.append([record(60), record(61)])).toEqual({ ok: true });
    await (await log.deadLetters('segment')).append([record(62)]);
    const listed = await dead.list({ max: 10 });
    expect(listed.map((m) => JSON.parse(m.json).event.messageId)).toEqual([uuid(7_000_060), uuid(7_000_061)]);
    expect((await dead.list({ afterSeq: listed[0]!.seq, max: 10 })).length).toBe(1);
    const replay = await dead.reader('replay');
    expect((await drain(replay, 2)).map((m) => m.json)).toEqual(listed.map((m) => m.json));
    // Replayed (acked by the replaying reader): no longer listed, and purged by the next trim.
    expect(await dead.list({ max: 10 })).toEqual([]);
    await dead.append([record(63)]);
    expect((await dead.list({ max: 10 })).map((m) => JSON.parse(m.json).event.messageId)).toEqual([uuid(7_000_063)]);
    expect(await (await log.deadLetters('segment')).list({ max: 10 })).toHaveLength(1);
  });

  it('answers full past maxBytes without losing an acknowledged event, and has room again once read', async () => {
    const log = open({ maxBytes: 16 * 1024, trimIntervalMs: 100 });
    const acked: string[] = [];
    let full: Awaited<ReturnType<EventLog['append']>> | undefined;
    for (let i = 0; i < 200 && !full; i++) {
      const r = await log.append([json(100 + i)]);
      if (r.ok) acked.push(uuid(7_000_100 + i));
      else full = r;
    }
    expect(full).toMatchObject({ ok: false, reason: 'full' });
    expect(full!.ok === false && full!.retryAfterMs).toBeGreaterThan(0);
    expect(log.hasRoom(1000)).toBe(false);
    expect(log.stats().refused.full).toBeGreaterThan(0);
    const reader = await log.reader('http');
    // Every acknowledged event is there, the oldest included.
    expect((await drain(reader, acked.length)).map(idOf)).toEqual(acked);
    // Everything read and acked: the trim frees the stream and appends are taken again.
    const end = Date.now() + 10_000;
    let again = await log.append([json(999)]);
    while (!again.ok && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 200));
      again = await log.append([json(999)]);
    }
    expect(again).toEqual({ ok: true });
  });

  it('keeps every event it acknowledged up to the budget (nats-server 2.9 would drop the oldest at max_bytes)', async () => {
    // Budgets at which the server, left to refuse by itself, acknowledged 100 appends and kept 6 or 9.
    for (const maxBytes of [2100, 3000]) {
      const log = open({ maxBytes, trimIntervalMs: 0 });
      const acked: string[] = [];
      for (let i = 0; i < 100; i++) {
        const r = await log.append([json(400 + i)]);
        if (!r.ok) break;
        acked.push(uuid(7_000_400 + i));
      }
      expect(acked.length).toBeLessThan(100);
      expect((await log.list({ max: 1000 })).map(idOf)).toEqual(acked);
    }
  });

  it('answers unavailable fast when NATS cannot be reached', async () => {
    const log = jetStreamLog({ servers: 'nats://127.0.0.1:1', connectTimeoutMs: 500 });
    logs.push(log);
    let started = Date.now();
    const first = await log.append([json(200)]);
    expect(first).toMatchObject({ ok: false, reason: 'unavailable' });
    expect(Date.now() - started).toBeLessThan(2000);
    started = Date.now();
    const second = await log.append([json(201)]);
    expect(second).toMatchObject({ ok: false, reason: 'unavailable' });
    expect(second.ok === false && second.retryAfterMs).toBeGreaterThanOrEqual(1000);
    expect(Date.now() - started).toBeLessThan(250); // no second connect attempt while backing off
    expect(await (await log.reader('http')).next({ maxEvents: 1, maxBytes: 1000, waitMs: 50 })).toEqual([]);
  });

  it('during a NATS outage answers unavailable within the timeouts, and loses nothing once NATS is back', {
    timeout: 60_000,
  }, async () => {
    const log = open({ publishTimeoutMs: 1000, connectTimeoutMs: 500 });
    expect(await log.append([json(300)])).toEqual({ ok: true });
    await nats.kill();
    const acked = [uuid(7_000_300)];
    const answers: number[] = [];
    for (let i = 0; i < 10; i++) {
      const started = Date.now();
      const r = await log.append([json(301 + i)]);
      answers.push(Date.now() - started);
      expect(r).toMatchObject({ ok: false, reason: 'unavailable' });
      if (r.ok) acked.push(uuid(7_000_301 + i));
    }
    // No answer waits longer than a publish timeout; once the client saw the outage, none waits at all.
    expect(Math.max(...answers)).toBeLessThan(1500);
    expect(answers.slice(-5).every((ms) => ms < 250)).toBe(true);
    await nats.start();
    // The browser retries the refused events: once NATS is back they are taken.
    const end = Date.now() + 20_000;
    for (let i = 0; i < 10; i++) {
      let r = await log.append([json(301 + i)]);
      while (!r.ok && Date.now() < end) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        r = await log.append([json(301 + i)]);
      }
      expect(r).toEqual({ ok: true });
      acked.push(uuid(7_000_301 + i));
    }
    const reader = await log.reader('http');
    expect((await drain(reader, acked.length)).map(idOf)).toEqual(acked);
  });
});
