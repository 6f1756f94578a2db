import { commerceTouchpoints, defineTouchpoints, props } from '@touchpoint/core';
import { describe, expectTypeOf, it } from 'vitest';
import { createTracker } from './tracker.js';
import type { TrackResult } from './types.js';

describe('typed tracking', () => {
  it('checks names and properties against the catalog', () => {
    const tp = createTracker({ endpoint: '/t', writeKey: 'k', touchpoints: commerceTouchpoints });
    expectTypeOf(tp.track('order.completed', { orderId: 'o-1', total: 42 })).toEqualTypeOf<TrackResult>();
    tp.track('support.contacted'); // every property optional: may be left out
    // @ts-expect-error unknown touchpoint
    tp.track('order.complete', { orderId: 'o-1', total: 42 });
    // @ts-expect-error missing required property `total`
    tp.track('order.completed', { orderId: 'o-1' });
    // @ts-expect-error wrong property type
    tp.track('order.completed', { orderId: 'o-1', total: '42' });
    // @ts-expect-error required properties cannot be left out
    tp.track('order.completed');
  });

  it('accepts any name and properties without a catalog', () => {
    const tp = createTracker({ endpoint: '/t', writeKey: 'k' });
    tp.track('anything.at_all', { any: ['json', 1, true] });
    tp.track('no.properties');
  });

  it('types a custom catalog', () => {
    const catalog = defineTouchpoints({
      'quiz.answered': { stage: 'consideration', properties: props<{ answer: 'a' | 'b' }>() },
    });
    const tp = createTracker({ endpoint: '/t', writeKey: 'k', touchpoints: catalog });
    tp.track('quiz.answered', { answer: 'a' });
    // @ts-expect-error not one of the allowed answers
    tp.track('quiz.answered', { answer: 'c' });
  });

  it('types feedback and consent', () => {
    const tp = createTracker({ endpoint: '/t', writeKey: 'k', consent: 'pending' });
    tp.feedback({ kind: 'csat', score: 4, touchpoint: 'order.completed' });
    // @ts-expect-error not a feedback kind
    tp.feedback({ kind: 'stars', score: 4 });
    expectTypeOf(tp.getConsent()).toEqualTypeOf<import('@touchpoint/core').ConsentState | 'pending'>();
    expectTypeOf(tp.on('event', () => {})).toEqualTypeOf<() => void>();
  });
});
