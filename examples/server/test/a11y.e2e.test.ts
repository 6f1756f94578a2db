/**
 * The accessibility scan over everything a shopper sees from Touchpoint, in Chromium, with axe-core
 * (WCAG 2.1 A and AA, `test-support/axe.ts`): the feedback widget, a survey and the feedback tab
 * (`@touchpoint/browser`), the offer card of `@touchpoint/recommend/ui` in English and Vietnamese —
 * each on a page served under a strict Content-Security-Policy — and the demo itself: the
 * storefront's pages and the CX dashboard with answers in every panel. Every scan must find nothing.
 */
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AxeFinding, scanA11y } from '../../../test-support/axe.js';
import { launchChromium, skipWithoutChromium } from '../../../test-support/chromium.js';

const root = resolve(import.meta.dirname, '..', '..', '..');
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'";

// Every component a shopper can meet, one scenario per `?show=`; served as a file under the CSP.
const COMPONENTS_JS = `
import { showFeedbackPrompt } from '@touchpoint/browser/widget';
import { startSurveys } from '@touchpoint/browser/surveys';
import { renderOfferCard } from '@touchpoint/recommend/ui';
const q = new URLSearchParams(location.search);
const vi = document.documentElement.lang === 'vi';
const recorder = { feedback: () => ({ ok: true, messageId: 'm' }), track: () => ({ ok: true, messageId: 'm' }), on: () => () => {}, getIds: () => ({ anonymousId: 'a', userId: 'cust-1' }) };
const noop = { accept() {}, dismiss() {} };
const scenarios = {
  'widget-nps': () => showFeedbackPrompt(recorder, { kind: 'nps', touchpoint: 'order.completed', locale: vi ? 'vi' : 'en', askAgainAfterDays: 0 }),
  'widget-rating': () => showFeedbackPrompt(recorder, { kind: 'rating', scale: 5, locale: vi ? 'vi' : 'en', askAgainAfterDays: 0 }),
  survey: () => startSurveys(recorder, { capDays: 0, delayMs: 0 }).show({
    survey: 'why-cart', kind: 'multiple', question: { en: 'Why did you remove it?', vi: 'Vì sao bạn bỏ sản phẩm?' },
    options: [{ id: 'too_expensive', label: { en: 'Too expensive', vi: 'Quá đắt' } }, { id: 'shipping_cost', label: { en: 'Shipping costs', vi: 'Phí giao hàng' } }],
    about: 'cart.abandoned',
  }),
  tab: () => startSurveys(recorder, { capDays: 0 }).openFeedback(),
  'offer-upsell': () => renderOfferCard(
    { id: 'o1', kind: 'upsell', item: 'tent-pegs', title: vi ? 'Cọc lều thép' : 'Steel tent pegs', adds: vi ? 'Giữ lều chắc khi có gió.' : 'Holds your tent down in wind.', price: vi ? { value: 99000, currency: 'VND' } : { value: 9.9, currency: 'EUR' }, because: ['tent'], trigger: 'cart.item_added' },
    noop,
    vi ? { labels: { upsell: 'Hợp với đơn hàng của bạn', accept: 'Thêm vào giỏ', dismiss: 'Không, cảm ơn' } } : {},
  ),
  'offer-recovery': () => renderOfferCard(
    { id: 'o2', kind: 'recovery', item: 'sorry-10', title: vi ? 'Giảm 10% cho đơn tới' : '10% off your next order', adds: vi ? 'Xin lỗi vì sự cố.' : 'Sorry about the trouble.', code: 'SORRY10', because: [], trigger: 'feedback' },
    noop,
    vi ? { labels: { recovery: 'Chúng tôi rất tiếc về trải nghiệm của bạn', accept: 'Nhận ưu đãi', dismiss: 'Không, cảm ơn', code: 'Mã của bạn:' } } : {},
  ),
};
scenarios[q.get('show')]();
`;
const page = (lang: string) =>
  `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>Shop</title><script type="module" src="/components.js"></script></head><body><main><h1>Shop</h1><button type="button">Checkout</button></main></body></html>`;

async function serveComponents(): Promise<{ server: Server; url: string }> {
  const bundle = await build({
    stdin: { contents: COMPONENTS_JS, resolveDir: join(root, 'examples', 'storefront'), loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
    logOverride: { 'ignored-bare-import': 'silent' },
    alias: {
      '@touchpoint/browser/widget': join(root, 'packages/browser/dist/widget/index.js'),
      '@touchpoint/browser/surveys': join(root, 'packages/browser/dist/surveys/index.js'),
      '@touchpoint/recommend/ui': join(root, 'packages/recommend/dist/ui/index.js'),
    },
  });
  const js = bundle.outputFiles[0]!.text;
  const server = createServer((req, res) => {
    if (req.url === '/components.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
    const lang = new URL(req.url ?? '/', 'http://x').searchParams.get('lang') ?? 'en';
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': CSP }).end(page(lang));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Answers for every score row of the dashboard (NPS and CSAT on five touchpoints). */
function seedFeedback(): object[] {
  const at = new Date().toISOString();
  const answers: [string, string, number][] = [
    ['nps', 'order.completed', 9],
    ['nps', 'order.completed', 3],
    ['csat', 'support.contacted', 2],
    ['csat', 'order.delivered', 5],
    ['nps', 'checkout.completed', 7],
    ['csat', 'product.viewed', 4],
  ];
  const id = (i: number) => `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`;
  const feedback = answers.map(([kind, touchpoint, score], i) => ({
    type: 'feedback',
    messageId: id(i),
    timestamp: at,
    anonymousId: `anon-${i}`,
    feedback: { kind, score, touchpoint, comment: 'seeded by the accessibility scan' },
  }));
  // Two sessions, one ordering and one leaving, for the journey, funnel and order panels.
  const steps: [string, string, object][] = [
    ['s-1', 'product.viewed', { productId: 'yogurt' }],
    ['s-1', 'cart.item_added', { productId: 'yogurt', quantity: 1 }],
    ['s-1', 'checkout.started', {}],
    ['s-1', 'order.completed', { orderId: 'A-1', total: 12.5 }],
    ['s-2', 'product.viewed', { productId: 'milk' }],
    ['s-2', 'cart.item_added', { productId: 'milk', quantity: 2 }],
  ];
  const journeys = steps.map(([sessionId, event, properties], i) => ({
    type: 'track',
    messageId: id(100 + i),
    timestamp: at,
    anonymousId: `anon-${sessionId}`,
    sessionId,
    event,
    properties,
  }));
  return [...journeys, ...feedback];
}

/**
 * The storefront as build.mjs builds it, into `dir`: its own folder, so this suite and the journey
 * test (which runs build.mjs into examples/storefront/dist) never rebuild each other's files.
 */
async function buildStorefront(dir: string): Promise<string> {
  const storefront = join(root, 'examples', 'storefront');
  await mkdir(join(dir, 'assets'), { recursive: true });
  await build({
    entryPoints: { app: join(storefront, 'src', 'main.ts') },
    outdir: join(dir, 'assets'),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    chunkNames: 'chunk-[hash]',
    logLevel: 'silent',
    logOverride: { 'ignored-bare-import': 'silent' },
  });
  await copyFile(join(storefront, 'public', 'index.html'), join(dir, 'index.html'));
  await copyFile(join(storefront, 'public', 'styles.css'), join(dir, 'assets', 'styles.css'));
  return dir;
}

const summary = (findings: AxeFinding[]) =>
  findings.map((f) => `${f.impact} ${f.id}: ${f.help}\n  ${f.nodes.join('\n  ')}`);

describe.skipIf(skipWithoutChromium('the accessibility scan'))(
  'accessibility: everything a shopper sees (axe, WCAG 2.1 A/AA)',
  () => {
    let browser: Browser;
    let context: BrowserContext;
    let components: { server: Server; url: string };

    beforeAll(async () => {
      components = await serveComponents();
      browser = await launchChromium();
      context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    });
    afterAll(async () => {
      await browser?.close();
      if (components) await new Promise((r) => components.server.close(r));
    });

    async function scan(url: string, ready: (page: Page) => Promise<unknown>): Promise<string[]> {
      const page = await context.newPage();
      try {
        await page.goto(url);
        await ready(page);
        return summary(await scanA11y(page));
      } finally {
        await page.close();
      }
    }
    const shadowHas = (selector: string, inner: string) => (page: Page) =>
      page.waitForFunction(([s, i]) => document.querySelector(s!)?.shadowRoot?.querySelector(i!), [selector, inner]);
    const prompt = shadowHas('[data-touchpoint="feedback-prompt"]', 'h2');

    for (const lang of ['en', 'vi']) {
      it(`the feedback widget, a survey and the feedback tab (${lang})`, async () => {
        for (const show of ['widget-nps', 'widget-rating', 'survey', 'tab']) {
          const found = await scan(`${components.url}/?show=${show}&lang=${lang}`, prompt);
          expect({ show, found }).toEqual({ show, found: [] });
        }
      });
      it(`the offer card of @touchpoint/recommend/ui (${lang})`, async () => {
        for (const kind of ['upsell', 'recovery']) {
          const ready = shadowHas(`[data-touchpoint-offer="${kind}"]`, 'button');
          const found = await scan(`${components.url}/?show=offer-${kind}&lang=${lang}`, ready);
          expect({ kind, found }).toEqual({ kind, found: [] });
        }
      });
    }

    it('the answer page behind a signed survey link (en, vi), before and after answering', async () => {
      const { createSurveyAnswerHandler, createSurveyLink, defineSurveys } = await import('@touchpoint/node/surveys');
      const { toNodeHandler } = await import('@touchpoint/node');
      const secret = 'an-a11y-test-secret-of-32-characters!';
      const surveys = defineSurveys({
        'after-case': {
          kind: 'csat',
          question: { en: 'How did we handle your request?', vi: 'Chúng tôi xử lý yêu cầu của bạn thế nào?' },
          trigger: { serverEvent: 'case.resolved' },
        },
        'why-cancel': {
          kind: 'multiple',
          question: { en: 'Why did you cancel?', vi: 'Vì sao bạn huỷ?' },
          options: [
            { id: 'late', label: { en: 'It was late', vi: 'Giao trễ' } },
            { id: 'price', label: { en: 'The price', vi: 'Giá' } },
          ],
          trigger: { serverEvent: 'order.cancelled' },
        },
      });
      const answers = createSurveyAnswerHandler({ surveys, secret, forwarder: { feedback: () => true } });
      const server = createServer(toNodeHandler(answers));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/s`;
      try {
        for (const [survey, lang] of [
          ['after-case', 'en'],
          ['after-case', 'vi'],
          ['why-cancel', 'en'],
        ] as const) {
          const url = `${createSurveyLink({ baseUrl: base, secret, survey, identity: { userId: 'cust-1' } })}&lang=${lang}`;
          const page = await context.newPage();
          await page.goto(url);
          expect({ survey, lang, found: summary(await scanA11y(page)) }).toEqual({ survey, lang, found: [] });
          await page.locator('input').first().check();
          await page.locator('button[type="submit"]').click();
          await page.waitForSelector('[role="status"]');
          expect({ survey, lang, after: summary(await scanA11y(page)) }).toEqual({ survey, lang, after: [] });
          await page.close();
        }
      } finally {
        await new Promise((r) => server.close(r));
      }
    });

    describe('the demo', () => {
      // Loaded here, so the component scans above run even while the demo does not build.
      let demo: Awaited<ReturnType<typeof import('../src/demo-server.js').startDemoServer>>;
      let ingest = { path: '', key: '' };
      let dataDir: string;
      beforeAll(async () => {
        const { DEMO_WRITE_KEY, INGEST_PATH, startDemoServer } = await import('../src/demo-server.js');
        ingest = { path: INGEST_PATH, key: DEMO_WRITE_KEY };
        dataDir = await mkdtemp(join(tmpdir(), 'touchpoint-a11y-'));
        demo = await startDemoServer({
          port: 0,
          dataDir,
          storefrontDir: await buildStorefront(join(dataDir, 'storefront')),
          seedPath: join(root, 'examples/server/seed/groceries-top40.csv'),
          log: () => {},
        });
      });
      afterAll(async () => {
        await demo?.close();
        if (dataDir) await rm(dataDir, { recursive: true, force: true });
      });

      it("the storefront's pages", async () => {
        for (const path of ['/', '/products/yogurt', '/cart', '/checkout', '/support', '/nowhere']) {
          // The page, and the feedback tab the shop's surveys add once loaded.
          const found = await scan(`${demo.url}${path}`, (p) =>
            p.waitForFunction(
              () => document.querySelector('main h1') && document.querySelector('[data-touchpoint="feedback-tab"]'),
            ),
          );
          expect({ path, found }).toEqual({ path, found: [] });
        }
      });

      it('the dashboard, with answers in every panel', async () => {
        const response = await fetch(`${demo.url}${ingest.path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${ingest.key}` },
          body: JSON.stringify({ batch: seedFeedback(), sentAt: new Date().toISOString() }),
        });
        expect(response.status).toBe(200);
        const found = await scan(`${demo.url}/dashboard`, (p) =>
          p.waitForFunction(() => document.querySelectorAll('#scores tbody tr').length >= 5, undefined, {
            timeout: 30_000,
          }),
        );
        expect(found).toEqual([]);
      });
    });
  },
);
