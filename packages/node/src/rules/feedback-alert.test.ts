import { defineTouchpoints, type TouchpointEvent } from '@touchpoint/core';
import { describe, expect, it } from 'vitest';
import { feedbackEvent, trackEvent } from '../../test/events.js';
import * as destinations from '../destinations/index.js';
import { createForwarder } from '../forwarder.js';
import { type FeedbackAlert, feedbackAlert } from './feedback-alert.js';

const catalog = defineTouchpoints({
  'order.delivered': { stage: 'purchase', owner: 'logistics' },
  'cart.item_added': { stage: 'consideration', owner: 'merchandising' },
});

describe('feedbackAlert', () => {
  it('notifies the owner at once, with the comment and recent touchpoints, once per repeat', async () => {
    const alerts: FeedbackAlert[] = [];
    const batches: TouchpointEvent[][] = [];
    const forwarder = createForwarder({
      destinations: [destinations.fn(async (e) => void batches.push(e))],
      batch: { maxEvents: 100, maxWaitMs: 60_000 },
      rules: [feedbackAlert({ catalog, notify: (a) => void alerts.push(a), recentTouchpoints: 2 })],
    });
    forwarder.enqueue(trackEvent({ event: 'cart.item_added', timestamp: '2026-11-22T09:00:00.000Z' }));
    forwarder.enqueue(trackEvent({ event: 'checkout.started', timestamp: '2026-11-22T09:01:00.000Z' }));
    forwarder.enqueue(trackEvent({ event: 'order.completed', timestamp: '2026-11-22T09:02:00.000Z', userId: 'u-1' }));
    forwarder.enqueue(trackEvent({ event: 'other.customer', anonymousId: 'someone-else' }));
    const negative = feedbackEvent(3, { userId: 'u-1' });
    forwarder.enqueue(negative);
    // Before any batch was sent: the alert does not wait for the batch timer.
    expect(batches).toHaveLength(0);
    expect(alerts).toHaveLength(1);
    const alert = alerts[0]!;
    expect(alert.owner).toBe('logistics');
    expect(alert.touchpoint).toMatchObject({ name: 'order.delivered', stage: 'purchase' });
    expect(alert.feedback).toMatchObject({ comment: 'delivery was late', sentiment: 'negative' });
    expect(alert.event.messageId).toBe(negative.messageId);
    expect(alert.recent.map((e) => (e.type === 'track' ? e.event : e.type))).toEqual([
      'checkout.started',
      'order.completed',
    ]);

    forwarder.enqueue(feedbackEvent(2, { userId: 'u-1' })); // same complaint again
    forwarder.enqueue(feedbackEvent(10, { userId: 'u-2' })); // a promoter
    expect(alerts).toHaveLength(1);
    forwarder.enqueue(
      feedbackEvent(1, { anonymousId: 'anon-9', feedback: { kind: 'csat', score: 1, touchpoint: 'cart.item_added' } }),
    );
    expect(alerts.map((a) => a.owner)).toEqual(['logistics', 'merchandising']);
    await forwarder.close();
  });

  it('reports a failing notify through onError and lets close() wait for slow ones', async () => {
    const errors: string[] = [];
    let done = false;
    const forwarder = createForwarder({
      destinations: [destinations.fn(async () => {})],
      onError: (e) => errors.push(`${e.source}: ${e.message}`),
      rules: [
        feedbackAlert({
          when: (e) => e.feedback.kind === 'nps',
          notify: async (a) => {
            if (a.event.userId === 'boom') throw new Error('slack is down');
            await new Promise((r) => setTimeout(r, 20));
            done = true;
          },
        }),
      ],
    });
    forwarder.enqueue(feedbackEvent(0, { userId: 'boom' }));
    forwarder.enqueue(feedbackEvent(0, { userId: 'ok' }));
    await forwarder.close();
    expect(done).toBe(true);
    expect(errors).toEqual(['rule:feedbackAlert: Error: slack is down']);
  });
});
