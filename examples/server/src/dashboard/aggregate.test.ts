import type { JsonObject, TouchpointEvent } from '@touchpoint/core';
import { describe, expect, it } from 'vitest';
import { bucketSizeFor, createJourneyAggregator } from './aggregate.js';

const T0 = Date.parse('2026-11-22T10:00:00Z');
let n = 0;
const id = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

function track(session: string, s: number, event: string, properties: JsonObject = {}): TouchpointEvent {
  const stage = event.startsWith('offer.')
    ? 'upsell'
    : event === 'checkout.started' || event === 'order.completed'
      ? 'purchase'
      : 'consideration';
  return {
    type: 'track',
    messageId: id(),
    timestamp: at(s),
    anonymousId: `a-${session}`,
    sessionId: session,
    event,
    properties,
    stage,
  };
}

function nps(session: string, s: number, score: number, comment?: string): TouchpointEvent {
  return {
    type: 'feedback',
    messageId: id(),
    timestamp: at(s),
    anonymousId: `a-${session}`,
    sessionId: session,
    feedback: { kind: 'nps', score, touchpoint: 'order.completed', ...(comment ? { comment } : {}) },
  };
}

function shopper(session: string, untilStep: number, start = 0): TouchpointEvent[] {
  const steps = [
    track(session, start + 1, 'product.viewed', { productId: 'whole-milk' }),
    track(session, start + 5, 'cart.item_added', { productId: 'whole-milk', quantity: 1 }),
    track(session, start + 20, 'checkout.started', { total: 1.19 }),
    track(session, start + 40, 'order.completed', { orderId: `A-${session}`, total: 1.19 }),
  ];
  return steps.slice(0, untilStep);
}

describe('createJourneyAggregator', () => {
  it('counts the funnel per session and where sessions without an order stopped', () => {
    const agg = createJourneyAggregator();
    for (const e of [...shopper('s1', 4), ...shopper('s2', 4), ...shopper('s3', 2), ...shopper('s4', 1)]) agg.add(e);
    const s = agg.summary();
    expect(s.funnel.map((f) => [f.label, f.sessions])).toEqual([
      ['Product view', 4],
      ['Cart add', 3],
      ['Checkout', 2],
      ['Order', 2],
    ]);
    expect(s.dropOff).toEqual([
      { after: 'cart.item_added', sessions: 1 },
      { after: 'product.viewed', sessions: 1 },
    ]);
    expect(s.totals).toMatchObject({ sessions: 4, orders: 2, revenue: 2.38 });
  });

  it('ranks journeys by how many sessions took them, collapsing repeats and ignoring arrival order', () => {
    const agg = createJourneyAggregator();
    const events = [...shopper('s1', 4), ...shopper('s2', 4), ...shopper('s3', 2)];
    // The same product viewed twice in a row is one step of the path.
    events.push(track('s1', 2, 'product.viewed', { productId: 'butter' }));
    for (const e of events.reverse()) agg.add(e);
    const [top, second] = agg.summary().journeys;
    expect(top).toEqual({
      path: ['product.viewed', 'cart.item_added', 'checkout.started', 'order.completed'],
      sessions: 2,
      ordered: true,
    });
    expect(second).toEqual({ path: ['product.viewed', 'cart.item_added'], sessions: 1, ordered: false });
  });

  it('ignores a repeated messageId, as an at-least-once file may hold', () => {
    const agg = createJourneyAggregator();
    const order = shopper('s1', 4);
    for (const e of order) expect(agg.add(e)).toBe(true);
    expect(agg.add(order[3]!)).toBe(false);
    expect(agg.summary().totals).toMatchObject({ events: 4, orders: 1 });
  });

  it('scores NPS per touchpoint as % promoters − % detractors and lists the detractors', () => {
    const agg = createJourneyAggregator();
    agg.add(nps('s1', 50, 10));
    agg.add(nps('s2', 60, 9));
    agg.add(nps('s3', 70, 7));
    agg.add(nps('s4', 80, 2, 'Delivery was late'));
    const s = agg.summary();
    expect(s.scores).toEqual([
      {
        kind: 'nps',
        touchpoint: 'order.completed',
        responses: 4,
        score: 25,
        promoters: 2,
        passives: 1,
        detractors: 1,
        mean: 7,
      },
    ]);
    expect(s.unhappy).toEqual([
      {
        at: at(80),
        kind: 'nps',
        score: 2,
        comment: 'Delivery was late',
        touchpoint: 'order.completed',
        customer: 'a-s4',
      },
    ]);
  });

  it('scores CSAT as the share of 4 and 5 answers', () => {
    const agg = createJourneyAggregator();
    for (const [i, score] of [5, 4, 2, 1].entries()) {
      agg.add({
        type: 'feedback',
        messageId: id(),
        timestamp: at(i),
        anonymousId: 'a',
        feedback: { kind: 'csat', score, touchpoint: 'support.contacted' },
      });
    }
    expect(agg.summary().scores).toEqual([
      { kind: 'csat', touchpoint: 'support.contacted', responses: 4, score: 50, mean: 3 },
    ]);
  });

  it('buckets staged events over time, feedback under the stage of the touchpoint it rates', () => {
    const agg = createJourneyAggregator();
    for (const e of shopper('s1', 4)) agg.add(e);
    agg.add(nps('s1', 45, 3));
    agg.add({ type: 'page', messageId: id(), timestamp: at(3), anonymousId: 'a-s1', sessionId: 's1' });
    const { bucketMs, buckets } = agg.summary().stages;
    expect(bucketMs).toBe(10_000);
    expect(buckets.map((b) => [b.counts.consideration, b.counts.purchase])).toEqual([
      [2, 0],
      [0, 0],
      [0, 1],
      [0, 0],
      [0, 2],
    ]);
  });

  it('counts offers shown, accepted and dismissed by kind', () => {
    const agg = createJourneyAggregator();
    agg.add(track('s1', 1, 'offer.shown', { offerId: 'o1', kind: 'upsell' }));
    agg.add(track('s1', 2, 'offer.accepted', { offerId: 'o1', kind: 'upsell' }));
    agg.add(track('s2', 1, 'offer.shown', { offerId: 'o2', kind: 'upsell' }));
    agg.add(track('s2', 2, 'offer.dismissed', { offerId: 'o2', kind: 'upsell' }));
    agg.add(track('s3', 1, 'offer.shown', { offerId: 'o3', kind: 'recovery' }));
    agg.add(track('s4', 1, 'offer.shown', { offerId: 'o4', kind: 'replenishment' }));
    agg.add(track('s4', 2, 'offer.accepted', { offerId: 'o4', kind: 'replenishment' }));
    expect(agg.summary().offers).toEqual({
      upsell: { shown: 2, accepted: 1, dismissed: 1 },
      recovery: { shown: 1, accepted: 0, dismissed: 0 },
      replenishment: { shown: 1, accepted: 1, dismissed: 0 },
    });
  });

  it('keeps the newest alerts first, once each', () => {
    const agg = createJourneyAggregator();
    const alert = (messageId: string, s: number) => ({
      at: at(s),
      messageId,
      customer: 'c',
      kind: 'nps',
      score: 1,
      recent: ['order.completed'],
    });
    agg.addAlert(alert('m1', 1));
    agg.addAlert(alert('m2', 2));
    agg.addAlert(alert('m1', 1));
    expect(agg.summary().alerts.map((a) => a.messageId)).toEqual(['m2', 'm1']);
  });
});

describe('bucketSizeFor', () => {
  it('picks the smallest readable bucket for the span', () => {
    expect(bucketSizeFor(60_000)).toBe(10_000);
    expect(bucketSizeFor(20 * 60_000)).toBe(60_000);
    expect(bucketSizeFor(7 * 86_400_000)).toBe(21_600_000);
  });
});
