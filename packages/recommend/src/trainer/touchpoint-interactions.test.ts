// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { track } from '../../test/storefront-events.js';
import { interactionsFromEvents } from './touchpoint-interactions.js';

describe('interactionsFromEvents', () => {
  it('reads views, cart adds and orders of the commerce catalog, grouped by session', () => {
    const ids = { anonymousId: 'anon-1', sessionId: 's-1' };
    const out = interactionsFromEvents([
      track('product.viewed', { productId: 'tent' }, ids),
      track('cart.item_added', { productId: 'pegs', quantity: 2 }, ids),
      track(
        'order.completed',
        {
          orderId: 'o-1',
          total: 99,
          items: [
            { productId: 'tent', quantity: 1 },
            { productId: 'pegs', quantity: 2 },
          ],
        },
        { ...ids, userId: 'u-1' },
      ),
      track('search.performed', { query: 'tent' }, ids),
      track('product.viewed', {}, ids),
    ]);
    expect(out.map(({ subject, item, kind, basketId }) => ({ subject, item, kind, basketId }))).toEqual([
      { subject: 'anon-1', item: 'tent', kind: 'view', basketId: 'session:s-1' },
      { subject: 'anon-1', item: 'pegs', kind: 'cart', basketId: 'session:s-1' },
      { subject: 'u-1', item: 'tent', kind: 'purchase', basketId: 'session:s-1' },
      { subject: 'u-1', item: 'pegs', kind: 'purchase', basketId: 'session:s-1' },
    ]);
    expect(out[0]!.timestamp).toMatch(/^2026-11-22T/);
  });

  it('falls back to the order id, then the cart id, then the customer and day, when there is no session', () => {
    const who = { anonymousId: 'a' };
    const out = interactionsFromEvents([
      track('order.completed', { orderId: 'o-9', total: 1, items: [{ productId: 'x', quantity: 1 }] }, who),
      track('cart.item_added', { productId: 'y', cartId: 'c-3' }, who),
      track('product.viewed', { productId: 'z' }, who),
    ]);
    expect(out.map((x) => x.basketId)).toEqual(['order:o-9', 'cart:c-3', 'day:a:2026-11-22']);
  });

  it('lets the shop map its own touchpoints', () => {
    const out = interactionsFromEvents([track('wishlist.added', { productId: 'w' }, { anonymousId: 'a' })], {
      'wishlist.added': 'cart',
    });
    expect(out).toMatchObject([{ item: 'w', kind: 'cart' }]);
  });
});
