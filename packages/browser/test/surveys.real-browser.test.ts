// @vitest-environment node
/**
 * Surveys in a real Chromium, under a strict CSP, with the keyboard alone: a "why?" triggered by
 * a browser touchpoint and the feedback tab, each answered and then scanned with axe (WCAG 2.1
 * A/AA) while open. The answers must reach the ingest; no CSP violation may occur.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { scanA11y } from '../../../test-support/axe.js';
import { launchChromium, skipWithoutChromium } from '../../../test-support/chromium.js';
import { type IngestServer, startIngestServer, waitFor } from './support/ingest-server.js';
import { serveSurveyPages } from './support/surveys-page.js';

declare const violations: string[];
const LONG = 60_000;

describe.skipIf(skipWithoutChromium('@touchpoint/browser surveys in Chromium'))('surveys in Chromium', () => {
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
    await serveSurveyPages(server);
    context = await browser.newContext();
  }, LONG);
  afterEach(async () => {
    await context?.close();
    await server?.close();
  });

  async function open(path = '/cart.html'): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${server.url}${path}`);
    await page.waitForFunction(() => (window as any).ready === true);
    return page;
  }
  /** What has focus, through shadow roots: `role-or-tag:name`. */
  const focused = (page: Page) =>
    page.evaluate(() => {
      let el: Element | null = document.activeElement;
      while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
      if (!el) return null;
      const role =
        el.getAttribute('role') ??
        (el.tagName === 'INPUT' ? `${(el as HTMLInputElement).type}` : el.tagName.toLowerCase());
      const name = el.getAttribute('aria-label') || el.closest('label')?.textContent || el.id || el.textContent;
      return `${role}:${name}`;
    });
  const promptOpen = (page: Page) =>
    page.waitForFunction(() =>
      document.querySelector('[data-touchpoint="feedback-prompt"]')?.shadowRoot?.querySelector('h2'),
    );
  const feedbacks = () => server.batches.flatMap((b) => b.events).filter((e) => e.type === 'feedback');

  it('a "why?" after removing a cart item, answered by keyboard, with no accessibility violation', {
    timeout: LONG,
  }, async () => {
    const page = await open();
    // Keyboard only: Tab to the button, Enter to remove the item.
    for (let i = 0; i < 5 && (await focused(page)) !== 'button:remove'; i++) await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('button:remove');
    await page.keyboard.press('Enter');
    await promptOpen(page);
    await waitFor(async () => (await focused(page)) === 'radio:Too expensive', 'focus on the first reason', 5000);
    await page.keyboard.press('ArrowDown');
    expect(await focused(page)).toBe('radio:Shipping costs');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatch(/^textarea/);
    await page.keyboard.type('Delivery costs more than the mug');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('button:Send');
    expect(await scanA11y(page)).toEqual([]);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() =>
      document.querySelector('[data-touchpoint="feedback-prompt"]')?.shadowRoot?.querySelector('[role="status"]'),
    );
    expect(await scanA11y(page)).toEqual([]);
    await page.keyboard.press('Escape');
    expect(await focused(page)).toBe('button:remove');
    await waitFor(() => feedbacks().length === 1, 'the answer at the ingest', 20_000);
    expect(feedbacks()[0]).toMatchObject({
      userId: 'cust-42',
      feedback: {
        kind: 'text',
        comment: 'Delivery costs more than the mug',
        tags: ['shipping_cost'],
        touchpoint: 'cart.abandoned',
      },
      properties: { survey: 'why-cart', followUp: true },
    });
    expect(await page.evaluate(() => violations)).toEqual([]);
  });

  it('the feedback tab, in Vietnamese, answered by keyboard, with no accessibility violation', {
    timeout: LONG,
  }, async () => {
    const page = await open('/cart-vi.html');
    expect(await scanA11y(page)).toEqual([]);
    for (let i = 0; i < 6 && (await focused(page)) !== 'button:Góp ý'; i++) await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('button:Góp ý');
    await page.keyboard.press('Enter');
    await promptOpen(page);
    await waitFor(async () => (await focused(page)) === 'radio:Sản phẩm', 'focus on the first topic', 5000);
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
    expect(await focused(page)).toBe('radio:Giao hàng');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('radio:1 trên 5');
    await page.keyboard.press('ArrowRight');
    expect(await focused(page)).toBe('radio:2 trên 5');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Giao hàng chậm');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('button:Gửi');
    expect(await scanA11y(page)).toEqual([]);
    await page.keyboard.press('Enter');
    await page.keyboard.press('Escape');
    expect(await focused(page)).toBe('button:Góp ý');
    await waitFor(() => feedbacks().length === 1, 'the answer at the ingest', 20_000);
    expect(feedbacks()[0]).toMatchObject({
      feedback: { kind: 'rating', score: 2, comment: 'Giao hàng chậm', touchpoint: 'order.delivered' },
      properties: { survey: 'feedback-tab' },
    });
    expect(await page.evaluate(() => violations)).toEqual([]);
  });
  it('a survey the server queued (an order delivered) shows on the next page view, from the ingest answer', {
    timeout: LONG,
  }, async () => {
    // The ingest answers the batch carrying a page view with a pending prompt, as
    // createIngestHandler({ prompts: surveys.prompts }) does; only once, like the server's queue.
    let pending = true;
    server.mode = (batch) => {
      if (!pending || !batch.events.some((e) => e.type === 'page')) return undefined;
      pending = false;
      const prompts = [
        {
          survey: 'after-order',
          kind: 'csat',
          question: { en: 'How satisfied are you with your delivery?', vi: 'Bạn hài lòng với việc giao hàng thế nào?' },
          about: 'order.delivered',
          properties: { orderId: 'A-1042' },
        },
      ];
      return { status: 200, body: { accepted: batch.events.length, rejected: [], duplicates: 0, prompts } };
    };
    const page = await open();
    await promptOpen(page);
    expect(
      await page.evaluate(
        () =>
          document.querySelector('[data-touchpoint="feedback-prompt"]')!.shadowRoot!.querySelector('h2')!.textContent,
      ),
    ).toBe('How satisfied are you with your delivery?');
    await waitFor(async () => (await focused(page)) === 'radio:1 out of 5', 'focus on the first score', 5000);
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('button:Send');
    expect(await scanA11y(page)).toEqual([]);
    await page.keyboard.press('Enter');
    await waitFor(() => feedbacks().length === 1, 'the answer at the ingest', 20_000);
    expect(feedbacks()[0]).toMatchObject({
      userId: 'cust-42',
      feedback: { kind: 'csat', score: 4, touchpoint: 'order.delivered' },
      properties: { survey: 'after-order', orderId: 'A-1042' },
    });
    expect(await page.evaluate(() => violations)).toEqual([]);
  });
});
