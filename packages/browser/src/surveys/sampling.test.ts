import { describe, expect, it } from 'vitest';
import { inSurveySample, surveyHash } from './sampling.js';

describe('sticky sampling in the page', () => {
  it('hashes exactly like @touchpoint/node/surveys (shared vectors)', () => {
    // The same vectors are asserted in packages/node/src/surveys/sampling.test.ts.
    expect(surveyHash('')).toBe(2872998923);
    expect(surveyHash('a')).toBe(444641715);
    expect(surveyHash('after-order\ncust-7')).toBe(2927668550);
  });

  it('gives a customer the same answer every time', () => {
    const first = Array.from({ length: 1000 }, (_, i) => inSurveySample('why-cart', `c-${i}`, 0.25));
    expect(Array.from({ length: 1000 }, (_, i) => inSurveySample('why-cart', `c-${i}`, 0.25))).toEqual(first);
    const share = first.filter(Boolean).length / 1000;
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.3);
  });
});
