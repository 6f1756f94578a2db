// @vitest-environment node
/**
 * The tracker in a real Chromium, against a loopback ingest that counts events by messageId.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchChromium, skipWithoutChromium } from '../../../test-support/chromium.js';
import { servePages } from './support/browser-page.js';
import { type IngestServer, startIngestServer, waitFor } from './support/ingest-server.js';

declare const tp: any;
declare const storedCount: () => Promise<number>;
declare const showFeedbackPrompt: any;
declare const violations: string[];

const artifacts = fileURLToPath(new URL('../test-artifacts/', import.meta.url));
const LONG = 60_000;

describe.skipIf(skipWithoutChromium('@touchpoint/browser real-browser tests'))('in Chromium', () => {
  let browser: Browser;
  let server: IngestServer;
  let context: BrowserContext;

  beforeAll(async () => {
    browser = await launchChromium({ timeout: LONG });
  }, LONG);
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    server = await startIngestServer();
    await servePages(server);
    context = await browser.newContext();
  }, LONG);
  afterEach(async () => {
    await context?.close();
    await server?.close();
  });

  async function open(query = ''): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${server.url}/app.html${query}`);
    await page.waitForFunction(() => (window as any).ready === true);
    return page;
  }
  const arrived = (ids: string[]) => ids.filter((id) => server.counts.has(id)).length;

  it('(1) 100 events tracked while the network is down survive a reload and all arrive', {
    timeout: LONG,
  }, async () => {
    server.mode = 'down';
    const page = await open();
    const ids: string[] = await page.evaluate(() =>
      Array.from({ length: 100 }, (_, i) => tp.track('offline.event', { i }).messageId),
    );
    expect(new Set(ids).size).toBe(100);
    await waitFor(
      async () => (await page.evaluate(() => storedCount())) >= 100,
      'the events to be stored in IndexedDB',
      20_000,
    );
    await page.reload();
    await page.waitForFunction(() => (window as any).ready === true);
    expect(arrived(ids)).toBe(0);
    server.mode = 'up';
    await waitFor(() => arrived(ids) === 100, 'all 100 events after the network is back', 30_000);
    expect(server.duplicates()).toEqual([]);
    await waitFor(async () => (await page.evaluate(() => storedCount())) === 0, 'the store to empty', 20_000);
  });

  it('(2) an event tracked right before navigating away arrives', { timeout: LONG }, async () => {
    const page = await open('?wait=60000');
    const id: string = await page.evaluate(() => {
      const r = tp.track('checkout.button_clicked');
      setTimeout(() => {
        location.href = '/other.html';
      }, 0);
      return r.messageId;
    });
    await page.waitForURL('**/other.html');
    await waitFor(() => server.counts.has(id), 'the last event', 20_000);
    expect(server.counts.get(id)).toBe(1);
  });

  it('(3) two tabs tracking at once never deliver the same messageId twice', { timeout: LONG }, async () => {
    let requests = 0;
    // A flaky ingest makes both tabs retry and look for orphans while the other is busy.
    server.mode = () => (++requests % 3 === 0 ? { status: 503 } : undefined);
    const [a, b] = await Promise.all([open('?wait=200'), open('?wait=200')]);
    const track = (page: Page, tab: string) =>
      page.evaluate(async (tab) => {
        const ids: string[] = [];
        for (let i = 0; i < 60; i++) {
          ids.push(tp.track('tab.event', { tab, i }).messageId);
          if (i % 10 === 0) await new Promise((r) => setTimeout(r, 20));
        }
        return ids;
      }, tab);
    const [idsA, idsB] = await Promise.all([track(a, 'a'), track(b, 'b')]);
    const ids = [...idsA, ...idsB];
    await waitFor(() => arrived(ids) === 120, 'all 120 events from both tabs', 40_000);
    await Promise.all([a.evaluate(() => tp.flush()), b.evaluate(() => tp.flush())]);
    expect(server.duplicates()).toEqual([]);
    expect(await a.evaluate(() => navigator.locks !== undefined)).toBe(true);
  });

  it('(4) with consent pending nothing is sent until it is granted', { timeout: LONG }, async () => {
    const page = await open('?consent=pending&wait=100');
    const ids: string[] = await page.evaluate(() => [
      tp.track('product.viewed', { productId: 'p1' }).messageId,
      tp.track('cart.item_added', { productId: 'p1' }).messageId,
    ]);
    expect(await page.evaluate(() => tp.flush())).toEqual({ ok: true, pending: 0 });
    expect(await page.evaluate(() => storedCount())).toBe(0);
    expect(server.batches).toHaveLength(0);
    await page.evaluate(() => tp.setConsent({ analytics: true, personalization: true }));
    await waitFor(() => arrived(ids) === 2, 'the held events after consent', 20_000);
    const sent = server.batches.flatMap((b) => b.events);
    expect(sent.find((e) => e.type === 'page')?.context.consent).toEqual({
      analytics: true,
      personalization: true,
      marketing: false,
    });
  });

  it('(5) the feedback widget is answered with the keyboard alone, under a strict CSP', { timeout: LONG }, async () => {
    const page = await open('?wait=100');
    await page.focus('#buy');
    await page.evaluate(() => {
      (window as any).prompt1 = showFeedbackPrompt(tp, { kind: 'nps', touchpoint: 'order.completed', delayMs: 50 });
    });
    await page.waitForSelector('[data-touchpoint="feedback-prompt"]', { state: 'attached' });
    const focused = () =>
      page.evaluate(() => {
        const el = document.querySelector('[data-touchpoint="feedback-prompt"]')?.shadowRoot?.activeElement;
        return el
          ? `${el.getAttribute('role') ?? el.tagName.toLowerCase()}:${el.getAttribute('aria-label') ?? el.textContent}`
          : null;
      });
    await waitFor(async () => (await focused()) === 'radio:0 out of 10', 'focus on the first score');
    for (let i = 0; i < 9; i++) await page.keyboard.press('ArrowRight');
    expect(await focused()).toBe('radio:9 out of 10');
    await page.keyboard.press('Tab');
    expect(await focused()).toMatch(/^textarea/);
    await page.keyboard.type('Fast delivery');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('button:Send');
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: `${artifacts}feedback-widget.png` });
    await page.keyboard.press('Enter');
    await page.waitForFunction(() =>
      document.querySelector('[data-touchpoint="feedback-prompt"]')?.shadowRoot?.querySelector('[role="status"]'),
    );
    await page.keyboard.press('Escape');
    const outcome = await page.evaluate(() => (window as any).prompt1.result);
    expect(outcome).toMatchObject({ status: 'answered', score: 9, comment: 'Fast delivery' });
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('buy');
    await waitFor(
      () => server.batches.some((b) => b.events.some((e) => e.type === 'feedback')),
      'the feedback event',
      20_000,
    );
    const feedback = server.batches.flatMap((b) => b.events).find((e) => e.type === 'feedback');
    expect(feedback.feedback).toMatchObject({
      kind: 'nps',
      score: 9,
      comment: 'Fast delivery',
      touchpoint: 'order.completed',
    });
    // Asked once: the same prompt is not shown again.
    const again = await page.evaluate(
      () => showFeedbackPrompt(tp, { kind: 'nps', touchpoint: 'order.completed' }).result,
    );
    expect(again).toEqual({ status: 'skipped', reason: 'recently_asked' });
    expect(await page.evaluate(() => violations)).toEqual([]);
  });
});
