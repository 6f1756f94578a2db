// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { agoPhrase, createShopTempo, everyPhrase, orderWithin, ownGapDays } from './order-rhythm.js';

const SETTINGS = { quantile: 0.5, decay: 1, priorGapDays: 30, priorGapWeight: 0, tempoExponent: 0 };

describe('order rhythm', () => {
  it("takes the customer's typical gap, newer gaps weighing more, and a prior when there are none", () => {
    expect(ownGapDays([20, 22, 21], SETTINGS)).toBe(21);
    expect(ownGapDays([60, 60, 10, 10], { ...SETTINGS, decay: 0.3 })).toBe(10);
    expect(ownGapDays([], SETTINGS)).toBe(30);
    expect(ownGapDays([10], { ...SETTINGS, priorGapWeight: 1 })).toBe(20);
  });

  it("leans on the prior only as much as the customer's gaps scatter against the shop's", () => {
    const s = { ...SETTINGS, priorGapDays: 45, priorGapWeight: 3 };
    // A clockwork 3-week customer keeps 3 weeks, not 3 weeks pulled towards 45 days.
    expect(ownGapDays([21, 21, 21, 21], s, 0.5)).toBe(21);
    // An erratic one (spread ≥ the shop's) gets the full prior: (4 gaps × their median 5 + 3 × 45) / 7.
    expect(ownGapDays([5, 60, 5, 20], s, 0.5)).toBeCloseTo((4 * 5 + 3 * 45) / 7, 9);
    // One gap says nothing about scatter: full prior, as without the shop's spread.
    expect(ownGapDays([21], s, 0.5)).toBe(ownGapDays([21], s));
    expect(ownGapDays([21], s)).toBeCloseTo((21 + 3 * 45) / 4, 9);
  });

  it("measures the shop's tempo as the median of recent gaps against each customer's habit", () => {
    // Three customers with a 10-day habit; around day 55 each ordered after only 5 days.
    const customers = [0, 1, 2].map((c) => [c, 10 + c, 20 + c, 30 + c, 40 + c, 50 + c, 55 + c]);
    const tempo = createShopTempo(customers, 4);
    expect(tempo.at(57)).toBeCloseTo(6 / 11, 9); // (5 + 1) / (10 + 1)
    expect(tempo.at(70)).toBe(1); // no gap ended in the window
    const even = createShopTempo(
      [
        [0, 10, 20],
        [0, 30, 60],
        [0, 5, 15, 20],
        [0, 4, 8],
      ],
      1000,
    );
    expect(even.at(100)).toBeCloseTo(Math.exp(0), 9); // median of log ratios, even count, exact
  });

  it('turns the rhythm into the probability of an order within a window', () => {
    const early = orderWithin(21, 0.4, 2, 7);
    const due = orderWithin(21, 0.4, 18, 7);
    expect(early).toBeLessThan(0.05);
    expect(due).toBeGreaterThan(0.4);
    expect(orderWithin(21, 0.4, 0, 10_000)).toBeCloseTo(1, 6);
    expect(orderWithin(21, 0.4, 200, 7)).toBeGreaterThan(0); // long overdue: still possible
  });

  it('speaks in plain intervals', () => {
    expect(everyPhrase(1)).toBe('every day');
    expect(everyPhrase(5)).toBe('every 5 days');
    expect(everyPhrase(21)).toBe('every 3 weeks');
    expect(everyPhrase(7)).toBe('every 7 days');
    expect(everyPhrase(90)).toBe('every 3 months');
    expect(agoPhrase(0)).toBe('today');
    expect(agoPhrase(1)).toBe('yesterday');
    expect(agoPhrase(24)).toBe('24 days ago');
  });
});
