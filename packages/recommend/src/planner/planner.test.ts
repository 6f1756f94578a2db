import { TouchpointConfigError, type TouchpointEvent } from '@touchpoint/core';
import { createManualClock } from '@touchpoint/core/testing';
import { describe, expect, it } from 'vitest';
import { basketRecommender, catalogOf, feedback, page, track } from '../../test/fixtures.js';
import { createUpsellPlanner, type DecideInput } from './planner.js';
import type { UpsellPolicy } from './policy.js';
import { type CustomerState, emptyState } from './state.js';
import { type Decision, SUPPRESS_REASONS, type SuppressReason } from './types.js';

const T0 = Date.parse('2026-11-23T12:00:00Z'); // a Monday, 13:00 in Berlin
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const GRANTED = { analytics: true, personalization: true, marketing: false };

function stateOf(planner: ReturnType<typeof createUpsellPlanner>, events: TouchpointEvent[]): CustomerState {
  return events.reduce((s, e) => planner.record(s, e), emptyState());
}

function setup(policy: UpsellPolicy = {}, events: TouchpointEvent[] = []) {
  const planner = createUpsellPlanner(policy);
  const recommender = basketRecommender();
  const catalog = catalogOf();
  let state = stateOf(planner, events);
  const decide = (over: Partial<DecideInput> = {}): Decision =>
    planner.decide({
      trigger: { name: 'cart.item_added', items: ['tent'] },
      state,
      consent: GRANTED,
      recommender,
      catalog,
      now: T0,
      ...over,
    });
  /** Records that the decided offer was shown (and optionally what the customer did). */
  const show = (d: Decision, outcome?: 'accepted' | 'dismissed', sessionId = 's1') => {
    if (!d.show) throw new Error(`expected an offer, got ${d.reason}`);
    state = planner.recordOffer(state, 'shown', d.offer, d.at, sessionId);
    if (outcome) state = planner.recordOffer(state, outcome, d.offer, d.at + 1000, sessionId);
    return d.offer;
  };
  return {
    planner,
    recommender,
    decide,
    show,
    get state() {
      return state;
    },
    add(...events: TouchpointEvent[]) {
      for (const e of events) state = planner.record(state, e);
    },
  };
}

describe('createUpsellPlanner — showing an offer', () => {
  it('offers the best complementary item after the default delay, saying what it adds and why', () => {
    const t = setup({}, [track('cart.item_added', { productId: 'tent' }, T0)]);
    const d = t.decide();
    expect(d).toEqual({
      show: true,
      at: T0 + 3000,
      reason: 'upsell',
      offer: {
        id: `upsell-tent-pegs-${(T0 + 3000).toString(36)}`,
        kind: 'upsell',
        item: 'tent-pegs',
        title: 'Steel tent pegs (12)',
        adds: 'Holds your tent down in wind and hard ground.',
        price: { value: 9.9, currency: 'EUR' },
        because: ['tent'],
        trigger: 'cart.item_added',
      },
    });
  });

  it('is deterministic and never mutates the state', () => {
    const t = setup({}, [track('cart.item_added', { productId: 'tent' }, T0)]);
    const before = JSON.stringify(t.state);
    expect(t.decide()).toEqual(t.decide());
    expect(JSON.stringify(t.state)).toBe(before);
  });

  it('never offers what is already in the cart or was bought', () => {
    const t = setup({}, [
      track(
        'order.completed',
        { orderId: 'o1', total: 10, items: [{ productId: 'tent-pegs', quantity: 1 }] },
        T0 - DAY,
      ),
      track('cart.item_added', { productId: 'tent' }, T0),
      track('cart.item_added', { productId: 'sleeping-bag' }, T0),
    ]);
    const d = t.decide();
    expect(d.show && d.offer.item).toBe('sleeping-mat');
  });

  it('takes now from the policy clock when none is passed', () => {
    const clock = createManualClock(T0 + HOUR);
    const t = setup({ clock }, []);
    const d = t.decide({ now: undefined });
    expect(d.show && d.at).toBe(T0 + HOUR + 3000);
  });
});

describe('policy knobs', () => {
  it('delayMs sets when the offer appears; a trigger rule overrides it', () => {
    const t = setup({ delayMs: 10_000, triggers: { 'cart.item_added': {}, 'order.completed': { delayMs: 60_000 } } });
    expect(t.decide()).toMatchObject({ show: true, at: T0 + 10_000 });
    expect(t.decide({ trigger: { name: 'order.completed', items: ['tent'] } })).toMatchObject({
      show: true,
      at: T0 + 60_000,
    });
  });

  it('triggers decide which touchpoints react, as a list or with per-trigger intent', () => {
    const asked: string[] = [];
    const t = setup({ triggers: ['product.viewed'] });
    expect(t.decide()).toEqual({ show: false, reason: 'not_a_trigger' });
    const similar = createUpsellPlanner({ triggers: { 'product.viewed': { intent: 'similar' } } });
    const rec = basketRecommender();
    similar.decide({
      trigger: { name: 'product.viewed', items: ['tent'] },
      state: emptyState(),
      consent: true,
      now: T0,
      catalog: catalogOf(),
      recommender: {
        recommend: (r) => {
          asked.push(r.intent ?? '');
          return rec.recommend(r);
        },
      },
    });
    expect(asked).toEqual(['similar']);
  });

  it('triggerOf maps touchpoints to triggers with their items, and negative feedback to recovery', () => {
    const p = createUpsellPlanner();
    expect(
      p.triggerOf(
        track('order.completed', {
          orderId: 'o',
          total: 1,
          items: [
            { productId: 'a', quantity: 1 },
            { productId: 'b', quantity: 2 },
          ],
        }),
      ),
    ).toEqual({ name: 'order.completed', items: ['a', 'b'] });
    expect(p.triggerOf(track('product.viewed', { productId: 'a' }))).toBeUndefined();
    expect(p.triggerOf(page())).toBeUndefined();
    expect(p.triggerOf(feedback('nps', 2))).toEqual({ name: 'feedback' });
    expect(p.triggerOf(feedback('nps', 10))).toBeUndefined();
  });

  it('candidates bounds how many suggestions are asked for (plus room for declined ones)', () => {
    const ks: number[] = [];
    const t = setup({ candidates: 3 });
    const rec = basketRecommender();
    t.decide({
      recommender: {
        recommend: (r) => {
          ks.push(r.k ?? -1);
          return rec.recommend(r);
        },
      },
    });
    expect(ks).toEqual([3]);
  });

  it.each([
    [{ cooldownMs: -1 }, 'policy.cooldownMs'],
    [{ maxPerDay: 1.5 }, 'policy.maxPerDay'],
    [{ quietHours: { start: '25:00', end: '08:00' } }, 'policy.quietHours.start'],
    [{ timeZone: 'Mars/Olympus' }, 'policy.timeZone'],
    [{ triggers: { 'cart.item_added': { intent: 'cheapest' as never } } }, 'policy.triggers["cart.item_added"].intent'],
    [{ recovery: { id: 'r', title: '', adds: 'x' } }, 'policy.recovery.title'],
  ] as [UpsellPolicy, string][])('rejects an invalid policy naming the field: %j', (policy, field) => {
    let error: unknown;
    try {
      createUpsellPlanner(policy);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TouchpointConfigError);
    expect((error as TouchpointConfigError).field).toBe(field);
  });
});

describe('reason codes', () => {
  it('consent: nothing without granted personalization, and the recommender is not even asked', () => {
    const t = setup();
    for (const consent of [
      'pending',
      undefined,
      false,
      { analytics: true, personalization: false, marketing: true },
    ] as const) {
      expect(t.decide({ consent })).toEqual({ show: false, reason: 'consent' });
    }
    expect(t.recommender.calls).toBe(0);
    expect(t.decide({ consent: true }).show).toBe(true);
  });

  it('negative_feedback: suppresses upsells for negativeFeedbackMs, by core’s sentiment rules', () => {
    for (const [kind, score] of [
      ['nps', 6],
      ['csat', 2],
      ['ces', 3],
      ['rating', 2],
      ['thumbs', 0],
    ] as const) {
      const t = setup({ negativeFeedbackMs: 2 * DAY }, [feedback(kind, score, T0 - HOUR)]);
      expect(t.decide()).toEqual({ show: false, reason: 'negative_feedback' });
      expect(t.decide({ now: T0 + 2 * DAY }).show).toBe(true);
    }
    for (const [kind, score] of [
      ['nps', 7],
      ['csat', 3],
      ['thumbs', 1],
      ['text', undefined],
    ] as const) {
      expect(setup({}, [feedback(kind, score, T0 - HOUR)]).decide().show).toBe(true);
    }
  });

  it('open_support_case: no upsell while a case is open; closing it or supportCaseMaxAgeMs ends that', () => {
    const t = setup({ supportCaseMaxAgeMs: 3 * DAY }, [
      track('support.contacted', { caseId: 'c1', topic: 'late delivery' }, T0 - HOUR),
    ]);
    expect(t.decide()).toEqual({ show: false, reason: 'open_support_case' });
    expect(t.decide({ now: T0 + 3 * DAY }).show).toBe(true);
    t.add(track('support.case_closed', { caseId: 'c1', resolved: true }, T0 - MIN));
    expect(t.decide().show).toBe(true);
  });

  it('recovery: an unhappy customer gets the recovery gesture instead, once per episode', () => {
    const recovery = {
      id: 'refund-shipping',
      title: 'Shipping is on us',
      adds: 'We refunded the shipping fee of your last order.',
      cta: 'Thanks',
      code: 'SHIP-BACK',
    };
    const t = setup({ recovery }, [feedback('csat', 1, T0 - HOUR)]);
    const d = t.decide();
    expect(d).toEqual({
      show: true,
      at: T0 + 3000,
      reason: 'recovery',
      offer: {
        id: `recovery-refund-shipping-${(T0 + 3000).toString(36)}`,
        kind: 'recovery',
        item: 'refund-shipping',
        title: recovery.title,
        adds: recovery.adds,
        cta: 'Thanks',
        code: 'SHIP-BACK',
        because: [],
        trigger: 'cart.item_added',
      },
    });
    expect(t.recommender.calls).toBe(0);
    t.show(d, 'accepted');
    expect(t.decide({ now: T0 + HOUR })).toEqual({ show: false, reason: 'negative_feedback' });
    // The negative feedback itself is a trigger for the gesture, even with no upsell triggers at all.
    const quiet = setup({ recovery, triggers: [] }, [track('support.contacted', {}, T0 - MIN)]);
    expect(quiet.decide({ trigger: 'feedback' })).toMatchObject({ show: true, reason: 'recovery' });
    expect(setup({ recovery }).decide({ trigger: 'feedback' })).toEqual({ show: false, reason: 'no_candidate' });
  });

  it('quiet_hours: in the customer’s zone, across midnight, with the time they end', () => {
    const policy: UpsellPolicy = { quietHours: { start: '21:00', end: '08:00' }, delayMs: 0 };
    const berlin = setup(policy, [page(T0, { context: { timezone: 'Europe/Berlin' } } as never)]);
    // 20:30 UTC is 21:30 in Berlin (CET, UTC+1): quiet until 08:00 Berlin = 07:00 UTC.
    const evening = Date.parse('2026-11-23T20:30:00Z');
    expect(berlin.decide({ now: evening })).toEqual({
      show: false,
      reason: 'quiet_hours',
      retryAt: Date.parse('2026-11-24T07:00:00Z'),
    });
    // 23:30 UTC is 00:30 the next day in Berlin: still quiet, across midnight.
    expect(berlin.decide({ now: Date.parse('2026-11-23T23:30:00Z') })).toMatchObject({
      reason: 'quiet_hours',
      retryAt: Date.parse('2026-11-24T07:00:00Z'),
    });
    expect(berlin.decide({ now: Date.parse('2026-11-24T07:00:00Z') }).show).toBe(true);
    expect(berlin.decide({ now: Date.parse('2026-11-23T19:59:00Z') }).show).toBe(true);
    // The same instant is mid-afternoon in New York and early morning in Tokyo.
    const ny = setup(policy, [page(T0, { context: { timezone: 'America/New_York' } } as never)]);
    expect(ny.decide({ now: evening }).show).toBe(true);
    const tokyo = setup(policy, [page(T0, { context: { timezone: 'Asia/Tokyo' } } as never)]);
    expect(tokyo.decide({ now: evening })).toEqual({
      show: false,
      reason: 'quiet_hours',
      retryAt: Date.parse('2026-11-23T23:00:00Z'),
    });
  });

  it('quiet_hours: follows daylight saving time', () => {
    const t = setup({ quietHours: { start: '21:00', end: '08:00' }, delayMs: 0 }, [
      page(T0, { context: { timezone: 'Europe/Berlin' } } as never),
    ]);
    // 19:30 UTC is 20:30 in Berlin's winter (UTC+1) but 21:30 in its summer (UTC+2).
    expect(t.decide({ now: Date.parse('2026-01-15T19:30:00Z') }).show).toBe(true);
    expect(t.decide({ now: Date.parse('2026-07-15T19:30:00Z') })).toEqual({
      show: false,
      reason: 'quiet_hours',
      retryAt: Date.parse('2026-07-16T06:00:00Z'),
    });
  });

  it('quiet_hours: judged at the time the offer would appear, in the policy zone when the customer’s is unknown', () => {
    const t = setup({ quietHours: { start: '22:00', end: '06:00' }, timeZone: 'Europe/Berlin', delayMs: 5 * MIN });
    expect(t.decide({ now: Date.parse('2026-11-23T20:50:00Z') }).show).toBe(true);
    expect(t.decide({ now: Date.parse('2026-11-23T20:56:00Z') })).toMatchObject({ show: false, reason: 'quiet_hours' });
    const bogus = setup({ quietHours: { start: '22:00', end: '06:00' }, timeZone: 'Europe/Berlin' }, [
      page(T0, { context: { timezone: 'Not/AZone' } } as never),
    ]);
    expect(bogus.decide({ now: Date.parse('2026-11-23T22:00:00Z') })).toMatchObject({ reason: 'quiet_hours' });
  });

  it('min_engagement: events, page views, product views and session time, per session', () => {
    const policy: UpsellPolicy = { minEngagement: { events: 3, pageViews: 1, productViews: 1 } };
    const t = setup(policy, [page(T0 - MIN)]);
    expect(t.decide()).toEqual({ show: false, reason: 'min_engagement' });
    t.add(track('product.viewed', { productId: 'tent' }, T0 - MIN));
    expect(t.decide()).toEqual({ show: false, reason: 'min_engagement' });
    t.add(track('cart.item_added', { productId: 'tent' }, T0));
    expect(t.decide().show).toBe(true);
    expect(t.decide({ sessionId: 's2' })).toEqual({ show: false, reason: 'min_engagement' });

    const timed = setup({ minEngagement: { sessionMs: 2 * MIN }, delayMs: 0 }, [page(T0 - MIN)]);
    expect(timed.decide()).toEqual({ show: false, reason: 'min_engagement', retryAt: T0 + MIN });
    expect(timed.decide({ now: T0 + MIN }).show).toBe(true);
  });

  it('session_cap: at most maxPerSession offers in one session', () => {
    const t = setup({ maxPerSession: 2, maxPerDay: 5, cooldownMs: 0 }, [
      track('cart.item_added', { productId: 'tent' }, T0),
    ]);
    t.show(t.decide());
    t.show(t.decide({ now: T0 + MIN }));
    expect(t.decide({ now: T0 + 2 * MIN })).toEqual({ show: false, reason: 'session_cap' });
    expect(t.decide({ now: T0 + 2 * MIN, sessionId: 's2' }).show).toBe(true);
  });

  it('daily_cap: at most maxPerDay in any 24 hours, and when the next fits', () => {
    const t = setup({ maxPerSession: Number.POSITIVE_INFINITY, cooldownMs: 0, maxPerDay: 2, delayMs: 0 });
    const first = t.decide();
    t.show(first);
    t.show(t.decide({ now: T0 + HOUR }));
    expect(t.decide({ now: T0 + 2 * HOUR })).toEqual({ show: false, reason: 'daily_cap', retryAt: T0 + DAY });
    expect(t.decide({ now: T0 + DAY }).show).toBe(true);
  });

  it('weekly_cap: at most maxPerWeek in any 7 days', () => {
    const t = setup({
      maxPerSession: Number.POSITIVE_INFINITY,
      cooldownMs: 0,
      maxPerDay: 5,
      maxPerWeek: 3,
      delayMs: 0,
    });
    for (let i = 0; i < 3; i++) t.show(t.decide({ now: T0 + i * DAY }));
    expect(t.decide({ now: T0 + 3 * DAY })).toEqual({ show: false, reason: 'weekly_cap', retryAt: T0 + 7 * DAY });
    expect(t.decide({ now: T0 + 7 * DAY }).show).toBe(true);
  });

  it('cooldown: no offer within cooldownMs of the previous one, in any session', () => {
    const t = setup({ cooldownMs: HOUR, maxPerSession: 5, delayMs: 0 });
    t.show(t.decide());
    expect(t.decide({ now: T0 + 30 * MIN, sessionId: 's9' })).toEqual({
      show: false,
      reason: 'cooldown',
      retryAt: T0 + HOUR,
    });
    expect(t.decide({ now: T0 + HOUR, sessionId: 's9' }).show).toBe(true);
  });

  it('recently_declined: a declined item is not offered again for declinedItemDays', () => {
    const t = setup({ cooldownMs: 0, maxPerSession: 10, maxPerDay: 10, declinedItemDays: 30, delayMs: 0 });
    const stove = { trigger: { name: 'cart.item_added', items: ['stove'] } };
    const first = t.show(t.decide(stove), 'dismissed', 's0');
    expect(first.item).toBe('gas-canister');
    const second = t.show(t.decide({ ...stove, now: T0 + MIN }), 'dismissed', 's0');
    expect(second.item).toBe('pot');
    expect(t.decide({ ...stove, now: T0 + 2 * MIN })).toEqual({ show: false, reason: 'recently_declined' });
    const later = t.decide({ ...stove, now: T0 + 30 * DAY + MIN });
    expect(later.show && later.offer.item).toBe('gas-canister');
  });

  it('no_candidate: nothing related, nothing describable, or no recommender', () => {
    const t = setup();
    expect(t.decide({ trigger: { name: 'cart.item_added', items: ['gift-card'] } })).toEqual({
      show: false,
      reason: 'no_candidate',
    });
    expect(t.decide({ trigger: 'cart.item_added' })).toEqual({ show: false, reason: 'no_candidate' });
    expect(t.decide({ catalog: { describe: () => undefined } })).toEqual({ show: false, reason: 'no_candidate' });
    expect(t.decide({ recommender: undefined })).toEqual({ show: false, reason: 'no_candidate' });
    // Popular but unrelated (nothing in `because`) is not a reason to interrupt the customer.
    expect(t.decide({ recommender: { recommend: () => [{ item: 'pot', score: 0, because: [] }] } })).toEqual({
      show: false,
      reason: 'no_candidate',
    });
  });

  it('every reason code has a scenario that produces it', () => {
    const seen = new Set<SuppressReason>();
    const note = (d: Decision) => {
      if (!d.show) seen.add(d.reason);
    };
    const t = setup({ quietHours: { start: '00:00', end: '23:59' } });
    note(t.decide({ consent: 'pending' }));
    note(t.decide({ trigger: 'search.performed' }));
    note(setup({}, [feedback('nps', 0, T0)]).decide());
    note(setup({}, [track('support.contacted', {}, T0)]).decide());
    note(t.decide());
    note(setup({ minEngagement: { events: 1 } }).decide());
    const capped = setup({ cooldownMs: 0 });
    capped.show(capped.decide());
    note(capped.decide({ sessionId: 's1' }));
    const daily = setup({ maxPerDay: 0 });
    note(daily.decide());
    note(setup({ maxPerWeek: 0, maxPerDay: 9 }).decide());
    const cool = setup({ maxPerSession: 9 });
    cool.show(cool.decide());
    note(cool.decide({ now: T0 + MIN }));
    const declined = setup({ cooldownMs: 0, maxPerSession: 9 });
    declined.show(declined.decide({ trigger: { name: 'cart.item_added', items: ['pot'] } }), 'dismissed');
    note(declined.decide({ trigger: { name: 'cart.item_added', items: ['pot'] }, sessionId: 'other' }));
    note(setup().decide({ trigger: { name: 'cart.item_added', items: ['nothing'] } }));
    expect([...seen].sort()).toEqual([...SUPPRESS_REASONS].sort());
  });
});
