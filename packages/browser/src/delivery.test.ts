import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type IngestServer, startIngestServer, waitFor } from '../test/support/ingest-server.js';
import { makeTracker } from '../test/support/tracker-harness.js';

let server: IngestServer;
let attempts: number;
beforeEach(async () => {
  server = await startIngestServer();
  attempts = 0;
});
afterEach(async () => {
  await server.close();
});

const delivered = () => server.batches.flatMap((b) => b.messageIds);

describe('batching', () => {
  it('sends once `maxEvents` are waiting, without a flush', async () => {
    const { tp } = makeTracker(server, { batch: { maxEvents: 3, maxWaitMs: 60_000 } });
    tp.track('a');
    tp.track('b');
    await new Promise((r) => setTimeout(r, 50));
    expect(server.batches).toHaveLength(0);
    tp.track('c');
    await waitFor(() => server.batches.length === 1, 'a batch of 3');
    expect(server.batches[0]!.messageIds).toHaveLength(3);
    tp.destroy();
  });

  it('sends `maxWaitMs` after the first waiting event', async () => {
    const { tp, clock } = makeTracker(server, { batch: { maxEvents: 50, maxWaitMs: 2000 } });
    tp.track('a');
    clock.advance(1999);
    await new Promise((r) => setTimeout(r, 50));
    expect(server.batches).toHaveLength(0);
    clock.advance(1);
    await waitFor(() => server.batches.length === 1, 'the timed batch');
    tp.destroy();
  });
});

describe('answers from the ingest', () => {
  it('retries 503 with backoff, waiting at least Retry-After', async () => {
    server.mode = () => (++attempts === 1 ? { status: 503, headers: { 'Retry-After': '5' } } : undefined);
    const { tp, clock } = makeTracker(server, { retry: { baseMs: 100, maxMs: 1000 } });
    tp.track('a');
    expect((await tp.flush()).ok).toBe(false);
    expect(attempts).toBe(1);
    clock.advance(4900);
    await new Promise((r) => setTimeout(r, 50));
    expect(attempts).toBe(1);
    clock.advance(1200);
    await waitFor(() => server.batches.length === 1, 'the retried batch');
    expect(attempts).toBe(2);
    tp.destroy();
  });

  it('retries after a network error and delivers every event exactly once', async () => {
    server.mode = 'down';
    const { tp, clock, seen } = makeTracker(server, { retry: { baseMs: 100, maxMs: 400 } });
    const ids = Array.from({ length: 30 }, (_, i) => tp.track(`e${i}`)).map((r) => r.ok && r.messageId);
    expect((await tp.flush()).ok).toBe(false);
    server.mode = 'up';
    clock.advance(400);
    await waitFor(() => delivered().length === 30, 'all 30 events');
    expect(delivered().sort()).toEqual([...ids].sort());
    expect(server.duplicates()).toEqual([]);
    // The server counts a batch when it arrives; the tracker acknowledges it when the answer does.
    await waitFor(() => seen.delivered.flatMap((d) => d.messageIds).length >= 30, 'the answers to arrive');
    expect(seen.delivered.flatMap((d) => d.messageIds)).toHaveLength(30);
    tp.destroy();
  });

  it('drops events the ingest rejects and keeps delivering the rest', async () => {
    server.mode = (batch) => ({
      status: 200,
      body: {
        accepted: batch.events.length - 1,
        rejected: [
          { index: 1, messageId: batch.messageIds[1], issues: [{ path: 'batch[1].properties', message: 'bad' }] },
        ],
      },
    });
    const { tp, seen } = makeTracker(server);
    tp.track('a');
    const bad = tp.track('b');
    tp.track('c');
    expect((await tp.flush()).ok).toBe(true);
    expect(seen.dropped).toEqual([
      {
        reason: 'invalid',
        messageIds: [bad.ok && bad.messageId],
        issues: [{ path: 'batch[1].properties', message: 'bad' }],
      },
    ]);
    expect(seen.delivered[0]!.messageIds).toHaveLength(2);
    tp.destroy();
  });

  it('drops a batch answered 400 and never retries it', async () => {
    server.mode = () => {
      attempts++;
      return { status: 400 };
    };
    const { tp, clock, seen } = makeTracker(server);
    tp.track('a');
    expect(await tp.flush()).toEqual({ ok: true, pending: 0 });
    clock.advance(600_000);
    await new Promise((r) => setTimeout(r, 50));
    expect(attempts).toBe(1);
    expect(seen.dropped[0]!.reason).toBe('invalid');
    tp.destroy();
  });

  it('splits a batch answered 413 and resends the halves', async () => {
    server.mode = (batch) => {
      attempts++;
      return batch.events.length > 2 ? { status: 413 } : undefined;
    };
    const { tp } = makeTracker(server, { batch: { maxEvents: 8, maxWaitMs: 60_000 } });
    for (let i = 0; i < 7; i++) tp.track(`e${i}`);
    expect(await tp.flush()).toEqual({ ok: true, pending: 0 });
    expect(delivered()).toHaveLength(7);
    expect(Math.max(...server.batches.map((b) => b.events.length))).toBeLessThanOrEqual(2);
    tp.destroy();
  });

  it('keeps events on 401, reports an error, and delivers once the key is fixed', async () => {
    server.mode = 401;
    const { tp, clock, seen } = makeTracker(server, { retry: { baseMs: 100, maxMs: 100 } });
    tp.track('a');
    expect(await tp.flush()).toEqual({ ok: false, pending: 1 });
    expect(seen.error[0]).toMatchObject({ code: 'delivery', status: 401 });
    server.mode = 'up';
    clock.advance(100);
    await waitFor(() => server.batches.length === 1, 'delivery after the fix');
    tp.destroy();
  });
});

describe('connectivity', () => {
  it('waits while the browser is offline and sends on `online`', async () => {
    let online = false;
    const spy = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(navigator), 'onLine');
    Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => online });
    try {
      const { tp, clock } = makeTracker(server);
      tp.track('a');
      expect((await tp.flush()).ok).toBe(false);
      clock.advance(600_000);
      await new Promise((r) => setTimeout(r, 50));
      expect(server.batches).toHaveLength(0);
      online = true;
      window.dispatchEvent(new Event('online'));
      await waitFor(() => server.batches.length === 1, 'delivery after online');
      tp.destroy();
    } finally {
      delete (navigator as any).onLine;
      if (spy) Object.defineProperty(Object.getPrototypeOf(navigator), 'onLine', spy);
    }
  });
});

describe('page exit', () => {
  it('beacons waiting events in chunks under 64 KiB, as text the ingest accepts', async () => {
    const bodies: string[] = [];
    Object.defineProperty(navigator, 'sendBeacon', {
      configurable: true,
      value: (url: string, body: string) => {
        expect(url).toBe(server.endpoint);
        bodies.push(body);
        return true;
      },
    });
    try {
      const { tp, seen } = makeTracker(server, { batch: { maxEvents: 500, maxWaitMs: 60_000 } });
      const ids = Array.from({ length: 40 }, (_, i) => tp.track(`e${i}`, { text: 'x'.repeat(5000) })).map(
        (r) => r.ok && r.messageId,
      );
      document.dispatchEvent(new Event('visibilitychange'));
      Object.defineProperty(document, 'visibilityState', { configurable: true, value: 'hidden' });
      document.dispatchEvent(new Event('visibilitychange'));
      delete (document as any).visibilityState;
      expect(bodies.length).toBeGreaterThan(2);
      const sent = bodies.flatMap((body) => {
        expect(new TextEncoder().encode(body).length).toBeLessThanOrEqual(64 * 1024);
        const parsed = JSON.parse(body);
        expect(parsed).toMatchObject({ v: 1, writeKey: 'pk_test', sentAt: expect.any(String) });
        return parsed.batch.map((e: any) => e.messageId);
      });
      expect(sent).toEqual(ids);
      expect(seen.delivered.every((d) => d.via === 'beacon')).toBe(true);
      expect((await tp.flush()).pending).toBe(0);
      tp.destroy();
    } finally {
      delete (navigator as any).sendBeacon;
    }
  });

  it('falls back to fetch keepalive when the browser refuses the beacon, and acknowledges it', async () => {
    Object.defineProperty(navigator, 'sendBeacon', { configurable: true, value: () => false });
    try {
      const { tp, seen } = makeTracker(server);
      const ids = [tp.track('a'), tp.track('b')].map((r) => r.ok && r.messageId);
      window.dispatchEvent(new Event('pagehide'));
      await waitFor(() => server.batches.length === 1, 'the keepalive request');
      expect(server.batches[0]!.messageIds).toEqual(ids);
      expect(server.batches[0]!.contentType).toBe('text/plain;charset=UTF-8');
      await waitFor(() => seen.delivered.length === 1, 'the acknowledgement');
      expect(seen.delivered[0]).toEqual({ messageIds: ids, via: 'fetch' });
      tp.destroy();
    } finally {
      delete (navigator as any).sendBeacon;
    }
  });

  it('keeps events stored instead of beaconing them while delivery is failing', async () => {
    let beacons = 0;
    Object.defineProperty(navigator, 'sendBeacon', { configurable: true, value: () => ++beacons > 0 });
    try {
      server.mode = 'down';
      const { tp } = makeTracker(server);
      tp.track('a');
      await tp.flush();
      window.dispatchEvent(new Event('pagehide'));
      expect(beacons).toBe(0);
      expect((await tp.flush()).pending).toBe(1);
      tp.destroy();
    } finally {
      delete (navigator as any).sendBeacon;
    }
  });
});
