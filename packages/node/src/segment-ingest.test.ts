import { parseEvent } from '@touchpoint/core/schema';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../test/events.js';
import { SEGMENT_KEY, startSegmentIngest } from '../test/segment-server.js';
import { toSegmentMessage } from './destinations/segment.js';
import { memoryLog } from './log/memory-log.js';
import { createSegmentIngestHandler } from './segment-ingest.js';
import { fromSegmentMessage } from './segment-mapping.js';

type Server = Awaited<ReturnType<typeof startSegmentIngest>>;
let server: Server | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const uid = () => crypto.randomUUID();

describe('Segment-compatible ingest over HTTP', () => {
  it('takes /v1/batch with Basic auth and stores userId-only calls, keeping every field users sent', async () => {
    server = await startSegmentIngest();
    const ids = [uid(), uid(), uid(), uid(), uid(), uid()];
    const res = await server.post('/v1/batch', {
      batch: [
        {
          type: 'track',
          messageId: ids[0],
          userId: 'u1',
          event: 'Order Completed',
          properties: { total: 30, 'Coupon Code': 'X' },
          integrations: { Mixpanel: false },
          timestamp: '2026-11-22T10:00:00Z',
        },
        { type: 'identify', messageId: ids[1], userId: 'u1', traits: { email: 'a@b.test', plan: 'gold' } },
        { type: 'page', messageId: ids[2], userId: 'u1', name: 'Home', category: 'Docs', properties: { path: '/' } },
        { type: 'screen', messageId: ids[3], anonymousId: 'a1', name: 'Settings' },
        { type: 'group', messageId: ids[4], userId: 'u1', groupId: 'acme', traits: { employees: 50 } },
        { type: 'alias', messageId: ids[5], userId: 'u1', previousId: 'a1' },
      ],
      context: { device: { type: 'ios' }, app: { name: 'Shop', version: '3.1' } },
      sentAt: new Date().toISOString(),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ success: true, accepted: 6, duplicates: 0 });
    await until(() => server!.received.length === 6);
    const byId = new Map(server.received.map((e) => [e.messageId, e]));
    expect(byId.get(ids[0]!)).toMatchObject({
      type: 'track',
      userId: 'u1',
      event: 'Order Completed',
      properties: { total: 30, 'Coupon Code': 'X' },
      context: {
        extra: {
          device: { type: 'ios' },
          app: { name: 'Shop', version: '3.1' },
          segment: { integrations: { Mixpanel: false } },
        },
      },
    });
    expect(byId.get(ids[0]!)).not.toHaveProperty('anonymousId');
    expect(byId.get(ids[1]!)).toMatchObject({
      type: 'identify',
      userId: 'u1',
      traits: { email: 'a@b.test', plan: 'gold' },
    });
    expect(byId.get(ids[2]!)).toMatchObject({
      type: 'page',
      name: 'Home',
      properties: { path: '/' },
      context: { extra: { segment: { category: 'Docs' } } },
    });
    expect(byId.get(ids[3]!)).toMatchObject({
      type: 'page',
      anonymousId: 'a1',
      name: 'Settings',
      context: { extra: { segment: { type: 'screen' } } },
    });
    expect(byId.get(ids[4]!)).toMatchObject({
      type: 'track',
      event: 'Group',
      properties: { employees: 50 },
      context: { extra: { segment: { type: 'group', groupId: 'acme' } } },
    });
    expect(byId.get(ids[5]!)).toMatchObject({ type: 'alias', userId: 'u1', previousId: 'a1' });
  });

  it("takes analytics.js's single-call paths (/v1/t, /v1/p, …) with the write key in the body, and the long forms", async () => {
    server = await startSegmentIngest();
    const paths = ['/v1/t', '/v1/p', '/v1/i', '/v1/g', '/v1/a', '/v1/track', '/v1/screen', '/api/segment/v1/identify'];
    for (const path of paths) {
      const res = await server.post(
        path,
        {
          writeKey: SEGMENT_KEY,
          messageId: uid(),
          userId: 'u1',
          anonymousId: 'a1',
          event: 'Clicked',
          previousId: 'a0',
          sentAt: new Date().toISOString(),
        },
        { authorization: '', 'content-type': 'text/plain' },
      );
      expect(res.status, path).toBe(200);
    }
    await until(() => server!.received.length === paths.length);
    expect(server.received.map((e) => e.type)).toEqual([
      'track',
      'page',
      'identify',
      'track',
      'alias',
      'track',
      'page',
      'identify',
    ]);
  });

  it("takes batches on analytics.js's /b and /v1/b and Segment's /v1/import", async () => {
    server = await startSegmentIngest();
    for (const path of ['/b', '/v1/b', '/v1/import']) {
      const res = await server.post(path, {
        writeKey: SEGMENT_KEY,
        batch: [{ type: 'track', messageId: uid(), userId: 'u1', event: `Sent to ${path}` }],
        sentAt: new Date().toISOString(),
      });
      expect(res.status, path).toBe(200);
    }
    await until(() => server!.received.length === 3);
    expect(server.received.map((e) => e.type === 'track' && e.event)).toEqual([
      'Sent to /b',
      'Sent to /v1/b',
      'Sent to /v1/import',
    ]);
  });

  it('drops a resent messageId, and corrects the client clock from sentAt', async () => {
    server = await startSegmentIngest();
    const messageId = uid();
    const clientNow = Date.now() + 3_600_000; // the client's clock is an hour fast
    const call = {
      type: 'track',
      messageId,
      anonymousId: 'a1',
      event: 'Viewed',
      timestamp: new Date(clientNow - 10_000).toISOString(),
    };
    const first = await server.post('/v1/batch', { batch: [call], sentAt: new Date(clientNow).toISOString() });
    const again = await server.post('/v1/batch', { batch: [call], sentAt: new Date(clientNow).toISOString() });
    expect(await first.json()).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(await again.json()).toMatchObject({ accepted: 1, duplicates: 1 });
    await until(() => server!.received.length === 1);
    const skew = Date.now() - 10_000 - Date.parse(server.received[0]!.timestamp);
    expect(Math.abs(skew)).toBeLessThan(2_000);
  });

  it('answers 429 with Retry-After when the log is full, and stores the retry once there is room', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    server = await startSegmentIngest({}, { log: memoryLog({ maxBytes: 1500 }) }, () => gate);
    const big = (id: string) => ({
      type: 'track',
      messageId: id,
      userId: 'u1',
      event: 'Big',
      properties: { text: 'x'.repeat(900) },
    });
    expect((await server.post('/v1/batch', { batch: [big(uid())] })).status).toBe(200);
    const retried = big(uid());
    const refused = await server.post('/v1/batch', { batch: [retried] });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    open();
    await until(() => server!.received.length === 1);
    await until(() => server!.forwarder.stats().log.bytes === 0).catch(() => {});
    const res = await server.post('/v1/batch', { batch: [retried] });
    expect(await res.json()).toMatchObject({ accepted: 1, duplicates: 0 });
    await until(() => server!.received.length === 2);
    expect([...server.counts().values()]).toEqual([1, 1]);
  });

  it('refuses bad keys, unknown paths and what Segment refuses too, loudly instead of inside a 200', async () => {
    server = await startSegmentIngest();
    const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
    expect((await server.post('/v1/batch', { batch: [] }, { authorization: basic('nope') })).status).toBe(401);
    expect((await server.post('/v1/batch', { batch: [] }, { authorization: '' })).status).toBe(401);
    expect((await server.post('/v1/nothing', {})).status).toBe(404);
    const res = await server.post('/v1/batch', {
      batch: [
        { type: 'track', messageId: uid(), userId: 'u1', event: 'Kept' },
        { type: 'track', messageId: uid(), event: 'Nobody' },
        { type: 'track', messageId: uid(), userId: 'u1' },
      ],
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { accepted: number; rejected: { index: number; issues: { path: string }[] }[] };
    expect(body.accepted).toBe(1);
    expect(body.rejected.map((r) => [r.index, r.issues[0]!.path])).toEqual([
      [1, 'batch[1].userId'],
      [2, 'batch[2].event'],
    ]);
    await until(() => server!.received.length === 1);
  });

  it('serves the settings analytics.js loads, naming this server as the API host', async () => {
    server = await startSegmentIngest();
    const res = await fetch(`${server.origin}/v1/projects/${SEGMENT_KEY}/settings`);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const settings = (await res.json()) as {
      integrations: Record<string, { apiHost: string; protocol: string; apiKey: string }>;
    };
    expect(settings.integrations['Segment.io']).toMatchObject({
      apiKey: SEGMENT_KEY,
      apiHost: `${server.origin.replace('http://', '')}/v1`,
      protocol: 'http',
    });
    expect((await fetch(`${server.origin}/v1/projects/unknown/settings`)).status).toBe(404);
    const proxied = createSegmentIngestHandler({
      forwarder: server.forwarder,
      writeKeys: [SEGMENT_KEY],
      publicUrl: 'https://collect.shop.example/segment',
    });
    const answer = await proxied(new Request(`http://10.0.0.1:8080/segment/v1/projects/${SEGMENT_KEY}/settings`));
    expect(await answer.json()).toMatchObject({
      integrations: { 'Segment.io': { apiHost: 'collect.shop.example/segment/v1', protocol: 'https' } },
    });
  });

  it('refuses bad configuration by name', () => {
    const forwarder = { accept: async () => ({ ok: true as const }) };
    expect(() => createSegmentIngestHandler({ forwarder, writeKeys: [] })).toThrow(/writeKeys/);
    expect(() => createSegmentIngestHandler({ forwarder, writeKeys: ['k'], publicUrl: 'ftp://x' })).toThrow(
      /publicUrl/,
    );
  });
});

describe('fromSegmentMessage', () => {
  it('keeps context Touchpoint models in place and everything else under context.extra, by its own name', () => {
    const mapped = fromSegmentMessage({
      type: 'track',
      userId: 42,
      event: 'Viewed',
      context: {
        library: { name: 'analytics-node-next', version: '3.1.0' },
        page: { path: '/a', url: 'https://shop.test/a', hash: '#x' },
        locale: 'de-DE',
        traits: { email: 'a@b.test' },
        sessionId: 's-1',
      },
      traits: { stray: true },
      version: 2,
      writeKey: 'secret',
      _metadata: { bundled: [] },
    });
    expect(mapped).toEqual({
      ok: true,
      event: {
        type: 'track',
        event: 'Viewed',
        messageId: expect.any(String),
        timestamp: expect.any(String),
        userId: '42',
        sessionId: 's-1',
        context: {
          library: { name: 'analytics-node-next', version: '3.1.0' },
          locale: 'de-DE',
          extra: {
            page: { path: '/a', url: 'https://shop.test/a', hash: '#x' },
            traits: { email: 'a@b.test' },
            segment: { version: 2, traits: { stray: true } },
          },
        },
      },
    });
  });

  it("round-trips a Touchpoint event through Segment's shape (destinations.segment, then this ingest) unchanged", () => {
    const event = {
      type: 'track' as const,
      messageId: uid(),
      timestamp: '2026-11-22T10:00:00.000Z',
      anonymousId: 'a-1',
      userId: 'u-1',
      sessionId: 's-1',
      event: 'cart.item_added',
      properties: { sku: 'mug-42', price: 9.5 },
      context: {
        library: { name: 'touchpoint', version: '0.1.0' },
        page: { path: '/cart', url: 'https://shop.test/cart' },
        locale: 'de-DE',
        channel: 'web',
        extra: { device: { type: 'ios' }, experiment: 'b' },
      },
    };
    const mapped = fromSegmentMessage(toSegmentMessage(event));
    expect(mapped.ok && parseEvent(mapped.event)).toEqual({ ok: true, value: event });
  });

  it('turns an identify without userId into an Identify track with its traits, instead of refusing it', () => {
    expect(fromSegmentMessage({ type: 'identify', anonymousId: 'a1', traits: { plan: 'free' } })).toMatchObject({
      ok: true,
      event: {
        type: 'track',
        event: 'Identify',
        anonymousId: 'a1',
        properties: { plan: 'free' },
        context: { extra: { segment: { type: 'identify' } } },
      },
    });
  });
});
