/**
 * The recommender's seed: grocery baskets (one per line, items comma-separated) turned into
 * baskets of the shop's product ids, slugged exactly as the storefront slugs its catalogue.
 */
import { readFile } from 'node:fs/promises';

/** `rolls/buns` → `rolls-buns`. Must match `productIdOf` in the storefront. */
export function productIdOf(basketName: string): string {
  return basketName
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

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
