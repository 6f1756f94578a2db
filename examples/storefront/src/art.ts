/**
 * Product pictures as small inline SVGs: a category glyph in the category's colours with the
 * product's initials. Drawn from plain shapes so they look the same on every machine (emoji fonts
 * are missing on many Linux systems, headless browsers included).
 */
import { esc } from './html.js';
import type { Product } from './products.js';

const PALETTE: Record<string, [bg: string, fg: string]> = {
  Dairy: ['#e3edfb', '#3d6fb6'],
  Produce: ['#e1f3e5', '#2f7d4f'],
  Bakery: ['#fbefd0', '#b7791f'],
  Drinks: ['#dff1fa', '#1f7aa8'],
  Meat: ['#fbe2e0', '#b23b32'],
  Household: ['#ecefee', '#5d6b63'],
  Pantry: ['#f8e6d6', '#9a5b2b'],
  Sweets: ['#f9e0ee', '#a23b72'],
  Frozen: ['#dcf4f6', '#17808a'],
  Snacks: ['#fbf1cf', '#a1771a'],
};

const GLYPHS: Record<string, string> = {
  Dairy: '<path d="M38 30 h24 l6 12 v40 h-36 v-40 z M38 30 l6 12 h24" />',
  Produce: '<circle cx="50" cy="58" r="24" /><path d="M50 34 q8 -12 18 -10 q-4 10 -18 10" />',
  Bakery: '<path d="M24 70 v-16 q0 -20 26 -20 q26 0 26 20 v16 z" />',
  Drinks: '<path d="M44 22 h12 v12 q10 6 10 18 v32 h-32 v-32 q0 -12 10 -18 z" />',
  Meat: '<ellipse cx="50" cy="56" rx="28" ry="20" /><circle cx="42" cy="52" r="6" />',
  Household: '<rect x="28" y="32" width="44" height="44" rx="4" /><path d="M28 46 h44 M28 60 h44" />',
  Pantry: '<rect x="32" y="36" width="36" height="44" rx="6" /><rect x="36" y="26" width="28" height="10" rx="2" />',
  Sweets:
    '<rect x="34" y="40" width="32" height="24" rx="12" /><path d="M34 52 l-12 -10 v20 z M66 52 l12 -10 v20 z" />',
  Frozen: '<path d="M50 26 v52 M28 39 l44 26 M28 65 l44 -26" />',
  Snacks: '<path d="M32 26 h36 l-4 8 l4 8 v32 l4 8 h-44 l4 -8 v-32 l4 -8 z" />',
};

function initials(name: string): string {
  return name
    .replace(/[^A-Za-z ]/g, ' ')
    .split(/\s+/)
    .filter((w) => w.length > 2)
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join('');
}

/**
 * @example
 * productArt(findProduct('whole-milk')!); // '<svg …>…</svg>'
 */
export function productArt(product: Product): string {
  const [bg, fg] = PALETTE[product.category] ?? ['#eef2ef', '#1f2a24'];
  const glyph = GLYPHS[product.category] ?? '<circle cx="50" cy="54" r="24" />';
  return `<svg class="art" viewBox="0 0 100 100" role="img" aria-label="${esc(product.name)}"><rect width="100" height="100" rx="12" fill="${bg}"/><g fill="none" stroke="${fg}" stroke-width="4" stroke-linejoin="round" stroke-linecap="round" transform="translate(10 2) scale(0.8)">${glyph}</g><text x="50" y="94" text-anchor="middle" font-size="13" font-weight="700" fill="${fg}" font-family="system-ui, sans-serif">${esc(initials(product.name))}</text></svg>`;
}
