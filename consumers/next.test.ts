/**
 * A Next.js App Router app built from the packed tarballs with `next build` (Turbopack, Next's own
 * type check and generated route validator) and served with `next start`. It guards the documented
 * route `export const POST = createIngestHandler({…})`, which only Next's route validator checks, and
 * a wrapper route, and Segment's API on a catch-all route; all must deliver what they accept. The
 * page imports @touchpoint/browser in a client component, so it is server-rendered too.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sink, startSink } from '../packages/node/test/loopback-sink.js';
import { freePort } from '../packages/node/test/services.js';
import { launchChromium, skipWithoutChromium } from '../test-support/chromium.js';
import {
  type AppServer,
  batchOf,
  delivered,
  post,
  prepareApp,
  run,
  skipWithoutFrameworks,
  startServer,
} from './consumer-app.js';

const WRITE_KEY = 'pk_test_next';

describe.skipIf(skipWithoutFrameworks('the Next.js consumer app', ['next', 'react', 'react-dom']))(
  'Next.js App Router app from the packed tarballs',
  () => {
    let dir: string;
    let sink: Sink;
    let app: AppServer;
    let buildOutput: string;

    beforeAll(async () => {
      sink = await startSink();
      dir = prepareApp('next', ['next', 'react', 'react-dom', '@types/react']);
      const next = join(dir, 'node_modules', 'next', 'dist', 'bin', 'next');
      buildOutput = await run(process.execPath, [next, 'build'], { cwd: dir });
      const port = await freePort();
      app = await startServer(process.execPath, [next, 'start', '--port', String(port), '--hostname', '127.0.0.1'], {
        cwd: dir,
        env: { SINK_URL: sink.url },
        url: `http://127.0.0.1:${port}/`,
      });
    });

    afterAll(async () => {
      await app?.stop();
      await sink?.close();
    });

    it('next build type-checks `export const POST = createIngestHandler(…)` and the wrapper route', () => {
      expect(buildOutput).toMatch(/Running TypeScript/);
      expect(buildOutput).toMatch(/\/api\/touchpoints/);
      expect(buildOutput).toMatch(/\/api\/wrapped/);
    });

    it('server-renders the page that imports @touchpoint/browser', async () => {
      const response = await fetch(app.url);
      expect(response.status).toBe(200);
      const html = await response.text();
      expect(html).toContain('Touchpoint in Next.js');
      expect(html).toContain('server-rendered');
    });

    it('delivers the batches posted to the route export and to the wrapper', async () => {
      const direct = batchOf('next-route-export', 3);
      const wrapped = batchOf('next-wrapper', 2);
      expect(await post(new URL('/api/touchpoints', app.url).href, direct, WRITE_KEY)).toMatchObject({
        status: 200,
        body: { accepted: 3, rejected: [], duplicates: 0 },
      });
      expect(await post(new URL('/api/wrapped', app.url).href, wrapped, WRITE_KEY)).toMatchObject({
        status: 200,
        body: { accepted: 2, rejected: [], duplicates: 0 },
      });
      const events = await delivered(sink, 5);
      const ids = events.map((e) => e.messageId).sort();
      expect(ids).toEqual([...direct.batch, ...wrapped.batch].map((e) => e.messageId).sort());
    });

    it('delivers a Segment batch posted to a catch-all route exporting createSegmentIngestHandler', async () => {
      const before = sink.delivered.length;
      const messageId = randomUUID();
      const response = await fetch(new URL('/v1/batch', app.url), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Basic ${Buffer.from('seg_test_next:').toString('base64')}`,
        },
        body: JSON.stringify({
          batch: [{ type: 'track', event: 'Order Completed', userId: 'cust-7', messageId, properties: { total: 42 } }],
          sentAt: new Date().toISOString(),
        }),
      });
      expect(response.status).toBe(200);
      const events = await delivered(sink, before + 1);
      expect(events.find((e) => e.messageId === messageId)).toMatchObject({
        event: 'Order Completed',
        userId: 'cust-7',
        properties: { total: 42 },
      });
    });

    it.skipIf(skipWithoutChromium('the Next.js page in Chromium'))(
      'in Chromium, the hydrated page tracks through the route and the event is delivered',
      async () => {
        const browser = await launchChromium();
        try {
          const page = await browser.newPage();
          await page.goto(app.url);
          await page.waitForSelector('text=tracker flushed', { timeout: 30_000 });
        } finally {
          await browser.close();
        }
        await expect
          .poll(() => sink.delivered.filter((e) => e.event === 'consumer.next_mounted').length, { timeout: 20_000 })
          .toBe(1);
      },
    );
  },
);
