/**
 * The shop's entry point: routes, renders pages, and records the journey with the tracker — page
 * views (automatic, on every navigation), product views, cart changes, checkout, the order, the
 * NPS prompt after it, support contacts, and the offers `connectUpsell` decides to show.
 */
import { createTracker, type Tracker } from '@touchpoint/browser';
import { type CommerceTouchpoints, commerceTouchpoints, createMessageId } from '@touchpoint/core';
import type { ModelLoader } from '@touchpoint/recommend/model-loader';
import { type Cart, openCart } from './cart.js';
import { showConsentBanner, storedConsent } from './consent-banner.js';
import { askAboutOrder, askAboutSupport } from './feedback.js';
import { CURRENCY, findProduct, formatPrice, products } from './products.js';
import { parseRoute, type Route, routeTitle } from './router.js';
import { startShopSurveys } from './surveys.js';
import { loadShopRecommender, startUpsell } from './upsell.js';
import {
  cartPage,
  checkoutPage,
  homePage,
  notFoundPage,
  orderPage,
  type PlacedOrder,
  productPage,
  relatedProducts,
  supportPage,
} from './views.js';

/** Browser write keys are public: they say which source sent a batch, not who may read data. */
const WRITE_KEY = 'pk_demo_storefront';
const ORDER_KEY = 'demo-shop.order.';

interface Shop {
  tp: Tracker<CommerceTouchpoints>;
  cart: Cart;
  recommender: ModelLoader;
  category: string | undefined;
  /** Set when this page view follows placing the order, so the prompt is not shown on reloads. */
  justOrdered: string | undefined;
  supportSent: boolean;
}

function $(id: string): HTMLElement {
  return document.getElementById(id)!;
}

let toastTimer: ReturnType<typeof setTimeout> | undefined;
function toast(message: string): void {
  const el = $('toast');
  el.textContent = message;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    el.hidden = true;
  }, 3500);
}

function updateCartBadge(shop: Shop): void {
  $('cart-count').textContent = String(shop.cart.count());
}

/** A stable, non-reversible customer id for an email (FNV-1a); a real shop has account ids. */
function customerIdFor(email: string): string {
  let h = 0x811c9dc5;
  for (const ch of email.trim().toLowerCase()) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return `cust-${h.toString(16).padStart(8, '0')}`;
}

function lineItems(cart: Cart) {
  return cart.lines().map((l) => ({ productId: l.product.id, quantity: l.quantity, price: l.product.price }));
}

function render(shop: Shop, route: Route): void {
  const app = $('app');
  const { tp, cart } = shop;
  switch (route.name) {
    case 'home':
      app.innerHTML = homePage(products, shop.category);
      break;
    case 'product': {
      const p = findProduct(route.productId);
      if (!p) {
        app.innerHTML = notFoundPage();
        break;
      }
      const together = () =>
        shop.recommender
          .recommend({ items: [p.id], k: 4 })
          .map((r) => findProduct(r.item))
          .filter((x) => x !== undefined);
      app.innerHTML = productPage(p, together());
      if (!shop.recommender.current()) {
        // The model is still on its way (or consent is missing): fill the suggestions in when it lands.
        void shop.recommender.load().then(() => {
          const slot = document.getElementById('related');
          if (slot && location.pathname === `/products/${p.id}`) slot.innerHTML = relatedProducts(together());
        });
      }
      tp.track('product.viewed', {
        productId: p.id,
        name: p.name,
        category: p.category,
        price: p.price,
        currency: CURRENCY,
      });
      break;
    }
    case 'cart':
      app.innerHTML = cartPage(cart.lines(), cart.total());
      break;
    case 'checkout':
      app.innerHTML = checkoutPage(cart.lines(), cart.total());
      if (cart.count() > 0) {
        tp.track('checkout.started', {
          cartId: cart.id,
          total: cart.total(),
          currency: CURRENCY,
          items: lineItems(cart),
        });
      }
      break;
    case 'order': {
      const order = readOrder(route.orderId);
      app.innerHTML = orderPage(order, route.orderId);
      if (order && shop.justOrdered === route.orderId) askAboutOrder(tp, order.orderId);
      shop.justOrdered = undefined;
      break;
    }
    case 'support':
      app.innerHTML = supportPage(shop.supportSent);
      shop.supportSent = false;
      break;
    default:
      app.innerHTML = notFoundPage();
  }
}

function readOrder(orderId: string): PlacedOrder | undefined {
  try {
    return JSON.parse(sessionStorage.getItem(ORDER_KEY + orderId) ?? 'null') ?? undefined;
  } catch {
    return undefined;
  }
}

function navigate(shop: Shop, path: string, replace = false): void {
  const route = parseRoute(path);
  const productName = route.name === 'product' ? findProduct(route.productId)?.name : undefined;
  // Title first: the tracker's page view reads it when the URL changes.
  document.title = routeTitle(route, productName);
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  render(shop, route);
  window.scrollTo(0, 0);
  $('app').focus({ preventScroll: true });
}

function addToCart(shop: Shop, productId: string, quantity: number, via?: string): void {
  const line = shop.cart.add(productId, quantity);
  if (!line) return;
  const p = line.product;
  shop.tp.track('cart.item_added', {
    productId: p.id,
    name: p.name,
    category: p.category,
    price: p.price,
    currency: CURRENCY,
    quantity,
    cartId: shop.cart.id,
  });
  updateCartBadge(shop);
  toast(`${via === 'offer' ? 'Added from our suggestion: ' : 'Added '}${p.name} — ${formatPrice(p.price * quantity)}`);
}

function placeOrder(shop: Shop, form: HTMLFormElement): void {
  const { tp, cart } = shop;
  const data = new FormData(form);
  const email = String(data.get('email') ?? '');
  const method = String(data.get('method') ?? 'card');
  const total = cart.total();
  const orderId = `A-${Math.floor(100000 + Math.random() * 900000)}`;
  tp.track('payment.submitted', { method, total, currency: CURRENCY });
  tp.identify(customerIdFor(email), { city: String(data.get('city') ?? '') }, [{ type: 'email', value: email }]);
  tp.track('order.completed', { orderId, total, currency: CURRENCY, items: lineItems(cart) });
  const order: PlacedOrder = {
    orderId,
    total,
    email,
    lines: cart.lines().map((l) => ({
      productId: l.product.id,
      name: l.product.name,
      quantity: l.quantity,
      price: l.product.price,
    })),
  };
  sessionStorage.setItem(ORDER_KEY + orderId, JSON.stringify(order));
  cart.clear();
  updateCartBadge(shop);
  shop.justOrdered = orderId;
  navigate(shop, `/orders/${orderId}`);
}

function contactSupport(shop: Shop, form: HTMLFormElement): void {
  const data = new FormData(form);
  const orderId = String(data.get('orderId') ?? '').trim();
  const phone = String(data.get('phone') ?? '').trim();
  const topic = String(data.get('topic') ?? 'other');
  const caseId = `C-${Math.floor(1000 + Math.random() * 9000)}`;
  shop.tp.track('support.contacted', { topic, caseId, ...(orderId ? { orderId } : {}) });
  // Opens (or, for a customer with an open case, joins) the case the hotline and chat agents see too;
  // the phone number links this browser to the customer's other channels. Case events are not in
  // the commerce catalog, hence the untyped tracker.
  (shop.tp as unknown as Tracker).track('case.opened', {
    caseId,
    channel: 'web',
    topic,
    text: String(data.get('message') ?? '').slice(0, 2000),
    ...(orderId ? { orderId } : {}),
    ...(phone ? { identities: [{ type: 'phone', value: phone }] } : {}),
  });
  shop.supportSent = true;
  navigate(shop, '/support', true);
  askAboutSupport(shop.tp);
}

function wire(shop: Shop): void {
  document.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
    const target = e.target as HTMLElement;
    const action = target.closest<HTMLElement>('[data-action]');
    if (action && action.tagName !== 'FORM') {
      const id = action.dataset.productId;
      switch (action.dataset.action) {
        case 'add-to-cart':
          if (id) addToCart(shop, id, 1);
          return;
        case 'remove-from-cart':
          if (id && shop.cart.remove(id)) {
            shop.tp.track('cart.item_removed', { productId: id, cartId: shop.cart.id });
            updateCartBadge(shop);
            render(shop, parseRoute(location.pathname));
          }
          return;
        case 'filter':
          shop.category = action.dataset.category || undefined;
          render(shop, { name: 'home' });
          return;
        case 'privacy-settings':
          void showConsentBanner(document, localStorage, storedConsent(localStorage), (c) => shop.tp.setConsent(c));
          return;
      }
    }
    const link = target.closest('a');
    const href = link?.getAttribute('href');
    if (!link || !href?.startsWith('/') || link.target || href.startsWith('/dashboard')) return;
    e.preventDefault();
    navigate(shop, href);
  });
  document.addEventListener('submit', (e) => {
    const form = e.target as HTMLFormElement;
    e.preventDefault();
    switch (form.dataset.action) {
      case 'buy': {
        const quantity = Number(new FormData(form).get('quantity') ?? 1);
        if (form.dataset.productId) addToCart(shop, form.dataset.productId, quantity);
        return;
      }
      case 'place-order':
        placeOrder(shop, form);
        return;
      case 'contact-support':
        contactSupport(shop, form);
        return;
    }
  });
  window.addEventListener('popstate', () => render(shop, parseRoute(location.pathname)));
}

function boot(): void {
  const consent = storedConsent(localStorage);
  const tp = createTracker({
    endpoint: '/api/touchpoints',
    writeKey: WRITE_KEY,
    touchpoints: commerceTouchpoints,
    // Nothing leaves the browser before the customer chooses.
    consent: consent ?? 'pending',
    // The dashboard is live: send within a second rather than batching longer.
    batch: { maxWaitMs: 1000 },
  });
  const recommender = loadShopRecommender(tp, (e) => console.warn('[recommend]', e));
  const shop: Shop = {
    tp,
    cart: openCart(localStorage, createMessageId),
    recommender,
    category: undefined,
    justOrdered: undefined,
    supportSent: false,
  };
  startUpsell(tp, recommender, {
    onAccept(offer) {
      if (offer.kind === 'upsell') addToCart(shop, offer.item, 1, 'offer');
      else toast(`Voucher ${offer.code ?? ''} saved: €5 off your next order, and your delivery fee is refunded.`);
    },
    onError: (e) => console.warn('[upsell]', e),
  });
  tp.on('error', (e) => console.warn('[touchpoint]', e.code, e.message));
  startShopSurveys(tp);
  wire(shop);
  updateCartBadge(shop);
  const route = parseRoute(location.pathname);
  const productName = route.name === 'product' ? findProduct(route.productId)?.name : undefined;
  document.title = routeTitle(route, productName);
  render(shop, route);
  if (!consent) void showConsentBanner(document, localStorage, undefined, (c) => tp.setConsent(c));
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
else boot();
