import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineTouchpoints, sha256Hex, TouchpointConfigError, type TouchpointEvent } from '@touchpoint/core';
import { createManualClock } from '@touchpoint/core/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { trackEvent, until, uuid } from '../test/events.js';
import { type Sink, startSink } from '../test/loopback-sink.js';
import * as destinations from './destinations/index.js';
import { createForwarder } from './forwarder.js';
import { fileLog } from './log/file-log.js';
import { memoryLog } from './log/memory-log.js';
import type { DropReport, ForwarderError } from './types.js';

let dir: string;
const sinks: Sink[] = [];
async function sink(...args: Parameters<typeof startSink>) {
  const s = await startSink(...args);
  sinks.push(s);
  return s;
}
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tp-forwarder-'));
});
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.close()));
  await rm(dir, { recursive: true, force: true });
});

function collect() {
  const drops: DropReport[] = [];
  const errors: ForwarderError[] = [];
  return { drops, errors, onDrop: (d: DropReport) => drops.push(d), onError: (e: ForwarderError) => errors.push(e) };
}

describe('createForwarder delivery', () => {
  it('sends full batches in the wire shape, one request per maxEvents', async () => {
    const s = await sink();
    const c = collect();
    const forwarder = createForwarder({
      destinations: [destinations.http({ url: s.url, headers: { 'x-team': 'crm' } })],
      batch: { maxEvents: 3, maxWaitMs: 60_000 },
      ...c,
    });
    for (let i = 0; i < 6; i++) expect(forwarder.enqueue(trackEvent())).toBe(true);
    await s.waitFor(6);
    expect(s.requests).toHaveLength(2);
    const body = JSON.parse(s.requests[0]!.body);
    expect(body.v).toBe(1);
    expect(typeof body.sentAt).toBe('string');
    expect(body.batch).toHaveLength(3);
    expect(body.batch[0].receivedAt).toMatch(/Z$/);
    expect(s.requests[0]!.headers['content-type']).toBe('application/json');
    expect(s.requests[0]!.headers['x-team']).toBe('crm');
    await forwarder.close();
    expect(c.drops).toEqual([]);
  });

  it('sends a partial batch when maxWaitMs passes', async () => {
    const clock = createManualClock(Date.parse('2026-11-22T10:00:00Z'));
    const got: TouchpointEvent[][] = [];
    const forwarder = createForwarder({
      destinations: [destinations.fn(async (events) => void got.push(events))],
      batch: { maxEvents: 100, maxWaitMs: 2000 },
      clock,
    });
    forwarder.enqueue(trackEvent());
    forwarder.enqueue(trackEvent());
    await clock.advanceAsync(1999);
    expect(got).toHaveLength(0);
    await clock.advanceAsync(1);
    expect(got.map((b) => b.length)).toEqual([2]);
  });

  it('retries 5xx and network errors until the events arrive, once each', async () => {
    const s = await sink((_, i) => (i === 0 ? { status: 503 } : i === 1 ? { reset: true } : {}));
    const c = collect();
    const forwarder = createForwarder({
      destinations: [destinations.http({ url: s.url })],
      batch: { maxEvents: 5 },
      retry: { baseMs: 5, maxMs: 20 },
      ...c,
    });
    const ids = Array.from({ length: 5 }, () => uuid());
    for (const messageId of ids) forwarder.enqueue(trackEvent({ messageId }));
    await forwarder.flush();
    expect(s.requests).toHaveLength(3);
    expect(s.delivered.map((e) => e.messageId)).toEqual(ids);
    expect(c.errors.map((e) => e.willRetry)).toEqual([true, true]);
    expect(c.errors[0]!.message).toContain('503');
    await forwarder.close();
  });

  it('waits at least what Retry-After asks', async () => {
    const clock = createManualClock(Date.now());
    const s = await sink((_, i) => (i === 0 ? { status: 429, headers: { 'retry-after': '2' } } : {}));
    let onFailure!: (error: ForwarderError) => void;
    const failed = new Promise<ForwarderError>((resolve) => {
      onFailure = resolve;
    });
    const forwarder = createForwarder({
      destinations: [destinations.http({ url: s.url })],
      batch: { maxEvents: 1 },
      clock,
      random: () => 0,
      onError: (e) => onFailure(e),
    });
    forwarder.enqueue(trackEvent());
    expect((await failed).willRetry).toBe(true);
    await clock.advanceAsync(1999);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(forwarder.stats().destinations[0]!.inFlight).toBe(0);
    expect(s.requests).toHaveLength(1);
    await clock.advanceAsync(1);
    await s.waitFor(1);
    expect(s.requests).toHaveLength(2);
  });

  it('dead-letters on a non-retryable answer, with the reason, and lists them per destination', async () => {
    const s = await sink(() => ({ status: 400, body: '{"error":"bad"}' }));
    const c = collect();
    const forwarder = createForwarder({
      destinations: [destinations.http({ url: s.url, name: 'crm' })],
      batch: { maxEvents: 2 },
      ...c,
    });
    forwarder.enqueue(trackEvent());
    forwarder.enqueue(trackEvent());
    await forwarder.flush();
    expect(s.requests).toHaveLength(1);
    expect(c.drops).toHaveLength(1);
    expect(c.drops[0]).toMatchObject({ reason: 'not_retryable', destination: 'crm', deadLettered: true });
    expect(c.drops[0]!.message).toContain('400');
    const dead = await forwarder.deadLetters('crm');
    expect(dead.map((l) => [l.destination, l.reason])).toEqual([
      ['crm', 'not_retryable'],
      ['crm', 'not_retryable'],
    ]);
    expect(forwarder.stats().destinations[0]).toMatchObject({ deadLettered: 2, queued: 0 });
  });

  it('splits a batch the destination calls too large (413)', async () => {
    const s = await sink((r) => (JSON.parse(r.body).batch.length > 2 ? { status: 413 } : {}));
    const forwarder = createForwarder({
      destinations: [destinations.http({ url: s.url })],
      batch: { maxEvents: 8 },
      onError: () => {},
    });
    for (let i = 0; i < 8; i++) forwarder.enqueue(trackEvent());
    await forwarder.flush();
    expect(s.delivered).toHaveLength(8);
    expect(new Set(s.delivered.map((e) => e.messageId)).size).toBe(8);
  });

  it('drops repeated message ids', async () => {
    const s = await sink();
    const forwarder = createForwarder({ destinations: [destinations.http({ url: s.url })] });
    const event = trackEvent();
    expect(forwarder.enqueue(event)).toBe(true);
    expect(forwarder.enqueue({ ...event })).toBe(true);
    await forwarder.flush();
    expect(s.delivered).toHaveLength(1);
    expect(forwarder.stats().duplicates).toBe(1);
  });

  it('refuses invalid events with the path and what is allowed', () => {
    const c = collect();
    const forwarder = createForwarder({ destinations: [destinations.fn(async () => {})], ...c });
    expect(forwarder.enqueue({ ...trackEvent(), event: '' })).toBe(false);
    expect(forwarder.enqueue('nope')).toBe(false);
    expect(c.drops.map((d) => d.reason)).toEqual(['invalid', 'invalid']);
    expect(c.drops[0]!.message).toContain('event');
    expect(forwarder.stats().invalid).toBe(2);
  });
});

describe('backpressure and isolation', () => {
  it('says "slow down" past maxQueueEvents but keeps every event, like a stream', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const delivered: string[] = [];
    const c = collect();
    const forwarder = createForwarder({
      log: memoryLog({ maxBytes: 4000 }),
      destinations: [
        destinations.fn(async (events) => {
          await gate;
          for (const e of events) delivered.push(e.messageId);
        }),
      ],
      batch: { maxEvents: 5 },
      maxQueueEvents: 10,
      ...c,
    });
    // ~300 bytes an event: the 4000-byte log takes about 13 before the destination frees room.
    const results = Array.from({ length: 30 }, () => forwarder.enqueue(trackEvent()));
    expect(results.slice(0, 9)).toEqual(Array(9).fill(true));
    expect(results.slice(9).every((r) => r === false)).toBe(true);
    expect(forwarder.hasCapacity()).toBe(false);
    const room = forwarder.waitForCapacity(5);
    release();
    await room;
    await forwarder.flush();
    expect(delivered).toHaveLength(30);
    expect(new Set(delivered).size).toBe(30);
    expect(c.drops).toEqual([]);
    expect(forwarder.hasCapacity(5)).toBe(true);
  });

  it('says "slow down" once maxQueueBytes of JSON wait for the log, before maxQueueEvents, and keeps those events', async () => {
    const delivered: number[] = [];
    const c = collect();
    const forwarder = createForwarder({
      destinations: [
        destinations.fn(async (events) => {
          for (const e of events) delivered.push((e as unknown as { properties: { i: number } }).properties.i);
        }),
      ],
      batch: { maxEvents: 100, maxWaitMs: 5 },
      maxQueueEvents: 10_000,
      maxQueueBytes: 2500,
      ...c,
    });
    const pad = 'x'.repeat(900);
    // Each event is ~1100 bytes of JSON: the third crosses 2500 bytes, long before 10 000 events.
    const results = Array.from({ length: 8 }, (_, i) =>
      forwarder.track({ userId: 'u-1', event: 'order.shipped', properties: { i, pad } }),
    );
    expect(results.slice(0, 2)).toEqual([true, true]);
    expect(results.slice(2).every((r) => r === false)).toBe(true);
    expect(forwarder.hasCapacity()).toBe(false);
    // The log takes what was held on the next turn of the event loop: room again.
    await forwarder.waitForCapacity();
    expect(forwarder.hasCapacity()).toBe(true);
    await forwarder.flush();
    expect(delivered.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(c.drops).toEqual([]);
    await forwarder.close();
  });

  it('refuses a maxQueueBytes that is not a positive integer', () => {
    expect(() => createForwarder({ destinations: [], maxQueueBytes: 0 })).toThrow(/maxQueueBytes/);
  });

  it('loses nothing when track() runs in a loop faster than the destination (20 000 events, no await)', async () => {
    const got = new Set<string>();
    const c = collect();
    const forwarder = createForwarder({
      destinations: [
        destinations.fn(async (events) => {
          await new Promise((r) => setTimeout(r, 5));
          for (const e of events) got.add(e.messageId);
        }),
      ],
      batch: { maxEvents: 500, maxWaitMs: 10 },
      ...c,
    });
    for (let i = 0; i < 20_000; i++)
      forwarder.track({ userId: `u-${i % 50}`, event: 'order.shipped', properties: { i } });
    await forwarder.flush();
    expect(got.size).toBe(20_000);
    expect(c.drops).toEqual([]);
  });

  it('a caller that awaits waitForCapacity() whenever track() says false loses nothing, the event that got false included', async () => {
    const got: number[] = [];
    const forwarder = createForwarder({
      log: memoryLog({ maxBytes: 64 * 1024 }),
      destinations: [
        destinations.fn(
          async (events) =>
            void got.push(...events.map((e) => (e as unknown as { properties: { i: number } }).properties.i)),
        ),
      ],
      batch: { maxEvents: 100, maxWaitMs: 5 },
      maxQueueEvents: 50,
      onDrop: () => {},
    });
    let falses = 0;
    for (let i = 0; i < 5000; i++) {
      if (!forwarder.track({ userId: 'u-1', event: 'order.shipped', properties: { i } })) {
        falses++;
        await forwarder.waitForCapacity();
      }
    }
    await forwarder.flush();
    expect(falses).toBeGreaterThan(0);
    expect(got).toHaveLength(5000);
    expect(new Set(got).size).toBe(5000);
  });

  it('with deliver: false only appends: a delivery worker on the same log delivers', async () => {
    const got: string[] = [];
    const shared = fileLog({ dir });
    const ingestOnly = createForwarder({
      log: shared,
      destinations: [destinations.fn(async () => {}, { name: 'crm' })],
      deliver: false,
    });
    const event = trackEvent();
    expect(await ingestOnly.accept([event])).toEqual({ ok: true });
    await ingestOnly.flush();
    expect(ingestOnly.stats().destinations).toEqual([]);
    await ingestOnly.close();
    const worker = createForwarder({
      log: fileLog({ dir }),
      destinations: [
        destinations.fn(async (events) => void got.push(...events.map((e) => e.messageId)), { name: 'crm' }),
      ],
    });
    await worker.flush();
    expect(got).toEqual([event.messageId]);
    await worker.close();
  });

  it('refuses with a reason, never silently, when the log cannot take events at all', async () => {
    const c = collect();
    const forwarder = createForwarder({
      log: memoryLog({ maxBytes: 1000 }),
      destinations: [destinations.fn(() => new Promise(() => {}))],
      maxQueueEvents: 2,
      ...c,
    });
    const results = Array.from({ length: 40 }, () => forwarder.enqueue(trackEvent()));
    await until(() => c.drops.length > 0);
    expect(results.filter(Boolean).length).toBeLessThan(40);
    expect(c.drops.every((d) => d.reason === 'log_full' && d.deadLettered === false)).toBe(true);
    expect(c.drops.reduce((n, d) => n + d.events.length, 0) + forwarder.stats().accepted).toBe(40);
  });

  it('by default prints one line for a flood of drops, not one per event', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const forwarder = createForwarder({
        destinations: [destinations.fn(() => new Promise(() => {}))],
        maxQueueEvents: 1,
      });
      warn.mockClear();
      for (let i = 0; i < 1000; i++) forwarder.enqueue(trackEvent());
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toMatch(/log_full/);
    } finally {
      warn.mockRestore();
    }
  });

  it('keeps delivering to healthy destinations while another hangs', async () => {
    const s = await sink();
    const forwarder = createForwarder({
      destinations: [
        destinations.fn(() => new Promise(() => {}), { name: 'stuck' }),
        destinations.http({ url: s.url }),
      ],
      batch: { maxEvents: 10 },
      concurrency: 1,
    });
    for (let i = 0; i < 50; i++) forwarder.enqueue(trackEvent());
    await s.waitFor(50);
    await until(() => forwarder.stats().destinations[1]!.delivered === 50);
    const [stuck, http] = forwarder.stats().destinations;
    expect(stuck).toMatchObject({ name: 'stuck', inFlight: 1, delivered: 0, queued: 50 });
    expect(http).toMatchObject({ name: 'http', delivered: 50, queued: 0 });
  });
});

describe('close, restart, dead letters and replay', () => {
  it('keeps what the close deadline leaves in the file log, and delivers it after a restart', async () => {
    const hanging = await sink(() => ({ delayMs: 30_000 }));
    const healthy = await sink();
    const first = createForwarder({
      log: fileLog({ dir }),
      destinations: [
        destinations.http({ url: hanging.url, name: 'crm' }),
        destinations.http({ url: healthy.url, name: 'log' }),
      ],
      batch: { maxEvents: 4 },
      onError: () => {},
    });
    const ids = Array.from({ length: 10 }, () => uuid());
    for (const messageId of ids) first.enqueue(trackEvent({ messageId }));
    const started = Date.now();
    const summary = await first.close({ timeoutMs: 1500 });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(summary).toEqual({ delivered: 10, left: 10, gaveUp: 0 });
    expect(first.enqueue(trackEvent())).toBe(false);
    expect(healthy.delivered.map((e) => e.messageId)).toEqual(ids);

    const crm = await sink();
    const second = createForwarder({
      log: fileLog({ dir }),
      destinations: [
        destinations.http({ url: crm.url, name: 'crm' }),
        destinations.http({ url: healthy.url, name: 'log' }),
      ],
    });
    await second.flush();
    expect(crm.delivered.map((e) => e.messageId)).toEqual(ids);
    expect(healthy.delivered).toHaveLength(10); // the destination that had them is not sent them again
    await second.close();
  });

  it('with memoryLog, reports what close() could not deliver as lost', async () => {
    const c = collect();
    const forwarder = createForwarder({
      destinations: [destinations.fn(() => new Promise(() => {}), { name: 'stuck' })],
      ...c,
    });
    for (let i = 0; i < 3; i++) forwarder.enqueue(trackEvent());
    const summary = await forwarder.close({ timeoutMs: 200 });
    expect(summary).toMatchObject({ delivered: 0, gaveUp: 3 });
    expect(c.drops.map((d) => [d.reason, d.events.length])).toEqual([['deadline', 3]]);
  });

  it('dead-letters a batch once its attempts are exhausted, and replay sends it again', async () => {
    let fail = true;
    const s = await sink(() => (fail ? { status: 500 } : {}));
    const c = collect();
    const forwarder = createForwarder({
      log: fileLog({ dir }),
      destinations: [destinations.http({ url: s.url })],
      retry: { maxAttempts: 3, baseMs: 1, maxMs: 5 },
      ...c,
    });
    const event = trackEvent();
    forwarder.enqueue(event);
    await forwarder.flush();
    expect(s.requests).toHaveLength(3);
    expect(c.drops.map((d) => d.reason)).toEqual(['attempts_exhausted']);
    expect((await forwarder.deadLetters('http')).map((r) => r.event.messageId)).toEqual([event.messageId]);
    fail = false;
    expect(await forwarder.replay('http')).toEqual({ replayed: 1, remaining: 0 });
    expect(s.delivered.map((e) => e.messageId)).toEqual([event.messageId]);
    expect(await forwarder.deadLetters('http')).toEqual([]);
    await expect(forwarder.replay('nope')).rejects.toThrow(/no destination named "nope"/);
    await forwarder.close();
  });
});

describe('server-side touchpoints', () => {
  it('track() stamps stage and channel from the catalog; identify() and feedback() validate', async () => {
    const catalog = defineTouchpoints({ 'order.shipped': { stage: 'purchase', channel: 'email', owner: 'logistics' } });
    const got: TouchpointEvent[] = [];
    const c = collect();
    const forwarder = createForwarder({
      destinations: [destinations.fn(async (e) => void got.push(...e))],
      catalog,
      ...c,
    });
    expect(forwarder.track({ userId: 'u-1', event: 'order.shipped', properties: { orderId: 'o-9' } })).toBe(true);
    expect(forwarder.identify({ userId: 'u-1', traits: { plan: 'gold' } })).toBe(true);
    expect(forwarder.feedback({ userId: 'u-1', feedback: { kind: 'csat', score: 9 } })).toBe(false);
    await forwarder.flush();
    expect(got[0]).toMatchObject({
      type: 'track',
      event: 'order.shipped',
      stage: 'purchase',
      channel: 'email',
      userId: 'u-1',
    });
    // A userId alone identifies the customer: no made-up anonymousId.
    expect(got[0]).not.toHaveProperty('anonymousId');
    expect(got[1]).toMatchObject({ type: 'identify', traits: { plan: 'gold' } });
    expect(got[1]).not.toHaveProperty('anonymousId');
    expect(c.drops[0]!.message).toMatch(/csat score must be an integer from 1 to 5/);
  });
});

describe('data policy per destination', () => {
  it('drops and hashes fields for one destination only', async () => {
    const marketing = await sink();
    const crm = await sink();
    const forwarder = createForwarder({
      destinations: [
        destinations.http({
          url: marketing.url,
          name: 'marketing',
          policy: { drop: ['context.ip', 'traits.phone'], hash: ['traits.email'] },
        }),
        destinations.http({ url: crm.url, name: 'crm' }),
      ],
    });
    forwarder.enqueue({
      type: 'identify',
      messageId: uuid(),
      timestamp: '2026-11-22T10:00:00.000Z',
      anonymousId: 'a-1',
      userId: 'u-1',
      traits: { email: ' Ana@Example.com ', phone: '+84 912 345 678', plan: 'gold' },
      context: { ip: '203.0.113.9', locale: 'vi-VN' },
    });
    await forwarder.flush();
    const m = marketing.delivered[0] as any;
    expect(m.traits).toEqual({ email: await sha256Hex('ana@example.com'), plan: 'gold' });
    expect(m.context).toEqual({ locale: 'vi-VN' });
    expect(marketing.requests[0]!.body).not.toContain('Ana@Example.com');
    const r = crm.delivered[0] as any;
    expect(r.traits.email).toBe(' Ana@Example.com ');
    expect(r.context.ip).toBe('203.0.113.9');
  });
});

describe('configuration errors', () => {
  it('names the bad field', () => {
    const bad = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        expect(error).toBeInstanceOf(TouchpointConfigError);
        return (error as TouchpointConfigError).field;
      }
      throw new Error('did not throw');
    };
    expect(bad(() => createForwarder({ destinations: 'x' as never }))).toBe('destinations');
    expect(
      bad(() => createForwarder({ destinations: [destinations.fn(async () => {}), destinations.fn(async () => {})] })),
    ).toBe('destinations[1].name');
    expect(bad(() => createForwarder({ destinations: [], batch: { maxEvents: 0 } }))).toBe('batch.maxEvents');
    expect(bad(() => createForwarder({ destinations: [], retry: { maxAttempts: 1.5 } }))).toBe('retry.maxAttempts');
    expect(bad(() => destinations.http({ url: 'ftp://x' }))).toBe('http.url');
    expect(bad(() => destinations.webhook({ url: 'http://127.0.0.1/', secret: 'short' }))).toBe('webhook.secret');
    expect(bad(() => destinations.segment({ writeKey: '' }))).toBe('segment.writeKey');
    expect(bad(() => destinations.http({ url: 'http://127.0.0.1/', policy: { drop: ['__proto__.x'] } }))).toBe(
      'http.policy.drop[0]',
    );
    expect(bad(() => destinations.nats({ servers: [] }))).toBe('nats.servers');
  });
});

describe('flush() in a process with nothing else to do', () => {
  it('keeps the process alive until a retried batch is delivered (the retry timers are unref’d)', async () => {
    const { spawnSync } = await import('node:child_process');
    const dist = new URL('../dist/index.js', import.meta.url).href;
    // A script that awaits flush() while its only event waits for a retry: before the fix Node
    // found no ref'd handle, exited with 13 (unsettled top-level await) and never printed.
    const script = `
      const { createForwarder, memoryLog } = await import(${JSON.stringify(dist)});
      let calls = 0;
      const forwarder = createForwarder({
        log: memoryLog(),
        destinations: [{ name: 'flaky', send: async () => (++calls === 1 ? { ok: false, retryable: true, message: 'busy' } : { ok: true }) }],
        batch: { maxEvents: 10, maxWaitMs: 1 },
        retry: { baseMs: 300, maxMs: 300 },
        onError: () => {},
      });
      forwarder.track({ userId: 'u-1', event: 'order.shipped' });
      await forwarder.flush();
      console.log('flushed after ' + calls + ' attempts');
      await forwarder.close();
    `;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('flushed after 2 attempts');
  });
});
