import { describe, expect, it } from 'vitest';
import { uuidV4 } from './uuid-v4.js';

describe('uuidV4', () => {
  it('gives version 4, variant 1 UUIDs in the canonical lower-case form', () => {
    for (let i = 0; i < 10_000; i++)
      expect(uuidV4()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('never repeats, across many refills of its entropy pool', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200_000; i++) seen.add(uuidV4());
    expect(seen.size).toBe(200_000);
  });

  it('uses every hex digit in every random position (no stuck bits)', () => {
    const digits = Array.from({ length: 36 }, () => new Set<string>());
    for (let i = 0; i < 5_000; i++) {
      const id = uuidV4();
      for (let p = 0; p < 36; p++) digits[p]!.add(id[p]!);
    }
    for (let p = 0; p < 36; p++) {
      if ([8, 13, 18, 23].includes(p)) expect([...digits[p]!]).toEqual(['-']);
      else if (p === 14) expect([...digits[p]!]).toEqual(['4']);
      else if (p === 19) expect([...digits[p]!].sort()).toEqual(['8', '9', 'a', 'b']);
      else expect(digits[p]!.size).toBe(16);
    }
  });
});
