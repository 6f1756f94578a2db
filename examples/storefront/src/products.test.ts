import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findProduct, productIdOf, products } from './products.js';

describe('products', () => {
  it('has 40 products with unique ids slugged from the basket names', () => {
    expect(products).toHaveLength(40);
    expect(new Set(products.map((p) => p.id)).size).toBe(40);
    expect(productIdOf('rolls/buns')).toBe('rolls-buns');
    expect(productIdOf('UHT-milk')).toBe('uht-milk');
    expect(findProduct('rolls-buns')?.basketName).toBe('rolls/buns');
  });

  it('sells every item of the seed baskets the recommender learns from, under the same ids', () => {
    const seed = readFileSync(resolve(import.meta.dirname, '../../server/seed/groceries-top40.csv'), 'utf8');
    const items = new Set(seed.split(/[,\n]/).filter(Boolean).map(productIdOf));
    expect([...items].sort()).toEqual(products.map((p) => p.id).sort());
  });
});
