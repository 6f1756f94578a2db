// @vitest-environment node
/**
 * The offer card in a real Chromium, on a page whose CSP forbids inline scripts and inline
 * styles: real keyboard input (Tab, Enter, Space, Escape), focus handling, styles applied
 * without a single CSP violation, and a hostile product title that stays text.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, skipWithoutChromium } from '../../../test-support/chromium.js';

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'none'";
const EVIL_TITLE = '<img src=x onerror="window.pwned=1">Steel tent pegs';

const APP = `
import { renderOfferCard } from './src/ui/index.ts';
window.log = [];
window.violations = [];
document.addEventListener('securitypolicyviolation', (e) => window.violations.push(e.violatedDirective));
const offer = { id: 'o1', kind: 'upsell', item: 'tent-pegs', title: ${JSON.stringify(EVIL_TITLE)}, adds: 'Holds your tent down in wind.', price: { value: 9.9, currency: 'EUR' }, because: ['tent'], trigger: 'cart.item_added' };
let card;
document.getElementById('open').addEventListener('click', () => {
  card = renderOfferCard(offer, {
    accept: () => { window.log.push('accept'); card.close(); },
    dismiss: () => { window.log.push('dismiss'); card.close(); },
  });
});
`;

const HTML =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title><script type="module" src="/app.js"></script></head><body><button id="open">Add tent to cart</button></body></html>';

describe.skipIf(skipWithoutChromium('the offer card Chromium tests'))(
  'offer card in Chromium under a strict CSP',
  () => {
    let server: Server;
    let browser: Browser;
    let page: Page;
    let origin: string;

    beforeAll(async () => {
      const bundle = await build({
        stdin: { contents: APP, resolveDir: fileURLToPath(new URL('..', import.meta.url)), loader: 'ts' },
        bundle: true,
        format: 'esm',
        write: false,
        logLevel: 'silent',
      });
      const js = bundle.outputFiles[0]!.text;
      server = createServer((req, res) => {
        if (req.url === '/app.js') {
          res.writeHead(200, { 'content-type': 'text/javascript' });
          res.end(js);
          return;
        }
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': CSP });
        res.end(HTML);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      browser = await launchChromium();
      page = await browser.newPage();
      await page.goto(`${origin}/`);
      await page.waitForFunction(() => Array.isArray((window as unknown as { log?: unknown }).log));
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await new Promise((resolve) => server?.close(resolve));
    });

    const focused = () =>
      page.evaluate(() => {
        const host = document.querySelector('[data-touchpoint-offer]');
        const inner = host?.shadowRoot?.activeElement;
        if (inner) return `card:${inner.getAttribute('role') ?? inner.textContent}`;
        return document.activeElement?.id ?? document.activeElement?.tagName;
      });
    const log = () => page.evaluate(() => (window as unknown as { log: string[] }).log.slice());

    async function openWithKeyboard() {
      await page.focus('#open');
      await page.keyboard.press('Enter');
      await page.waitForSelector('[data-touchpoint-offer]');
    }

    it('opens with focus on the dialog, styled, the hostile title shown as text', async () => {
      await openWithKeyboard();
      expect(await focused()).toBe('card:dialog');
      const seen = await page.evaluate(() => {
        const host = document.querySelector('[data-touchpoint-offer]')!;
        const root = host.shadowRoot!;
        return {
          title: root.querySelector('h2')?.textContent,
          images: root.querySelectorAll('img').length,
          position: getComputedStyle(host).position,
          buttonHeight: root.querySelector('button')!.getBoundingClientRect().height,
          name: root.querySelector('[role="dialog"]')!.getAttribute('aria-labelledby'),
        };
      });
      expect(seen.title).toBe(EVIL_TITLE);
      expect(seen.images).toBe(0);
      // Styles came through adoptedStyleSheets although style-src forbids inline styles.
      expect(seen.position).toBe('fixed');
      expect(seen.buttonHeight).toBeGreaterThanOrEqual(44);
      expect(seen.name).toBeTruthy();
      await page.keyboard.press('Escape');
      expect(await log()).toEqual(['dismiss']);
      expect(await page.$('[data-touchpoint-offer]')).toBeNull();
      expect(await focused()).toBe('open');
    });

    it('is fully usable with Tab, Enter and Space', async () => {
      await openWithKeyboard();
      await page.keyboard.press('Tab');
      expect(await focused()).toBe('card:Add to cart');
      await page.keyboard.press('Enter');
      expect((await log()).at(-1)).toBe('accept');
      expect(await focused()).toBe('open');

      await openWithKeyboard();
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      expect(await focused()).toBe('card:No thanks');
      await page.keyboard.press('Space');
      expect((await log()).at(-1)).toBe('dismiss');
      expect(await page.$('[data-touchpoint-offer]')).toBeNull();
    });

    it('ran no injected code and broke no CSP rule', async () => {
      const result = await page.evaluate(() => ({
        pwned: (window as unknown as { pwned?: number }).pwned,
        violations: (window as unknown as { violations: string[] }).violations,
      }));
      expect(result).toEqual({ pwned: undefined, violations: [] });
    });

    it('the CSP really is strict: an inline <style> is refused on this page', async () => {
      const applied = await page.evaluate(async () => {
        const style = document.createElement('style');
        style.textContent = '#open { position: fixed; }';
        document.head.append(style);
        await new Promise((r) => setTimeout(r, 50));
        return getComputedStyle(document.getElementById('open')!).position;
      });
      expect(applied).toBe('static');
      expect(await page.evaluate(() => (window as unknown as { violations: string[] }).violations)).toEqual([
        'style-src-elem',
      ]);
    });
  },
);
