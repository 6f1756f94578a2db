/**
 * The recommender's seed: grocery baskets (one per line, items comma-separated) turned into
 * baskets of the shop's product ids, slugged exactly as the storefront slugs its catalogue.
 */
import { readFile } from 'node:fs/promises';
// One slug rule for the shop's catalogue and the seed baskets, so their ids cannot drift apart.
import { productIdOf } from '../../storefront/src/products.js';

/** Parses basket CSV text: one basket per non-empty line, duplicates within a basket removed. */
export function parseBaskets(text: string): string[][] {
  const baskets: string[][] = [];
  for (const line of text.split('\n')) {
    const items = [...new Set(line.split(',').map(productIdOf).filter(Boolean))];
    if (items.length > 0) baskets.push(items);
  }
  return baskets;
}

/**
 * @example
 * const baskets = await readSeedBaskets('examples/server/seed/groceries-top40.csv');
 */
export async function readSeedBaskets(path: string): Promise<string[][]> {
  return parseBaskets(await readFile(path, 'utf8'));
}
