// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { createDailySales, VISIT_FEATURES, writeVisitFeatures } from './visit-sales.js';

describe('createDailySales', () => {
  it('counts orders per item and day in any order, and an erasure takes them out exactly', () => {
    const sales = createDailySales();
    sales.add(110, [0, 1], 1);
    sales.add(100, [0], 1);
    sales.add(105, [0], 1);
    sales.add(105, [0], 1);
    expect(sales.between(0, 100, 106)).toBe(3); // days 100, 105, 105: [from, to)
    expect(sales.between(0, 101, 110)).toBe(2);
    expect(sales.between(1, 0, 111)).toBe(1);
    expect(sales.between(7, 0, 1000)).toBe(0);
    expect(sales.firstDay()).toBe(100);
    sales.add(100, [0], -1); // the only order of day 100 is erased
    expect(sales.firstDay()).toBe(105);
    expect(sales.between(0, 0, 1000)).toBe(3);
  });

  it("describes what sold before the visit day among other customers, against the item's long-run rate", () => {
    const sales = createDailySales();
    for (let day = 0; day < 100; day += 10) sales.add(day, [0], 1); // 10 orders over 100 days
    for (let day = 95; day < 100; day++) sales.add(day, [0], 1); // a rush in the last days
    sales.add(100, [0], 1); // the visit day itself never counts
    sales.add(97, [0], 1); // the customer's own order
    const x = new Float64Array(VISIT_FEATURES.length);
    writeVisitFeatures(sales, 0, 100, [97], x, 0);
    const f = (name: string) => x[VISIT_FEATURES.indexOf(name)];
    // Others in days 93–99: the rush (95–99) only; day 90 is outside the 7 days.
    expect(f('sales7')).toBe(5);
    expect(f('sales14')).toBe(6); // + day 90
    const rate = 15 / 100; // others' orders before day 100, per day since the first
    expect(f('sales7Ratio')).toBeCloseTo((5 + 1) / (7 * rate + 1), 12);
    expect(f('sales30')).toBe(8);
  });
});
