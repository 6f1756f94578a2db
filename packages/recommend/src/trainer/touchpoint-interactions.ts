/**
 * Turns forwarded touchpoints into recommender interactions: product views, cart adds and
 * completed orders of the commerce catalog, keyed to the customer (user id, else anonymous id)
 * and grouped into baskets by session — so what someone looked at, added and bought in one visit
 * is learned as belonging together — falling back to the order id, the cart id, then the day.
 */
import type { JsonValue, TouchpointEvent } from '@touchpoint/core';
import type { Interaction, InteractionKind } from '../recommender/types.js';

/** Touchpoint name → interaction kind. Override with the trainer's `kinds` option. */
export const DEFAULT_TOUCHPOINT_KINDS: Readonly<Record<string, InteractionKind>> = {
  'product.viewed': 'view',
  'cart.item_added': 'cart',
  'order.completed': 'purchase',
};

/** Product ids of a commerce touchpoint: `properties.productId` and `properties.items[].productId`. */
export function productIds(properties: { [key: string]: JsonValue } | undefined): string[] {
  if (!properties) return [];
  const out: string[] = [];
  const one = properties.productId;
  if (typeof one === 'string' && one) out.push(one);
  const items = properties.items;
  if (Array.isArray(items)) {
    for (const line of items) {
      if (line && typeof line === 'object' && !Array.isArray(line)) {
        const id = line.productId;
        if (typeof id === 'string' && id && !out.includes(id)) out.push(id);
      }
    }
  }
  return out;
}

/**
 * @example
 * interactionsFromEvents([{ type: 'track', event: 'cart.item_added', properties: { productId: 'tent' }, anonymousId: 'a1', sessionId: 's1', … }]);
 * // [{ subject: 'a1', item: 'tent', kind: 'cart', basketId: 'session:s1', timestamp: '…' }]
 */
export function interactionsFromEvents(
  events: readonly TouchpointEvent[],
  kinds: Readonly<Record<string, InteractionKind>> = DEFAULT_TOUCHPOINT_KINDS,
): Interaction[] {
  const out: Interaction[] = [];
  for (const event of events) {
    if (event.type !== 'track') continue;
    const kind = Object.hasOwn(kinds, event.event) ? kinds[event.event] : undefined;
    if (!kind) continue;
    const subject = event.userId || event.anonymousId;
    if (!subject) continue;
    const props = event.properties;
    const orderId = typeof props?.orderId === 'string' ? props.orderId : undefined;
    const cartId = typeof props?.cartId === 'string' ? props.cartId : undefined;
    // Without any of these, one basket per customer and day: a basket that grew forever would
    // cost more to update with every event.
    const basketId = event.sessionId
      ? `session:${event.sessionId}`
      : orderId
        ? `order:${orderId}`
        : cartId
          ? `cart:${cartId}`
          : `day:${subject}:${String(event.timestamp).slice(0, 10)}`;
    for (const item of productIds(props)) out.push({ subject, item, kind, timestamp: event.timestamp, basketId });
  }
  return out;
}
