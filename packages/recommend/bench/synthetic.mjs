// The seeded random draws of the synthetic cost benches (cost.mjs, customers-cost.mjs), in one
// place so both shops are drawn the same way.

/**
 * mulberry32: a small, well-mixed PRNG with a fixed seed (the protocol's LCG loses precision in
 * floating point, harmless for picking a hidden item but too lumpy to draw 1M interactions).
 */
export function createRandom(seed) {
  let s = seed;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let r = Math.imul(s ^ (s >>> 15), 1 | s);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws item ranks 0…items−1 with Zipf(exponent) popularity, using `rand`. */
export function createZipf(rand, items, exponent = 1.05) {
  const cdf = new Float64Array(items);
  let total = 0;
  for (let r = 0; r < items; r++) {
    total += 1 / (r + 1) ** exponent;
    cdf[r] = total;
  }
  return () => {
    const u = rand() * total;
    let lo = 0;
    let hi = items - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

export const sku = (i) => `sku-${String(i).padStart(5, '0')}`;
