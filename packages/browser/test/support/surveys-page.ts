/**
 * The surveys' real-browser fixture: the built tracker, widget and surveys bundled with esbuild
 * and served with a shop page under the same strict Content-Security-Policy as the tracker's
 * tests (`CSP` from browser-page.ts). Everything on the page is reachable by keyboard.
 */
import { CSP, serveDistBundles } from './browser-page.js';
import type { IngestServer } from './ingest-server.js';

// Served as a file, never inline: the page runs under a CSP without 'unsafe-inline'.
const SHOP_JS = `
import { createTracker } from '/assets/index.js';
import { startSurveys } from '/assets/surveys.js';
window.violations = [];
document.addEventListener('securitypolicyviolation', (e) => window.violations.push(e.violatedDirective + ' ' + e.blockedURI));
const tp = createTracker({ endpoint: '/ingest', writeKey: 'pk_e2e', name: 'surveys-e2e', batch: { maxEvents: 20, maxWaitMs: 50 }, retry: { baseMs: 100, maxMs: 400 } });
tp.identify('cust-42');
const surveys = {
  'why-cart': {
    kind: 'single',
    question: { en: 'Why did you remove it?', vi: 'Vì sao bạn bỏ sản phẩm?' },
    options: [
      { id: 'too_expensive', label: { en: 'Too expensive', vi: 'Quá đắt' } },
      { id: 'shipping_cost', label: { en: 'Shipping costs', vi: 'Phí giao hàng' } },
      { id: 'changed_mind', label: { en: 'Changed my mind', vi: 'Đổi ý' } },
    ],
    trigger: { touchpoint: 'cart.item_removed' },
    about: 'cart.abandoned',
    followUp: true,
  },
};
window.tp = tp;
window.surveys = startSurveys(tp, { surveys, capDays: 0, delayMs: 50, locale: document.documentElement.lang });
document.getElementById('remove').addEventListener('click', () => tp.track('cart.item_removed', { productId: 'mug-42' }));
window.ready = true;
`;

const page = (lang: string) =>
  `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>Cart</title><script type="module" src="/shop.js"></script></head>` +
  '<body><main><h1>Your cart</h1><p>Mug, 14 €</p><button id="remove" type="button">Remove item</button></main></body></html>';

/** Builds the bundles from `dist/` and registers `/cart.html` (and `/cart-vi.html`) on `server`. */
export async function serveSurveyPages(server: IngestServer): Promise<void> {
  await serveDistBundles(server, { index: 'dist/index.js', surveys: 'dist/surveys/index.js' });
  const headers = { 'Content-Security-Policy': CSP };
  server.pages.set('/shop.js', ['text/javascript', SHOP_JS]);
  server.pages.set('/cart.html', ['text/html', page('en'), headers]);
  server.pages.set('/cart-vi.html', ['text/html', page('vi'), headers]);
}
