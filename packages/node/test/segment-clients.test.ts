/**
 * Segment's own clients — and RudderStack's, which speak the same API — pointed at the
 * Segment-compatible ingest with nothing changed but their host settings: every call arrives
 * once, including the ones that carry only a userId (which an earlier ingest dropped inside a 200).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import RudderAnalytics from '@rudderstack/rudder-sdk-node';
import { Analytics } from '@segment/analytics-node';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, skipWithoutChromium } from '../../../test-support/chromium.js';
import { until } from './events.js';
import { SEGMENT_KEY, startSegmentIngest } from './segment-server.js';

type Ingest = Awaited<ReturnType<typeof startSegmentIngest>>;
let ingest: Ingest | undefined;
const servers: Server[] = [];
afterEach(async () => {
  await ingest?.close();
  ingest = undefined;
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

/** Five calls of every kind; three carry only a userId, as in the bug report. */
function sendFive(client: {
  track(m: object): unknown;
  identify(m: object): unknown;
  page(m: object): unknown;
  group(m: object): unknown;
  alias(m: object): unknown;
}) {
  client.track({ userId: 'u-1', event: 'Order Completed', properties: { orderId: 'o-9', total: 42.5 } });
  client.identify({ userId: 'u-1', traits: { email: 'ada@shop.test', plan: 'gold' } });
  client.page({ userId: 'u-1', name: 'Checkout', properties: { path: '/checkout' } });
  client.group({ anonymousId: 'anon-7', groupId: 'acme', traits: { seats: 12 } });
  client.alias({ userId: 'u-1', previousId: 'anon-7' });
}

function expectFiveOnce(received: Ingest['received'], counts: Map<string, number>) {
  expect(received).toHaveLength(5);
  expect([...counts.values()]).toEqual([1, 1, 1, 1, 1]);
  const byKind = new Map(received.map((e) => [e.type === 'track' ? e.event : e.type, e]));
  expect(byKind.get('Order Completed')).toMatchObject({ userId: 'u-1', properties: { orderId: 'o-9', total: 42.5 } });
  expect(byKind.get('identify')).toMatchObject({ userId: 'u-1', traits: { email: 'ada@shop.test', plan: 'gold' } });
  expect(byKind.get('page')).toMatchObject({ userId: 'u-1', name: 'Checkout', properties: { path: '/checkout' } });
  expect(byKind.get('Group')).toMatchObject({ anonymousId: 'anon-7', properties: { seats: 12 } });
  expect(byKind.get('alias')).toMatchObject({ userId: 'u-1', previousId: 'anon-7' });
}

describe('real Segment-API clients against the Segment-compatible ingest', () => {
  it('@segment/analytics-node: five calls, each arrives once', async () => {
    ingest = await startSegmentIngest();
    const errors: unknown[] = [];
    const analytics = new Analytics({ writeKey: SEGMENT_KEY, host: ingest.origin, flushAt: 3 });
    analytics.on('error', (e) => errors.push(e));
    sendFive(analytics);
    await analytics.closeAndFlush({ timeout: 5000 });
    await until(() => ingest!.received.length >= 5);
    expect(errors).toEqual([]);
    expectFiveOnce(ingest.received, ingest.counts());
    expect(ingest.received[0]!.context?.library?.name).toMatch(/analytics-node/);
  });

  it('@segment/analytics-node: a 429 while the log is full is retried, and the events arrive once', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const { memoryLog } = await import('../src/log/memory-log.js');
    ingest = await startSegmentIngest({}, { log: memoryLog({ maxBytes: 2000 }) }, () => gate);
    const analytics = new Analytics({ writeKey: SEGMENT_KEY, host: ingest.origin, flushAt: 1, maxRetries: 10 });
    analytics.track({ userId: 'u-1', event: 'Big', properties: { text: 'x'.repeat(800) } });
    await until(() => ingest!.forwarder.stats().log.bytes > 0);
    analytics.track({ userId: 'u-1', event: 'Refused first', properties: { text: 'y'.repeat(800) } });
    setTimeout(open, 300);
    await analytics.closeAndFlush({ timeout: 15_000 });
    await until(() => ingest!.received.length >= 2, 10_000);
    expect(ingest.forwarder.stats().log.refused.full).toBeGreaterThanOrEqual(1); // it was answered 429 at least once
    expect([...ingest.counts().values()]).toEqual([1, 1]);
  }, 20_000);

  it('@rudderstack/rudder-sdk-node (gzip batches): five calls, each arrives once', async () => {
    ingest = await startSegmentIngest();
    const client = new RudderAnalytics(SEGMENT_KEY, { dataPlaneUrl: ingest.origin, flushAt: 5, logLevel: 'error' });
    sendFive(client as never);
    await new Promise<void>((resolve, reject) =>
      client.flush((error?: unknown) => (error ? reject(error) : resolve())),
    );
    await until(() => ingest!.received.length >= 5);
    expectFiveOnce(ingest.received, ingest.counts());
  });

  describe.skipIf(skipWithoutChromium('@segment/analytics-next in Chromium'))('in Chromium', () => {
    let browser: Browser | undefined;
    let script = '';
    beforeAll(async () => {
      const bundle = await build({
        stdin: {
          contents:
            "import { AnalyticsBrowser } from '@segment/analytics-next'; window.AnalyticsBrowser = AnalyticsBrowser;",
          resolveDir: fileURLToPath(new URL('..', import.meta.url)),
        },
        bundle: true,
        format: 'iife',
        platform: 'browser',
        write: false,
        logLevel: 'silent',
      });
      script = bundle.outputFiles[0]!.text;
      browser = await launchChromium();
    }, 30_000);
    afterAll(async () => {
      await browser?.close();
    });

    /** A shop page on its own origin runs analytics.js, loaded with `settings(ingestOrigin)`. */
    async function runOnShopPage(settings: (ingestOrigin: string) => object): Promise<Ingest> {
      const shop = createServer((req, res) => {
        if (req.url === '/analytics.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
        else
          res
            .writeHead(200, { 'content-type': 'text/html' })
            .end('<!doctype html><script src="/analytics.js"></script>');
      });
      servers.push(shop);
      await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
      const shopOrigin = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;
      const server = await startSegmentIngest({ cors: { origins: [shopOrigin] } });
      ingest = server;
      const page = await browser!.newPage();
      try {
        await page.goto(`${shopOrigin}/`);
        await page.evaluate(async (loadSettings) => {
          const w = window as unknown as { AnalyticsBrowser: { load(s: object): any } };
          const analytics = w.AnalyticsBrowser.load(loadSettings);
          await analytics.track('Order Completed', { orderId: 'o-9', total: 42.5 });
          await analytics.identify('u-1', { email: 'ada@shop.test', plan: 'gold' });
          await analytics.page('Checkout', { path: '/checkout' });
          await analytics.group('acme', { seats: 12 });
          await analytics.alias('u-1', 'anon-7');
        }, settings(server.origin));
        await until(() => server.received.length >= 5, 10_000);
        await new Promise((r) => setTimeout(r, 300)); // would a retry or a duplicate follow?
      } finally {
        await page.close();
      }
      const received = server.received;
      expect(received).toHaveLength(5);
      expect([...server.counts().values()]).toEqual([1, 1, 1, 1, 1]);
      const byKind = new Map(received.map((e) => [e.type === 'track' ? e.event : e.type, e]));
      expect(byKind.get('Order Completed')).toMatchObject({ properties: { orderId: 'o-9', total: 42.5 } });
      expect(byKind.get('identify')).toMatchObject({ userId: 'u-1', traits: { email: 'ada@shop.test', plan: 'gold' } });
      expect(byKind.get('page')).toMatchObject({ name: 'Checkout' });
      expect(byKind.get('Group')).toMatchObject({
        properties: { seats: 12 },
        context: { extra: { segment: { groupId: 'acme' } } },
      });
      expect(byKind.get('alias')).toMatchObject({ userId: 'u-1', previousId: 'anon-7' });
      expect(received[0]!.context?.library?.name).toBe('analytics.js');
      expect(received[0]!.context?.page?.url ?? (received[0]!.context?.extra?.page as { url?: string })?.url).toContain(
        shopOrigin,
      );
      return server;
    }

    it('@segment/analytics-next configured only by cdnURL (settings from the ingest, one request per call): each call arrives once', async () => {
      const server = await runOnShopPage((origin) => ({ writeKey: SEGMENT_KEY, cdnURL: origin }));
      expect(server.paths).toContain(`GET /v1/projects/${SEGMENT_KEY}/settings`);
      expect(server.paths.filter((p) => p.startsWith('POST')).sort()).toEqual([
        'POST /v1/a',
        'POST /v1/g',
        'POST /v1/i',
        'POST /v1/p',
        'POST /v1/t',
      ]);
    }, 30_000);

    it('@segment/analytics-next with cdnSettings and batching (/v1/b): each call arrives once', async () => {
      const server = await runOnShopPage((origin) => ({
        writeKey: SEGMENT_KEY,
        cdnSettings: {
          integrations: {
            'Segment.io': {
              apiKey: SEGMENT_KEY,
              apiHost: `${origin.replace('http://', '')}/v1`,
              protocol: 'http',
              deliveryStrategy: { strategy: 'batching', config: { size: 5, timeout: 200 } },
            },
          },
        },
      }));
      expect(server.paths).toContain('POST /v1/b');
      expect(server.paths.every((p) => p === 'POST /v1/b' || p.startsWith('OPTIONS'))).toBe(true);
    }, 30_000);
  });
});
