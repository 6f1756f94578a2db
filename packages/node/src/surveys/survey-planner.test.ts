import type { PageEvent, TouchpointEvent, TrackEvent } from '@touchpoint/core';
import { describe, expect, it } from 'vitest';
import { uuid } from '../../test/events.js';
import { defineSurveys } from './definitions.js';
import { inSurveySample } from './sampling.js';
import { createSurveys } from './survey-planner.js';
import { shopSurveys } from './test-surveys.js';

const DAY = 86_400_000;
function clock(start = Date.UTC(2026, 10, 30)) {
  return {
    t: start,
    now() {
      return this.t;
    },
  };
}
const pageView = (who: { userId?: string; anonymousId?: string }, path = '/'): PageEvent => ({
  type: 'page',
  messageId: uuid(),
  timestamp: new Date().toISOString(),
  anonymousId: who.anonymousId ?? 'anon-phone',
  ...(who.userId ? { userId: who.userId } : {}),
  context: { page: { path } },
});
const shown = (userId: string, survey: string): TrackEvent => ({
  type: 'track',
  messageId: uuid(),
  timestamp: new Date().toISOString(),
  anonymousId: 'anon-laptop',
  userId,
  event: 'survey.shown',
  properties: { survey },
});

describe('createSurveys', () => {
  it('a server event shows its survey on the customer’s next page view, once', async () => {
    const surveys = createSurveys({ surveys: shopSurveys, clock: clock() });
    expect(
      await surveys.trigger({ event: 'order.delivered', userId: 'cust-7', properties: { orderId: 'o-1' } }),
    ).toEqual([{ survey: 'after-order', status: 'queued' }]);
    // Another customer's page view delivers nothing.
    expect(await surveys.prompts([pageView({ userId: 'cust-8' })])).toEqual([]);
    const [prompt, ...more] = await surveys.prompts([pageView({ userId: 'cust-7' }, '/products')]);
    expect(more).toEqual([]);
    expect(prompt).toMatchObject({
      survey: 'after-order',
      kind: 'csat',
      question: { en: 'How was your order?', vi: 'Đơn hàng của bạn thế nào?' },
      properties: { orderId: 'o-1' },
    });
    expect(prompt).not.toHaveProperty('trigger');
    expect(await surveys.prompts([pageView({ userId: 'cust-7' })])).toEqual([]);
  });

  it('caps across surveys: one survey per customer per capDays, whichever it was', async () => {
    const c = clock();
    const surveys = createSurveys({ surveys: shopSurveys, capDays: 30, clock: c });
    await surveys.trigger({ event: 'order.delivered', userId: 'cust-1' });
    expect(await surveys.prompts([pageView({ userId: 'cust-1' })])).toHaveLength(1);
    c.t += 10 * DAY;
    expect(await surveys.trigger({ event: 'payment.retried', userId: 'cust-1' })).toEqual([
      { survey: 'payment-ease', status: 'skipped', reason: 'capped' },
    ]);
    // A browser-triggered survey shown on another device counts too (its survey.shown event).
    await surveys.prompts([shown('cust-2', 'why-cart')]);
    expect(await surveys.check('after-order', 'cust-2')).toEqual({ ok: false, reason: 'capped' });
    // Two surveys due at once: only one is shown.
    await surveys.trigger({ event: 'order.delivered', userId: 'cust-3' });
    await surveys.trigger({ event: 'payment.retried', userId: 'cust-3' });
    expect(await surveys.prompts([pageView({ userId: 'cust-3' })])).toHaveLength(1);
    expect(await surveys.prompts([pageView({ userId: 'cust-3' })])).toEqual([]);
    c.t += 21 * DAY;
    expect(await surveys.check('payment-ease', 'cust-1')).toEqual({ ok: true });
  });

  it('holds back a survey from a customer with an open case on its topic, unless it is about the case', async () => {
    const open = new Set(['cust-5:delivery']);
    const asked: string[] = [];
    const surveys = createSurveys({
      surveys: shopSurveys,
      hasOpenCase: async (customer, topic) => {
        asked.push(`${customer}:${topic}`);
        return open.has(`${customer}:${topic}`);
      },
    });
    expect(await surveys.trigger({ event: 'order.delivered', userId: 'cust-5' })).toEqual([
      { survey: 'after-order', status: 'skipped', reason: 'open_case' },
    ]);
    expect(await surveys.trigger({ event: 'case.resolved', userId: 'cust-5' })).toEqual([
      { survey: 'after-case', status: 'queued' },
    ]);
    expect(await surveys.trigger({ event: 'order.delivered', userId: 'cust-6' })).toEqual([
      { survey: 'after-order', status: 'queued' },
    ]);
    // A case opened after the survey was queued still holds it back at delivery.
    open.add('cust-6:delivery');
    expect(await surveys.prompts([pageView({ userId: 'cust-6' })])).toEqual([]);
    expect(asked).toContain('cust-5:delivery');

    const errors: string[] = [];
    const failing = createSurveys({
      surveys: shopSurveys,
      hasOpenCase: () => {
        throw new Error('case book down');
      },
      onError: (e) => errors.push(e.source),
    });
    expect(await failing.check('after-order', 'cust-9')).toEqual({ ok: false, reason: 'open_case' });
    expect(errors).toEqual(['hasOpenCase']);
  });

  it('never shows a survey on the payment step unless it is made for it', async () => {
    const surveys = createSurveys({ surveys: shopSurveys });
    await surveys.trigger({ event: 'order.delivered', userId: 'cust-1' });
    expect(await surveys.prompts([pageView({ userId: 'cust-1' }, '/checkout/payment')])).toEqual([]);
    expect(await surveys.prompts([pageView({ userId: 'cust-1' }, '/thanks')])).toMatchObject([
      { survey: 'after-order' },
    ]);
    await surveys.trigger({ event: 'payment.retried', userId: 'cust-2' });
    expect(await surveys.prompts([pageView({ userId: 'cust-2' }, '/checkout/payment')])).toMatchObject([
      { survey: 'payment-ease' },
    ]);
  });

  it('samples for good: the same customer gets the same answer on every trigger and device', async () => {
    const surveys = createSurveys({ surveys: shopSurveys, capDays: 0 });
    const results: boolean[] = [];
    for (let i = 0; i < 200; i++) {
      const userId = `cust-${i}`;
      const first = (await surveys.trigger({ event: 'refund.issued', userId }))[0]!;
      const inSample = first.status === 'queued';
      expect(inSample).toBe(inSurveySample('after-refund', userId, 0.3));
      // Shown on a phone, triggered again later: same decision.
      const onPhone = await surveys.prompts([pageView({ userId, anonymousId: 'phone' })]);
      expect(onPhone.length).toBe(inSample ? 1 : 0);
      const again = (await surveys.trigger({ event: 'refund.issued', userId }))[0]!;
      expect(again.status === 'queued').toBe(inSample);
      const onLaptop = await surveys.prompts([pageView({ userId, anonymousId: 'laptop' })] as TouchpointEvent[]);
      expect(onLaptop.length).toBe(inSample ? 1 : 0);
      results.push(inSample);
    }
    expect(results.filter(Boolean).length).toBeGreaterThan(30);
    expect(results.filter(Boolean).length).toBeLessThan(90);
  });

  it('asks only its audience: a Vietnamese-only survey is never shown to an English page', async () => {
    const surveys = createSurveys({
      surveys: defineSurveys({
        'vi-only': {
          kind: 'csat',
          question: { en: 'How was it?', vi: 'Thế nào?' },
          trigger: { serverEvent: 'order.delivered' },
          audience: { identified: true, locales: ['vi'] },
        },
      }),
    });
    const withLocale = (userId: string, locale: string) => ({
      ...pageView({ userId }),
      context: { locale, page: { path: '/' } },
    });
    await surveys.trigger({ event: 'order.delivered', userId: 'cust-en' });
    expect(await surveys.prompts([withLocale('cust-en', 'en-GB')])).toEqual([]);
    expect(await surveys.prompts([withLocale('cust-en', 'vi-VN')])).toEqual([]); // dropped, not kept
    await surveys.trigger({ event: 'order.delivered', userId: 'cust-vi' });
    expect(await surveys.prompts([withLocale('cust-vi', 'vi-VN')])).toMatchObject([{ survey: 'vi-only' }]);
  });

  it('drops prompts that waited longer than pendingDays, and refuses a bad config', async () => {
    const c = clock();
    const surveys = createSurveys({ surveys: shopSurveys, pendingDays: 2, clock: c });
    await surveys.trigger({ event: 'order.delivered', userId: 'cust-1' });
    c.t += 3 * DAY;
    expect(await surveys.prompts([pageView({ userId: 'cust-1' })])).toEqual([]);
    expect(() => createSurveys({ surveys: shopSurveys, capDays: -1 })).toThrow(/capDays/);
    expect(() => createSurveys({ surveys: null as never })).toThrow(/surveys/);
  });
});
