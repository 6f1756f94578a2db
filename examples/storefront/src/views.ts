/**
 * The shop's pages as HTML strings: pure functions of the data they show, so they render the same
 * in the browser and in tests. Interactive elements carry `data-action` attributes that `main.ts`
 * handles with one delegated listener.
 */

import { productArt } from './art.js';
import type { CartLine } from './cart.js';
import { esc } from './html.js';
import { formatPrice, type Product } from './products.js';

export interface PlacedOrder {
  orderId: string;
  total: number;
  lines: { productId: string; name: string; quantity: number; price: number }[];
  email: string;
}

/** The shop's logo mark: a basket. */
export const basket =
  '<svg viewBox="0 0 64 64" width="1em" height="1em" aria-hidden="true"><path d="M8 26 h48 l-6 28 h-36 z" fill="#f2b705"/><path d="M18 26 l10 -16 M46 26 l-10 -16" stroke="currentColor" stroke-width="4" stroke-linecap="round"/><path d="M22 34 v12 M32 34 v12 M42 34 v12" stroke="#8a5a00" stroke-width="3"/></svg>';

/** A product card; its heading sits one level under the section it is in (no skipped level). */
function productCard(p: Product, level: 2 | 3): string {
  return `<article class="card" data-product="${esc(p.id)}">
  <a class="card-art" href="/products/${esc(p.id)}" tabindex="-1">${productArt(p)}</a>
  <div class="card-body">
    <p class="card-category">${esc(p.category)}</p>
    <h${level} class="card-title"><a href="/products/${esc(p.id)}">${esc(p.name)}</a></h${level}>
    <p class="price">${formatPrice(p.price)}</p>
    <button type="button" class="button small" data-action="add-to-cart" data-product-id="${esc(p.id)}">Add to cart</button>
  </div>
</article>`;
}

/** The front page: a banner and the product grid, optionally filtered by category. */
export function homePage(products: readonly Product[], category?: string): string {
  const categories = [...new Set(products.map((p) => p.category))].sort();
  const shown = category ? products.filter((p) => p.category === category) : products;
  const chip = (c: string | undefined, label: string) =>
    `<button type="button" class="chip${c === category ? ' active' : ''}" data-action="filter" data-category="${esc(c ?? '')}">${esc(label)}</button>`;
  return `<section class="hero">
  <div>
    <h1>Fresh groceries, delivered today</h1>
    <p>Order by 2 pm for same-day delivery. Free delivery over €30.</p>
  </div>
  <span class="hero-art" aria-hidden="true">${basket}</span>
</section>
<nav class="chips" aria-label="Categories">${chip(undefined, 'All')}${categories.map((c) => chip(c, c)).join('')}</nav>
<section class="grid" aria-label="Products">${shown.map((p) => productCard(p, 2)).join('')}</section>`;
}

/** "Often bought together": empty until the recommender has suggestions. */
export function relatedProducts(together: readonly Product[]): string {
  return together.length === 0
    ? ''
    : `<h2>Often bought together</h2><div class="grid small">${together.map((p) => productCard(p, 3)).join('')}</div>`;
}

/** A product page, with "often bought together" suggestions when the recommender has some. */
export function productPage(p: Product, together: readonly Product[]): string {
  const options = [1, 2, 3, 4, 5, 6].map((n) => `<option value="${n}">${n}</option>`).join('');
  const related = `<section class="related" id="related">${relatedProducts(together)}</section>`;
  return `<nav class="crumbs"><a href="/">Shop</a> › ${esc(p.category)}</nav>
<section class="product">
  <div class="product-art">${productArt(p)}</div>
  <div class="product-info">
    <h1>${esc(p.name)}</h1>
    <p class="price large">${formatPrice(p.price)}</p>
    <p>${esc(p.blurb)}</p>
    <form class="buy" data-action="buy" data-product-id="${esc(p.id)}">
      <label>Quantity <select name="quantity">${options}</select></label>
      <button type="submit" class="button" id="add-to-cart">Add to cart</button>
    </form>
    <p class="muted">In stock · delivered today if you order by 2 pm</p>
  </div>
</section>
${related}`;
}

/** The cart with its lines, total and the way to checkout. */
export function cartPage(lines: readonly CartLine[], total: number): string {
  if (lines.length === 0) {
    return `<h1>Your cart</h1><p class="empty">Your cart is empty. <a href="/">Browse the shop</a>.</p>`;
  }
  const rows = lines
    .map(
      (l) => `<tr>
  <td class="line-art">${productArt(l.product)}</td>
  <td><a href="/products/${esc(l.product.id)}">${esc(l.product.name)}</a></td>
  <td class="num">${l.quantity}</td>
  <td class="num">${formatPrice(l.product.price * l.quantity)}</td>
  <td><button type="button" class="link" data-action="remove-from-cart" data-product-id="${esc(l.product.id)}">Remove</button></td>
</tr>`,
    )
    .join('');
  return `<h1>Your cart</h1>
<table class="cart-table">
  <thead><tr><th></th><th>Product</th><th class="num">Qty</th><th class="num">Price</th><th></th></tr></thead>
  <tbody>${rows}</tbody>
  <tfoot><tr><td></td><th>Total</th><td></td><td class="num" id="cart-total">${formatPrice(total)}</td><td></td></tr></tfoot>
</table>
<p class="actions"><a class="button secondary" href="/">Keep shopping</a> <a class="button" id="go-to-checkout" href="/checkout">Go to checkout</a></p>`;
}

/** The checkout form: contact, delivery and a (pretend) payment method. */
export function checkoutPage(lines: readonly CartLine[], total: number): string {
  if (lines.length === 0) return cartPage(lines, total);
  return `<h1>Checkout</h1>
<form class="checkout" data-action="place-order">
  <fieldset><legend>Contact</legend>
    <label>Full name <input name="name" required autocomplete="name" value="Ana Silva"></label>
    <label>Email <input name="email" type="email" required autocomplete="email" value="ana@example.com"></label>
  </fieldset>
  <fieldset><legend>Delivery</legend>
    <label>Address <input name="address" required autocomplete="street-address" value="12 Market Street"></label>
    <label>City <input name="city" required autocomplete="address-level2" value="Dublin"></label>
  </fieldset>
  <fieldset><legend>Payment</legend>
    <label class="inline"><input type="radio" name="method" value="card" checked> Card</label>
    <label class="inline"><input type="radio" name="method" value="paypal"> PayPal</label>
    <label class="inline"><input type="radio" name="method" value="invoice"> Invoice</label>
  </fieldset>
  <p class="summary">${lines.length} item${lines.length === 1 ? '' : 's'} · total <strong>${formatPrice(total)}</strong></p>
  <button type="submit" class="button" id="place-order">Place order</button>
  <p class="muted">This is a demo shop: no payment is taken and nothing is delivered.</p>
</form>`;
}

/** The order confirmation. The feedback prompt appears over it a moment later. */
export function orderPage(order: PlacedOrder | undefined, orderId: string): string {
  if (!order)
    return `<h1>Order ${esc(orderId)}</h1><p>We could not find the details of this order in this browser.</p>`;
  const items = order.lines.map((l) => `<li>${esc(l.name)} × ${l.quantity}</li>`).join('');
  return `<section class="confirmation">
  <p class="tick" aria-hidden="true"><svg viewBox="0 0 48 48" width="56" height="56"><circle cx="24" cy="24" r="22" fill="#2f7d4f"/><path d="M14 25 l7 7 l13 -15" fill="none" stroke="#fff" stroke-width="4" stroke-linecap="round" stroke-linejoin="round"/></svg></p>
  <h1>Thank you for your order!</h1>
  <p>Order <strong id="order-id">${esc(order.orderId)}</strong> is confirmed. A receipt is on its way to ${esc(order.email)}.</p>
  <ul class="order-lines">${items}</ul>
  <p>Total paid: <strong>${formatPrice(order.total)}</strong></p>
  <p><a class="button secondary" href="/">Back to the shop</a> <a class="button secondary" href="/support">Need help?</a></p>
</section>`;
}

/** Help & contact: a short FAQ and a contact form that opens a support conversation. */
export function supportPage(sent: boolean): string {
  const form = sent
    ? `<p class="notice" role="status" id="support-sent">Thanks — a member of our team will reply within a few hours.</p>`
    : `<form class="support" data-action="contact-support">
  <label>Topic <select name="topic">
    <option value="delivery">Delivery</option><option value="order">An order</option>
    <option value="product">A product</option><option value="other">Something else</option>
  </select></label>
  <label>Order number (optional) <input name="orderId" placeholder="A-1234"></label>
  <label>Phone (optional, so every channel you reach us on shares one story) <input name="phone" type="tel" autocomplete="tel" placeholder="0912 345 678"></label>
  <label>How can we help? <textarea name="message" rows="4" required></textarea></label>
  <button type="submit" class="button">Send</button>
</form>`;
  return `<h1>Help & contact</h1>
<div class="two-col">
  <section>
    <h2>Frequent questions</h2>
    <details><summary>When will my order arrive?</summary><p>Orders placed by 2 pm arrive the same day.</p></details>
    <details><summary>Can I return something?</summary><p>Yes, within 14 days, for a full refund.</p></details>
    <details><summary>Do you deliver on Sundays?</summary><p>Not yet — we are working on it.</p></details>
  </section>
  <section><h2>Contact us</h2>${form}</section>
</div>`;
}

export function notFoundPage(): string {
  return `<h1>Page not found</h1><p>That page does not exist. <a href="/">Back to the shop</a>.</p>`;
}
