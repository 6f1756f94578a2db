import 'fake-indexeddb/auto';
import { commerceTouchpoints } from '@touchpoint/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type IngestServer, startIngestServer, waitFor } from '../test/support/ingest-server.js';
import { makeTracker } from '../test/support/tracker-harness.js';

let server: IngestServer;
beforeEach(async () => {
  server = await startIngestServer();
});
afterEach(async () => {
  await server.close();
});

describe('recording', () => {
  it('delivers a tracked event to the ingest as a text/plain batch with the write key', async () => {
    const { tp } = makeTracker(server);
    const result = tp.track('cart.item_added', { productId: 'sku-1' });
    expect(result.ok).toBe(true);
    expect(await tp.flush()).toEqual({ ok: true, pending: 0 });
    const [batch] = server.batches;
    expect(batch!.contentType).toBe('text/plain;charset=UTF-8');
    expect(batch!.writeKey).toBe('pk_test');
    expect(batch!.events[0]).toMatchObject({
      type: 'track',
      event: 'cart.item_added',
      properties: { productId: 'sku-1' },
    });
    expect(batch!.messageIds[0]).toBe(result.ok && result.messageId);
    tp.destroy();
  });

  it('stamps stage and channel from the catalog', async () => {
    const { tp } = makeTracker(server, { touchpoints: commerceTouchpoints });
    tp.track('order.completed', { orderId: 'o-1', total: 42 });
    tp.track('support.contacted');
    await tp.flush();
    const events = server.batches.flatMap((b) => b.events);
    expect(events[0]).toMatchObject({ event: 'order.completed', stage: 'purchase', channel: 'web' });
    expect(events[1]).toMatchObject({ event: 'support.contacted', stage: 'service', channel: 'chat' });
    tp.destroy();
  });

  it('sends page, identify and feedback events with the same anonymous id and session', async () => {
    const { tp } = makeTracker(server);
    tp.page({ section: 'home' });
    tp.identify('user-7', { plan: 'gold' }, [{ type: 'email', value: 'abc', hashed: true }]);
    tp.feedback({ kind: 'nps', score: 3, comment: 'slow delivery', touchpoint: 'order.completed' });
    tp.track('after.login');
    await tp.flush();
    const [page, identify, feedback, track] = server.batches.flatMap((b) => b.events);
    expect(page).toMatchObject({
      type: 'page',
      properties: { section: 'home' },
      context: { page: { path: expect.any(String) } },
    });
    expect(identify).toMatchObject({ type: 'identify', userId: 'user-7', traits: { plan: 'gold' } });
    expect(feedback).toMatchObject({
      type: 'feedback',
      feedback: { kind: 'nps', score: 3 },
    });
    // Sentiment is derived by the server (the ingest recomputes it and never trusts a client's),
    // so the page does not pay for it.
    expect(feedback.feedback).not.toHaveProperty('sentiment');
    expect(track.userId).toBe('user-7');
    const ids = new Set([page, identify, feedback, track].map((e) => `${e.anonymousId}/${e.sessionId}`));
    expect(ids.size).toBe(1);
    expect(tp.getIds()).toMatchObject({ anonymousId: page.anonymousId, userId: 'user-7', sessionId: page.sessionId });
    tp.destroy();
  });

  it('answers a bad feedback score with a typed error instead of throwing, and sends nothing', async () => {
    const { tp, seen } = makeTracker(server);
    const result = tp.feedback({ kind: 'nps', score: 11 });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('invalid');
      expect(result.error.issues?.[0]?.path).toBe('feedback.score');
    }
    expect(seen.error).toHaveLength(1);
    await tp.flush();
    expect(server.batches).toHaveLength(0);
    tp.destroy();
  });

  it('never throws on bad input: cycles, missing names, oversized events', () => {
    const { tp, seen } = makeTracker(server);
    const cyclic: any = { a: 1 };
    cyclic.self = cyclic;
    expect(tp.track('x', cyclic).ok).toBe(false);
    expect((tp.track as any)('').ok).toBe(false);
    expect((tp.track as any)('x', 'not-an-object').ok).toBe(false);
    expect(tp.track('x', { blob: 'y'.repeat(40_000) }).ok).toBe(false);
    expect((tp.identify as any)(undefined).ok).toBe(false);
    expect(seen.error.map((e) => e.code)).toEqual(['invalid', 'invalid', 'invalid', 'invalid', 'invalid']);
    tp.destroy();
  });

  it('fires `event` synchronously for every accepted event', () => {
    const { tp, seen } = makeTracker(server);
    tp.track('a');
    expect(seen.event.map((e) => e.type)).toEqual(['track']);
    tp.destroy();
  });

  it('returns a harmless tracker for an unusable configuration', async () => {
    const { createTracker } = await import('./tracker.js');
    const tp = createTracker({ endpoint: '', writeKey: 'k' });
    const result = tp.track('x');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toMatch(/endpoint/);
    expect(await tp.flush()).toEqual({ ok: false, pending: 0 });
  });
});

describe('ids and sessions', () => {
  it('keeps the anonymous id across trackers (visits) and rotates the session after 30 idle minutes', () => {
    const first = makeTracker(server, { name: 'ids-1' });
    const ids = first.tp.getIds();
    first.clock.advance(29 * 60_000);
    expect(first.tp.getIds().sessionId).toBe(ids.sessionId);
    first.clock.advance(31 * 60_000);
    const rotated = first.tp.getIds();
    expect(rotated.sessionId).not.toBe(ids.sessionId);
    expect(rotated.anonymousId).toBe(ids.anonymousId);
    first.tp.destroy();
    const again = makeTracker(server, { name: 'ids-1' }, first.clock);
    expect(again.tp.getIds().anonymousId).toBe(ids.anonymousId);
    again.tp.destroy();
  });

  it('records a first visit once per browser', async () => {
    const capture = { firstVisit: true, pageviews: true, webVitals: false, campaigns: false };
    const first = makeTracker(server, { name: 'fv', autoCapture: capture });
    await waitFor(() => first.seen.event.length === 2, 'the first visit and the page view');
    await first.tp.flush();
    first.tp.destroy();
    const second = makeTracker(server, { name: 'fv', autoCapture: capture });
    await waitFor(() => second.seen.event.length === 1, 'the page view');
    await second.tp.flush();
    second.tp.destroy();
    const names = server.batches.flatMap((b) => b.events).map((e) => e.event);
    expect(names).toEqual(['site.first_visit', undefined, undefined]);
    expect(server.batches[0]!.events[0].stage).toBe('awareness');
  });

  it('reset() forgets ids and queued events', async () => {
    const { tp } = makeTracker(server);
    tp.identify('user-1');
    const before = tp.getIds();
    server.mode = 'down';
    tp.track('private.thing');
    tp.reset();
    server.mode = 'up';
    const after = tp.getIds();
    expect(after.anonymousId).not.toBe(before.anonymousId);
    expect(after.userId).toBeUndefined();
    expect(after.sessionId).not.toBe(before.sessionId);
    await tp.flush();
    expect(server.batches).toHaveLength(0);
    tp.destroy();
  });
});

describe('page views and campaigns', () => {
  it('records a page view on load and on single-page-app navigation, with the session campaign', async () => {
    history.replaceState({}, '', '/landing?utm_source=newsletter&utm_medium=email&utm_campaign=black-friday');
    const { tp, seen } = makeTracker(server, {
      autoCapture: { pageviews: true, campaigns: true, webVitals: false, firstVisit: false },
    });
    await waitFor(() => seen.event.some((e) => e.type === 'page'), 'the first page view');
    history.pushState({}, '', '/products/42');
    history.pushState({}, '', '/products/42'); // same address: not a new page view
    window.dispatchEvent(new PopStateEvent('popstate'));
    await tp.flush();
    const events = server.batches.flatMap((b) => b.events);
    const landed = events.find((e) => e.event === 'campaign.landed');
    expect(landed).toMatchObject({
      stage: 'awareness',
      properties: { source: 'newsletter', medium: 'email', campaign: 'black-friday' },
    });
    const pages = events.filter((e) => e.type === 'page');
    expect(pages.map((p) => p.context.page.path)).toEqual(['/landing', '/products/42']);
    expect(pages[1].context.campaign).toEqual({ source: 'newsletter', medium: 'email', name: 'black-friday' });
    tp.destroy();
    history.replaceState({}, '', '/');
  });
});

describe('debug mode', () => {
  it('logs every notice from the first one: recorded events, deliveries, errors', async () => {
    const lines: unknown[][] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      lines.push(args);
    });
    try {
      const { tp } = makeTracker(server, { debug: true });
      const result = tp.track('first');
      tp.track('');
      await tp.flush();
      const kinds = lines.map(([prefix, type]) => `${prefix} ${type}`);
      expect(kinds).toEqual(['[touchpoint] event', '[touchpoint] error', '[touchpoint] delivered']);
      expect(lines[0]![2]).toMatchObject({ event: 'first' });
      expect(lines[2]![2]).toMatchObject({ messageIds: [result.ok && result.messageId] });
      tp.destroy();
    } finally {
      spy.mockRestore();
    }
  });

  it('is silent otherwise', async () => {
    const spy = vi.spyOn(console, 'log');
    try {
      const { tp } = makeTracker(server);
      tp.track('quiet');
      await tp.flush();
      expect(spy).not.toHaveBeenCalled();
      tp.destroy();
    } finally {
      spy.mockRestore();
    }
  });
});
