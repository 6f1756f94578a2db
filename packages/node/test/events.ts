/** Valid wire-format events for tests. */
import type { FeedbackEvent, TrackEvent } from '@touchpoint/core';

let n = 0;
export function uuid(i = ++n): string {
  const hex = i.toString(16).padStart(12, '0');
  return `00000000-0000-4000-8000-${hex}`;
}

export function trackEvent(overrides: Partial<TrackEvent> = {}): TrackEvent {
  return {
    type: 'track',
    messageId: uuid(),
    timestamp: '2026-11-22T10:00:00.000Z',
    anonymousId: 'anon-1',
    event: 'cart.item_added',
    properties: { sku: 'sku-1', price: 19.99 },
    ...overrides,
  };
}

export function feedbackEvent(score: number, overrides: Partial<FeedbackEvent> = {}): FeedbackEvent {
  return {
    type: 'feedback',
    messageId: uuid(),
    timestamp: '2026-11-22T10:05:00.000Z',
    anonymousId: 'anon-1',
    feedback: { kind: 'nps', score, comment: 'delivery was late', touchpoint: 'order.delivered' },
    ...overrides,
  };
}

/** Resolves once `check()` is true, polling on the event loop (bounded: fails after `ms`). */
export async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
