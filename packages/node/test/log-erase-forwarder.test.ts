/**
 * `forwarder.erase`, `eraseAt` and retention on a real file log: what a destination receives
 * after an erasure (no event of the erased customer, not even from a batch that was waiting for
 * a retry; every other customer's event), dead letters erased, each destination's own erasure
 * answered as done / retry / failed / unsupported, and retention that deletes what is old.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock, TouchpointEvent } from '@touchpoint/core';
import { TouchpointConfigError } from '@touchpoint/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createForwarder, type Forwarder } from '../src/forwarder.js';
import { fileLog } from '../src/log/file-log.js';
import { erasureRequest } from '../src/privacy/subject.js';
import type { DeliveryResult, Destination } from '../src/types.js';
import { bytesHolding, customer, customerEvent, needlesOf, subjectOf } from './erase-fixtures.js';
import { until } from './events.js';

let dir: string;
const forwarders: Forwarder[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tp-fwd-erase-'));
});
afterEach(async () => {
  await Promise.all(forwarders.splice(0).map((f) => f.close({ timeoutMs: 500 })));
  await rm(dir, { recursive: true, force: true });
});

const erased = customer(9);
const others = [customer(1), customer(2)];
function batch(from: number, count: number): TouchpointEvent[] {
  const out: TouchpointEvent[] = [];
  for (let i = from; i < from + count; i++)
    for (const who of [others[0]!, erased, others[1]!]) out.push(JSON.parse(customerEvent(who, i)) as TouchpointEvent);
  return out;
}
const quiet = { onError: () => {}, onDrop: () => {} };

describe('forwarder.erase', () => {
  it('a batch waiting for a retry does not resend the erased customer; everyone else is delivered', async () => {
    let up = false;
    const attempted: TouchpointEvent[] = [];
    const received: TouchpointEvent[] = [];
    const crm: Destination = {
      name: 'crm',
      async send(events): Promise<DeliveryResult> {
        attempted.push(...events);
        if (!up) return { ok: false, status: 503, message: 'down for maintenance' };
        received.push(...events);
        return { ok: true };
      },
    };
    const forwarder = createForwarder({
      log: fileLog({ dir, onError: () => {} }),
      destinations: [crm],
      batch: { maxEvents: 50, maxWaitMs: 5 },
      retry: { baseMs: 100, maxMs: 150 },
      ...quiet,
    });
    forwarders.push(forwarder);
    expect(await forwarder.accept(batch(0, 100))).toEqual({ ok: true });
    await until(() => attempted.some((e) => e.userId === erased.userId));
    // Some of the customer's events were handed out and are now waiting for their retry.
    const results = await forwarder.erase(subjectOf(erased));
    expect(results.map((r) => r.store)).toEqual(['log', 'dead-letters:crm']);
    expect(results[0]!.erased).toBe(100);
    expect(results[0]!.messageIds).toHaveLength(100);
    up = true;
    await forwarder.flush();
    expect(received.filter((e) => e.userId === erased.userId)).toEqual([]);
    for (const who of others) expect(received.filter((e) => e.userId === who.userId)).toHaveLength(100);
    expect(await bytesHolding(dir, needlesOf(erased))).toEqual([]);
  });

  it('erases dead letters, and events track() still holds in memory', async () => {
    const strict: Destination = {
      name: 'strict',
      send: async () => ({ ok: false, status: 400, message: 'schema mismatch' }),
    };
    const forwarder = createForwarder({
      log: fileLog({ dir, onError: () => {} }),
      destinations: [strict],
      batch: { maxEvents: 50, maxWaitMs: 5 },
      ...quiet,
    });
    forwarders.push(forwarder);
    await forwarder.accept(batch(0, 20));
    await forwarder.flush();
    expect(await forwarder.deadLetters('strict', { max: 100 })).toHaveLength(60);
    // Taken by track() and not yet appended (same tick): dropped before it reaches the log.
    forwarder.track({ userId: erased.userId, event: 'order.shipped' });
    const results = await forwarder.erase(subjectOf(erased));
    expect(results).toEqual([
      // 20 delivered-as-dead-letters events still in the log's active segment, and the one held in memory.
      expect.objectContaining({ store: 'log', erased: 21 }),
      expect.objectContaining({ store: 'dead-letters:strict', erased: 20 }),
    ]);
    const left = await forwarder.deadLetters('strict', { max: 100 });
    expect(left).toHaveLength(40);
    expect(left.some((r) => r.event.userId === erased.userId)).toBe(false);
    await forwarder.flush();
    expect(await bytesHolding(dir, needlesOf(erased))).toEqual([]);
  });
});

describe('forwarder.eraseAt', () => {
  it("answers each destination's erasure as done, retry (with its Retry-After), failed or unsupported", async () => {
    const asked: string[] = [];
    const make = (name: string, answer: () => Promise<DeliveryResult | undefined>): Destination => ({
      name,
      send: async () => ({ ok: true }),
      async erase(request) {
        asked.push(`${name}:${request.userIds.join(',')}`);
        const result = await answer();
        return result;
      },
    });
    const forwarder = createForwarder({
      log: fileLog({ dir, onError: () => {} }),
      destinations: [
        make('done', async () => undefined),
        make('busy', async () => ({ ok: false, status: 429, retryAfter: '7', message: 'slow down' })),
        make('refuses', async () => ({ ok: false, status: 403, message: 'not allowed' })),
        make('throws', async () => {
          throw new Error('connection reset');
        }),
        { name: 'plain', send: async () => ({ ok: true }) },
      ],
      retry: { baseMs: 10, maxMs: 20 },
      ...quiet,
    });
    forwarders.push(forwarder);
    expect(forwarder.destinationNames()).toEqual(['done', 'busy', 'refuses', 'throws', 'plain']);
    const request = erasureRequest(subjectOf(erased), new Date());
    expect(await forwarder.eraseAt('done', request)).toEqual({ status: 'done' });
    const busy = await forwarder.eraseAt('busy', request);
    expect(busy).toMatchObject({ status: 'retry', message: 'slow down' });
    expect((busy as { retryAfterMs: number }).retryAfterMs).toBeGreaterThanOrEqual(7000);
    expect(await forwarder.eraseAt('refuses', request)).toEqual({ status: 'failed', message: 'not allowed' });
    expect(await forwarder.eraseAt('throws', request)).toMatchObject({ status: 'retry', message: 'connection reset' });
    expect(await forwarder.eraseAt('plain', request)).toEqual({ status: 'unsupported' });
    expect(asked).toEqual(['done', 'busy', 'refuses', 'throws'].map((n) => `${n}:${erased.userId}`));
    await expect(forwarder.eraseAt('nobody', request)).rejects.toThrow(TouchpointConfigError);
  });
});

describe('retention', () => {
  it('refuses a retention not longer than maxAgeMs, with a clear error', () => {
    const make = (retention: unknown, maxAgeMs?: number) => () =>
      createForwarder({
        destinations: [],
        retention: retention as { days: number },
        ...(maxAgeMs !== undefined && { maxAgeMs }),
        ...quiet,
      });
    expect(make({ days: 3 })).toThrow(/retention\.days.*longer than maxAgeMs/);
    expect(make({ days: 0 })).toThrow(TouchpointConfigError);
    expect(make({ days: '30' })).toThrow(/positive number of days/);
  });

  it('deletes old log segments and dead letters on the forwarder clock, a minute after start and then hourly', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const timers: { at: number; fn: () => void }[] = [];
    const clock: Clock = {
      now: () => now,
      setTimeout(fn, ms) {
        const timer = { at: now + ms, fn };
        timers.push(timer);
        return timer;
      },
      clearTimeout(handle) {
        const i = timers.indexOf(handle as (typeof timers)[number]);
        if (i >= 0) timers.splice(i, 1);
      },
    };
    /** Moves the clock on, firing what came due. */
    const advance = async (ms: number) => {
      now += ms;
      for (const timer of timers.filter((t) => t.at <= now)) {
        timers.splice(timers.indexOf(timer), 1);
        timer.fn();
      }
      await new Promise((r) => setTimeout(r, 50));
    };
    const log = fileLog({ dir, segmentBytes: 32 * 1024, clock, onError: () => {} });
    const errors: string[] = [];
    const forwarder = createForwarder({
      log,
      clock,
      deliver: false,
      destinations: [{ name: 'crm', send: async () => ({ ok: true }) }],
      maxAgeMs: 86_400_000,
      retention: { days: 2 },
      onError: (e) => errors.push(e.message),
      onDrop: () => {},
    });
    forwarders.push(forwarder);
    await log.reader('crm'); // a reader that never reads: only retention frees its segments
    for (let i = 0; i < 5; i++) await forwarder.accept(batch(i * 100, 100));
    const dead = await log.deadLetters('crm');
    await dead.append([
      JSON.stringify({ destination: 'crm', reason: 'expired', message: 'old', at: 'x', event: batch(0, 1)[0] }),
    ]);
    const before = (await readdir(join(dir, 'segments'))).length;
    await advance(3 * 86_400_000);
    await forwarder.accept(batch(1000, 100));
    // The first run is a minute after start (due once 3 days passed); the next one an hour after it ends.
    await until(() => timers.some((t) => t.at - now > 3_000_000));
    const after = (await readdir(join(dir, 'segments'))).length;
    expect(after).toBeLessThan(before);
    expect(await dead.list({ max: 10 })).toEqual([]); // older than 2 days
    expect(errors).toEqual([]);
    // Direct call: the same, answered per store.
    const results = await forwarder.applyRetention({ days: 2 });
    expect(results.map((r) => r.store)).toEqual(['log', 'dead-letters:crm']);
    await expect(forwarder.applyRetention({ days: 0.5 })).rejects.toThrow(/longer than maxAgeMs/);
  });
});
