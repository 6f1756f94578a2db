import type { FeedbackEvent, TouchpointEvent, TrackEvent } from '@touchpoint/core';
import { describe, expect, it } from 'vitest';
import { uuid } from '../../test/events.js';
import { rankWhatToFixFirst, wilsonInterval } from './fix-first.js';

const visit = (event: string): TrackEvent => ({
  type: 'track',
  messageId: uuid(),
  timestamp: '2026-11-30T00:00:00.000Z',
  anonymousId: 'a',
  event,
});
const answer = (touchpoint: string, score: number, extra: Partial<FeedbackEvent> = {}): FeedbackEvent => ({
  type: 'feedback',
  messageId: uuid(),
  timestamp: '2026-11-30T00:00:00.000Z',
  anonymousId: 'a',
  feedback: { kind: 'csat', score, touchpoint },
  ...extra,
});
const why = (touchpoint: string, reason: string): FeedbackEvent => ({
  ...answer(touchpoint, 0),
  feedback: { kind: 'text', comment: reason, tags: [reason], touchpoint },
  properties: { survey: 'why-cart', followUp: true },
});
const times = <T>(n: number, make: (i: number) => T) => Array.from({ length: n }, (_, i) => make(i));

describe('rankWhatToFixFirst', () => {
  it('ranks by volume × negative share with an interval, so three bad answers do not top the list', () => {
    const events: TouchpointEvent[] = [
      // Delivery: busy, one answer in five negative.
      ...times(1000, () => visit('order.delivered')),
      ...times(100, (i) => answer('order.delivered', i % 5 === 0 ? 1 : 5)),
      // Gift wrap: three answers, all negative, rarely used.
      ...times(3, () => visit('gift.wrapped')),
      ...times(3, () => answer('gift.wrapped', 1)),
      // Search: busy, rarely negative.
      ...times(2000, () => visit('search.performed')),
      ...times(200, (i) => answer('search.performed', i % 50 === 0 ? 2 : 4)),
      // Cart abandonment, with its "why?" reasons.
      ...times(300, () => visit('cart.abandoned')),
      ...times(30, (i) => why('cart.abandoned', i % 3 === 0 ? 'too_expensive' : 'shipping_cost')),
      ...times(20, () => answer('cart.abandoned', 4)),
    ];
    const rows = rankWhatToFixFirst(events);
    expect(rows.map((r) => r.touchpoint)).toEqual([
      'cart.abandoned',
      'order.delivered',
      'search.performed',
      'gift.wrapped',
    ]);
    const delivery = rows.find((r) => r.touchpoint === 'order.delivered')!;
    expect(delivery).toMatchObject({ volume: 1000, answers: 100, negative: 20, negativeShare: 0.2, impact: 200 });
    expect(delivery.shareInterval[0]).toBeCloseTo(0.1333, 3);
    expect(delivery.shareInterval[1]).toBeCloseTo(0.2888, 3);
    const gift = rows.at(-1)!;
    expect(gift).toMatchObject({ answers: 3, negative: 3, negativeShare: 1 });
    expect(gift.shareInterval[0]).toBeCloseTo(0.4385, 3);
    const cart = rows[0]!;
    expect(cart).toMatchObject({ answers: 50, negative: 30 });
    expect(cart.reasons).toEqual([
      { reason: 'shipping_cost', count: 20 },
      { reason: 'too_expensive', count: 10 },
    ]);
  });

  it('computes the Wilson interval', () => {
    expect(wilsonInterval(0, 0)).toEqual([0, 1]);
    const [low, high] = wilsonInterval(3, 3);
    expect(low).toBeCloseTo(0.4385, 3);
    expect(high).toBe(1);
    const [l2, h2] = wilsonInterval(50, 100);
    expect(l2).toBeCloseTo(0.4038, 3);
    expect(h2).toBeCloseTo(0.5962, 3);
    expect(rankWhatToFixFirst([answer('x', 1)], { minAnswers: 2 })).toEqual([]);
  });
});
