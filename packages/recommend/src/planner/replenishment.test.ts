// @vitest-environment node
import { createManualClock } from '@touchpoint/core/testing';
import { describe, expect, it } from 'vitest';
import { catalogOf, feedback, page, track } from '../../test/fixtures.js';
import { createCustomerModel } from '../customers/create-customer-model.js';
import { createUpsellPlanner, type ReplenishmentInput } from './planner.js';
import type { UpsellPolicy } from './policy.js';
import { type CustomerState, emptyState } from './state.js';
import type { Decision } from './types.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-09-01T10:00:00Z');
const GRANTED = { analytics: true, personalization: true, marketing: false };
const catalog = catalogOf({
  'gas-canister': { title: 'Gas canister 450 g', adds: 'Fuel for about 3 hours of cooking.' },
  'tent-pegs': { title: 'Tent pegs', adds: 'Spare pegs.' },
});

/** A customer who buys gas every 3 weeks (pegs every other time), and the shop's other customers. */
function customers() {
  const model = createCustomerModel();
  for (let c = 0; c < 30; c++)
    for (let n = 0; n < 8; n++)
      model.learnOrders([
        {
          customer: c === 0 ? 'u-camper' : `u${c}`,
          at: T0 + (n * 21 + (c % 5)) * DAY,
          items: n % 2 ? ['gas-canister'] : ['gas-canister', 'tent-pegs'],
          orderId: `o${c}-${n}`,
        },
      ]);
  return model;
}

function setup(policy: UpsellPolicy = {}) {
  const clock = createManualClock(T0 + 7 * 21 * DAY); // the day of the camper's last order
  const planner = createUpsellPlanner({ clock, ...policy });
  const model = customers();
  let state: CustomerState = emptyState();
  const decide = (over: Partial<ReplenishmentInput> = {}): Decision =>
    planner.decideReplenishment({
      due: model.dueItems('u-camper', clock.now(), { withinDays: planner.policy.replenishment.withinDays }),
      state,
      consent: GRANTED,
      catalog,
      ...over,
    });
  return {
    clock,
    planner,
    model,
    decide,
    get state() {
      return state;
    },
    set state(s: CustomerState) {
      state = s;
    },
  };
}

describe('planner.decideReplenishment', () => {
  it('prompts the returning customer when their repeat item is due, not before, saying why', () => {
    const t = setup();
    expect(t.decide()).toEqual({ show: false, reason: 'no_candidate' }); // just bought: nothing due
    t.clock.advance(10 * DAY);
    expect(t.decide()).toMatchObject({ show: false, reason: 'no_candidate' });
    t.clock.advance(8 * DAY); // 18 days after the last order, with a 3-week rhythm
    const d = t.decide();
    expect(d).toMatchObject({
      show: true,
      reason: 'replenishment',
      at: t.clock.now() + 3000,
      offer: {
        kind: 'replenishment',
        item: 'gas-canister',
        title: 'Gas canister 450 g',
        adds: 'You buy this about every 3 weeks; last time 18 days ago.',
        timing: 'you buy this about every 3 weeks; last time 18 days ago',
        trigger: 'replenishment',
      },
    });
  });

  it('keeps the consent, unhappy-customer, quiet-hours, cap and declined rules', () => {
    const t = setup({
      quietHours: { start: '21:00', end: '08:00' },
      recovery: { id: 'refund', title: 'Shipping is on us', adds: 'We refunded your shipping.' },
    });
    t.clock.advance(18 * DAY);
    expect(t.decide({ consent: { analytics: true, personalization: false, marketing: false } })).toEqual({
      show: false,
      reason: 'consent',
    });
    const night = t.decide({ now: Date.parse('2026-12-24T22:00:00Z') });
    expect(night).toMatchObject({ show: false, reason: 'quiet_hours', retryAt: Date.parse('2026-12-25T08:00:00Z') });

    // Shown once in this visit: the session cap holds the next one back; an off-site message has
    // no session, but the cooldown still applies.
    t.state = t.planner.record(t.state, page(t.clock.now(), { sessionId: 'visit-1' }));
    const shown = t.decide();
    if (!shown.show) throw new Error(shown.reason);
    t.state = t.planner.recordOffer(t.state, 'shown', shown.offer, shown.at, 'visit-1');
    expect(t.decide()).toMatchObject({ show: false, reason: 'session_cap' });
    expect(t.decide({ channel: 'message' })).toMatchObject({ show: false, reason: 'cooldown' });

    // "No thanks" means no for a month; the item in the cart is no reminder either.
    t.state = t.planner.recordOffer(t.state, 'dismissed', shown.offer, shown.at + 1000, 'visit-1');
    t.clock.advance(2 * DAY);
    expect(t.decide({ channel: 'message' })).toMatchObject({ show: false, reason: 'recently_declined' });

    // An unhappy customer gets the recovery gesture, never a sales reminder.
    t.state = t.planner.record(t.state, feedback('nps', 2, t.clock.now()));
    expect(t.decide({ channel: 'message' })).toMatchObject({ show: true, reason: 'recovery' });
  });

  it('skips items already in the cart and honours minProbability', () => {
    const t = setup({ replenishment: { minProbability: 0.05 } });
    t.clock.advance(18 * DAY);
    t.state = t.planner.record(t.state, track('cart.item_added', { productId: 'gas-canister' }, t.clock.now()));
    const d = t.decide();
    expect(d).toMatchObject({ show: true, offer: { item: 'tent-pegs' } });
    const strict = setup({ replenishment: { minProbability: 1 } });
    strict.clock.advance(18 * DAY);
    expect(strict.decide()).toEqual({ show: false, reason: 'no_candidate' });
    expect(() => createUpsellPlanner({ replenishment: { minProbability: 2 } })).toThrow(
      /policy\.replenishment\.minProbability/,
    );
  });
});
