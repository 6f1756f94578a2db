import { describe, expect, it } from 'vitest';
import { inSurveySample, surveyHash } from './sampling.js';

describe('sticky sampling', () => {
  it('hashes to fixed vectors (the page and the server run this same function)', () => {
    expect(surveyHash('')).toBe(2872998923);
    expect(surveyHash('a')).toBe(444641715);
    expect(surveyHash('after-order\ncust-7')).toBe(2927668550);
  });

  it('keeps a customer in or out for good, and the share matches the rate', () => {
    const customers = Array.from({ length: 5_000 }, (_, i) => `cust-${i}`);
    const first = customers.map((c) => inSurveySample('after-refund', c, 0.3));
    // Reloads and other devices with the same userId: nothing but the ids goes in.
    for (let round = 0; round < 3; round++) {
      expect(customers.map((c) => inSurveySample('after-refund', c, 0.3))).toEqual(first);
    }
    const share = first.filter(Boolean).length / customers.length;
    expect(share).toBeGreaterThan(0.28);
    expect(share).toBeLessThan(0.32);
    // Raising the rate only adds people; nobody in the sample drops out.
    customers.forEach((c, i) => {
      if (first[i]) expect(inSurveySample('after-refund', c, 0.5)).toBe(true);
    });
    // Another survey draws another sample.
    const other = customers.map((c) => inSurveySample('after-order', c, 0.3));
    expect(other.filter((v, i) => v === first[i]).length).toBeLessThan(customers.length * 0.7);
    expect(inSurveySample('x', 'y', 0)).toBe(false);
    expect(inSurveySample('x', 'y', 1)).toBe(true);
  });
});
