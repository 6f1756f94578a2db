/**
 * Turns forwarded touchpoints into customer orders: every `order.completed` of a signed-in
 * customer (its `userId`; anonymous visits have no history worth timing) becomes one order,
 * keyed by `properties.orderId` so a redelivered event is merged, not counted twice.
 */
import type { TouchpointEvent } from '@touchpoint/core';
import { productIds } from '../trainer/touchpoint-interactions.js';
import type { CustomerOrder } from './types.js';

/**
 * @example
 * ordersFromEvents([{ type: 'track', event: 'order.completed', userId: 'u1', properties: { orderId: 'o-9', items: [{ productId: 'tea' }] }, … }]);
 * // [{ customer: 'u1', at: '…', items: ['tea'], orderId: 'o-9' }]
 */
export function ordersFromEvents(events: readonly TouchpointEvent[], orderEvent = 'order.completed'): CustomerOrder[] {
  const out: CustomerOrder[] = [];
  for (const event of events) {
    if (event.type !== 'track' || event.event !== orderEvent || !event.userId) continue;
    const items = productIds(event.properties);
    if (items.length === 0) continue;
    const orderId = event.properties?.orderId;
    const order: CustomerOrder = { customer: event.userId, at: event.timestamp, items };
    if (typeof orderId === 'string' && orderId) order.orderId = orderId;
    out.push(order);
  }
  return out;
}
