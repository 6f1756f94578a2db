// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { fitBoostedTrees, scoreBoostedTrees } from './boosted-trees.js';

/** Rows of two features in [0, 1) from a fixed LCG; label = exactly one of them is above 0.5. */
function xorRows(rows: number) {
  let seed = 7;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const x = new Float64Array(rows * 2);
  const y: number[] = [];
  for (let r = 0; r < rows; r++) {
    x[2 * r] = rand();
    x[2 * r + 1] = rand();
    y.push(x[2 * r]! > 0.5 !== x[2 * r + 1]! > 0.5 ? 1 : 0);
  }
  return { x, y };
}

describe('fitBoostedTrees', () => {
  it('learns an interaction no linear score can (exclusive or of two features)', () => {
    const { x, y } = xorRows(4000);
    const model = fitBoostedTrees(x, y, 4000, 2, { trees: 30, depth: 2 });
    const test = xorRows(1000);
    let right = 0;
    for (let r = 0; r < 1000; r++) right += (scoreBoostedTrees(model, test.x, 2 * r) > 0 ? 1 : 0) === test.y[r] ? 1 : 0;
    expect(right / 1000).toBeGreaterThan(0.95);
  });

  it('is deterministic and plain data (JSON round trip scores the same)', () => {
    const { x, y } = xorRows(2000);
    const a = fitBoostedTrees(x, y, 2000, 2, { trees: 10 });
    const b = fitBoostedTrees(x, y, 2000, 2, { trees: 10 });
    expect(b).toEqual(a);
    const copy = JSON.parse(JSON.stringify(a));
    for (let r = 0; r < 50; r++) expect(scoreBoostedTrees(copy, x, 2 * r)).toBe(scoreBoostedTrees(a, x, 2 * r));
  });

  it('starts from the base rate and stays there when no feature tells anything', () => {
    const x = new Float64Array(100).fill(1);
    const y = Array.from({ length: 100 }, (_, r) => (r % 4 === 0 ? 1 : 0));
    const model = fitBoostedTrees(x, y, 100, 1, { trees: 5 });
    expect(1 / (1 + Math.exp(-scoreBoostedTrees(model, [1])))).toBeCloseTo(0.25, 9);
  });
});
