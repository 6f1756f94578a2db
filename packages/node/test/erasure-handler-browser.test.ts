/**
 * A signed-in customer asks for their erasure from a real page: Chromium runs the published
 * tracker and `@touchpoint/browser/privacy` (bundled from `packages/browser/dist`, so build the
 * browser package first), a node:http server runs `createErasureHandler` behind a cookie session,
 * and the tracker forgets its ids once the server answered.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, skipWithoutChromium } from '../../../test-support/chromium.js';
import { toNodeHandler } from '../src/node-handler.js';
import { createErasureHandler } from '../src/privacy/erasure-handler.js';
import type { ErasureRecord, Privacy } from '../src/privacy/types.js';

const browserDist = fileURLToPath(new URL('../../browser/dist/', import.meta.url));
const LONG = 60_000;

declare const tp: any;
declare const requestErasure: any;

const APP_JS = `
import { createTracker } from '/assets/index.js';
import { requestErasure } from '/assets/privacy.js';
window.tp = createTracker({ endpoint: '/ingest', writeKey: 'pk_e2e', name: 'erasure-e2e', autoCapture: false });
window.requestErasure = requestErasure;
window.ready = true;
`;
const CSP = "default-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'";

describe.skipIf(skipWithoutChromium('the customer erasure request in Chromium'))('requestErasure in Chromium', () => {
  let browser: Browser;
  let context: BrowserContext;
  let url: string;
  let close: () => Promise<void>;
  /** What the page sent to the ingest, and what the erasure handler was asked and answered. */
  const ingested: any[] = [];
  const erased: { identities: unknown; requestedBy: string }[] = [];
  const erasureRequests: { cookie?: string; body: string }[] = [];

  beforeAll(async () => {
    const bundle = await build({
      entryPoints: { index: `${browserDist}index.js`, privacy: `${browserDist}privacy/index.js` },
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      outdir: '/assets',
      write: false,
      logLevel: 'silent',
    });
    const assets = new Map(bundle.outputFiles.map((f) => [`/assets/${f.path.split('/').pop()}`, f.contents]));

    // A Privacy that records what it is asked (the real one is the integrator's createPrivacy).
    const privacy: Pick<Privacy, 'erase'> = {
      async erase(identities, { requestedBy }) {
        erased.push({ identities, requestedBy });
        const record: ErasureRecord = {
          id: `er_${erased.length}`,
          requestedAt: new Date().toISOString(),
          requestedBy,
          identityKinds: { userId: 1 },
          stores: [],
          destinations: {},
          status: 'done',
        };
        return record;
      },
    };
    const erasure = toNodeHandler(
      createErasureHandler({
        privacy,
        // The shop's session: an HttpOnly cookie the page's script never sees.
        authenticate: (request) => {
          const match = /(?:^|;\s*)session=([^;]+)/.exec(request.headers.get('cookie') ?? '');
          return match ? { userId: decodeURIComponent(match[1]!) } : null;
        },
      }),
    );

    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const path = (req.url ?? '/').split('?')[0]!;
      if (path === '/api/privacy/erasure') {
        const chunks: Buffer[] = [];
        // Observe the request as it passes to the handler (the handler reads the same stream).
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () =>
          erasureRequests.push({ cookie: req.headers.cookie, body: Buffer.concat(chunks).toString('utf8') }),
        );
        return erasure(req, res);
      }
      if (path === '/login') {
        const user = new URL(req.url!, 'http://x').searchParams.get('user')!;
        res
          .writeHead(204, { 'set-cookie': `session=${encodeURIComponent(user)}; Path=/; HttpOnly; SameSite=Lax` })
          .end();
        return;
      }
      if (path === '/ingest' && req.method === 'POST') {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          ingested.push(...JSON.parse(Buffer.concat(chunks).toString('utf8')).batch);
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"rejected":[]}');
        });
        return;
      }
      const asset = assets.get(path);
      if (asset) return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(asset);
      if (path === '/app.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(APP_JS);
      if (path === '/account.html')
        return void res
          .writeHead(200, { 'content-type': 'text/html', 'content-security-policy': CSP })
          .end(
            '<!doctype html><html lang="en"><title>Account</title><script type="module" src="/app.js"></script><h1>Account</h1>',
          );
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    browser = await launchChromium({ timeout: LONG });
    context = await browser.newContext();
  }, LONG);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await close?.();
  });

  async function open(): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${url}/account.html`);
    await page.waitForFunction(() => (window as any).ready === true);
    return page;
  }

  it("erases the session's customer and resets the tracker; without a session nothing happens", {
    timeout: LONG,
  }, async () => {
    const page = await open();
    const before = await page.evaluate(async () => {
      tp.identify('u-42');
      tp.track('account.viewed');
      await tp.flush();
      return tp.getIds();
    });
    expect(before.userId).toBe('u-42');

    // Not signed in: 401, the tracker keeps its ids.
    const refused = await page.evaluate(() => requestErasure(tp, { endpoint: '/api/privacy/erasure' }));
    expect(refused).toMatchObject({ ok: false, error: { code: 'unauthenticated', status: 401 } });
    expect(erased).toEqual([]);
    expect(await page.evaluate(() => tp.getIds().anonymousId)).toBe(before.anonymousId);

    // Signed in (the shop's HttpOnly cookie), with events still queued when the customer asks.
    await page.evaluate(() => fetch('/login?user=u-42'));
    const result = await page.evaluate(async () => {
      tp.track('erasure.requested');
      return requestErasure(tp, { endpoint: '/api/privacy/erasure' });
    });
    expect(result).toEqual({ ok: true, erasureId: 'er_1', status: 'done' });
    expect(erased).toEqual([{ identities: [{ userId: 'u-42' }], requestedBy: 'customer' }]);
    const sent = erasureRequests.at(-1)!;
    expect(sent.cookie).toBe('session=u-42');
    expect(JSON.parse(sent.body)).toEqual({ anonymousId: before.anonymousId, userId: 'u-42' });
    // What was queued went out before the erasure, so the server erased it with the rest.
    expect(ingested.map((e) => e.event ?? e.type)).toEqual(['identify', 'account.viewed', 'erasure.requested']);

    const after = await page.evaluate(() => tp.getIds());
    expect(after.anonymousId).not.toBe(before.anonymousId);
    expect(after.userId).toBeUndefined();
    // The same customer asking again at once is told to wait.
    const again = await page.evaluate(() => requestErasure(tp, { endpoint: '/api/privacy/erasure' }));
    expect(again).toMatchObject({ ok: false, error: { code: 'rate_limited', status: 429 } });
    expect(again.error.retryAfterSec).toBeGreaterThan(0);
    expect(erased).toHaveLength(1);
    await page.close();
  });
});
