import { describe, expect, it } from 'vitest';
import { feedback, page, track } from '../../test/fixtures.js';
import { emptyState, isCustomerState, itemsOf, recordEvent, recordOffer } from './state.js';

const T0 = Date.parse('2026-11-23T12:00:00Z');

describe('recordEvent', () => {
  it('follows the cart, orders and views', () => {
    let s = emptyState();
    s = recordEvent(s, track('product.viewed', { productId: 'tent' }, T0));
    s = recordEvent(s, track('cart.item_added', { productId: 'tent' }, T0 + 1));
    s = recordEvent(s, track('cart.item_added', { productId: 'stove' }, T0 + 2));
    s = recordEvent(s, track('cart.item_removed', { productId: 'stove' }, T0 + 3));
    expect(s.cart).toEqual(['tent']);
    expect(s.viewed).toEqual(['tent']);
    s = recordEvent(s, track('order.completed', { orderId: 'o1', total: 100 }, T0 + 4));
    expect(s.cart).toEqual([]);
    expect(s.purchased).toEqual(['tent']);
    s = recordEvent(
      s,
      track('order.completed', { orderId: 'o2', total: 10, items: [{ productId: 'pot', quantity: 1 }] }, T0 + 5),
    );
    expect(s.purchased).toEqual(['tent', 'pot']);
    expect(s.updatedAt).toBe(T0 + 5);
  });

  it('counts engagement per session and starts over in a new one', () => {
    let s = emptyState();
    s = recordEvent(s, page(T0));
    s = recordEvent(s, track('product.viewed', { productId: 'a' }, T0 + 1000));
    expect(s.session).toEqual({ id: 's1', startedAt: T0, lastAt: T0 + 1000, events: 2, pageViews: 1, productViews: 1 });
    s = recordEvent(s, page(T0 + 5000, { sessionId: 's2' }));
    expect(s.session).toEqual({
      id: 's2',
      startedAt: T0 + 5000,
      lastAt: T0 + 5000,
      events: 1,
      pageViews: 1,
      productViews: 0,
    });
  });

  it('keeps feedback with core’s sentiment and the customer’s time zone', () => {
    let s = recordEvent(emptyState(), feedback('nps', 3, T0));
    s = recordEvent(s, page(T0, { context: { timezone: 'Asia/Tokyo' } } as never));
    expect(s.feedback).toEqual([{ at: T0, kind: 'nps', score: 3, sentiment: 'negative' }]);
    expect(s.timeZone).toBe('Asia/Tokyo');
  });

  it('opens and closes support cases, with or without a case id', () => {
    let s = recordEvent(emptyState(), track('support.contacted', { caseId: 'c1' }, T0));
    s = recordEvent(s, track('support.contacted', { topic: 'where is my order' }, T0 + 1));
    expect(s.supportCases.map((c) => c.closedAt)).toEqual([undefined, undefined]);
    s = recordEvent(s, track('support.case_closed', { caseId: 'c1' }, T0 + 2));
    s = recordEvent(s, track('support.case_closed', { caseId: 'zendesk-9' }, T0 + 3));
    expect(s.supportCases.map((c) => c.closedAt)).toEqual([T0 + 2, T0 + 3]);
  });

  it('records offer touchpoints once, whether recorded directly or echoed by the tracker', () => {
    const offer = { id: 'o1', kind: 'upsell' as const, item: 'pot', trigger: 'cart.item_added' };
    let s = recordOffer(emptyState(), 'shown', offer, T0, 's1');
    s = recordEvent(s, track('offer.shown', { offerId: 'o1', item: 'pot', kind: 'upsell' }, T0));
    expect(s.offers).toHaveLength(1);
    s = recordEvent(s, track('offer.dismissed', { offerId: 'o1', item: 'pot', kind: 'upsell' }, T0 + 10));
    s = recordOffer(s, 'dismissed', offer, T0 + 20);
    expect(s.offers[0]).toMatchObject({ outcome: 'dismissed', outcomeAt: T0 + 10 });
    expect(s.declined).toEqual({ pot: T0 + 10 });
    // Offer touchpoints are not the customer engaging.
    expect(s.session?.events).toBe(0);
  });

  it('never mutates its input and stays bounded', () => {
    const start = emptyState();
    const frozen = JSON.stringify(start);
    let s = start;
    for (let i = 0; i < 500; i++) s = recordEvent(s, track('product.viewed', { productId: `p${i}` }, T0 + i));
    for (let i = 0; i < 50; i++) s = recordEvent(s, feedback('csat', 5, T0 + i));
    expect(JSON.stringify(start)).toBe(frozen);
    expect(s.viewed).toHaveLength(20);
    expect(s.viewed.at(-1)).toBe('p499');
    expect(s.feedback).toHaveLength(10);
    expect(isCustomerState(JSON.parse(JSON.stringify(s)))).toBe(true);
    expect(isCustomerState({ v: 2 })).toBe(false);
  });
});

describe('itemsOf', () => {
  it('reads the product ids a touchpoint is about', () => {
    expect(
      itemsOf({
        productId: 'a',
        items: [
          { productId: 'b', quantity: 1 },
          { productId: 'a', quantity: 1 },
        ],
        productIds: ['c'],
      }),
    ).toEqual(['a', 'c', 'b']);
    expect(itemsOf({ productId: 7 })).toEqual([]);
    expect(itemsOf(undefined)).toEqual([]);
  });
});
