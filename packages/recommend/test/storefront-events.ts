/**
 * Touchpoints as a storefront's tracker sends them (commerce catalog names and properties), for
 * feeding the trainer the way the forwarder does.
 */
import type { TouchpointEvent } from '@touchpoint/core';

let counter = 0;
const T0 = Date.parse('2026-11-22T09:00:00Z');

export function track(
  event: string,
  properties: Record<string, unknown>,
  ids: { anonymousId: string; userId?: string; sessionId?: string },
): TouchpointEvent {
  counter++;
  return {
    type: 'track',
    event,
    properties: properties as never,
    messageId: `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
    timestamp: new Date(T0 + counter * 1000).toISOString(),
    ...ids,
  };
}

/** One visit: views, cart adds, then an order with the cart's lines. */
export function visit(
  session: string,
  who: { anonymousId: string; userId?: string },
  viewed: string[],
  bought: string[],
): TouchpointEvent[] {
  const ids = { ...who, sessionId: session };
  return [
    ...viewed.map((productId) => track('product.viewed', { productId }, ids)),
    ...bought.map((productId) => track('cart.item_added', { productId, quantity: 1 }, ids)),
    track(
      'order.completed',
      {
        orderId: `o-${session}`,
        total: 10 * bought.length,
        items: bought.map((productId) => ({ productId, quantity: 1 })),
      },
      ids,
    ),
  ];
}
