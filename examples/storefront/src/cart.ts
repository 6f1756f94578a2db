/**
 * The shopping cart: product ids and quantities, kept in `localStorage` so a reload keeps the
 * cart. Storage is passed in (not read from `window` at import time), so the module is safe to
 * import anywhere and easy to test.
 */
import { findProduct, type Product } from './products.js';

export interface CartLine {
  product: Product;
  quantity: number;
}

export interface Cart {
  /** Stable for the life of the cart; carried as `cartId` on cart touchpoints. */
  id: string;
  lines(): CartLine[];
  add(productId: string, quantity?: number): CartLine | undefined;
  remove(productId: string): CartLine | undefined;
  count(): number;
  total(): number;
  clear(): void;
}

interface Stored {
  id: string;
  items: Record<string, number>;
}

const KEY = 'demo-shop.cart';

function load(storage: Pick<Storage, 'getItem'>): Stored | undefined {
  try {
    const value = JSON.parse(storage.getItem(KEY) ?? 'null') as Stored | null;
    if (value && typeof value.id === 'string' && typeof value.items === 'object') return value;
  } catch {
    // A corrupt entry is replaced by an empty cart below.
  }
  return undefined;
}

/**
 * Opens the cart stored in `storage` (or a new, empty one).
 *
 * @example
 * const cart = openCart(localStorage);
 * cart.add('whole-milk', 2);
 */
export function openCart(storage: Pick<Storage, 'getItem' | 'setItem'>, newId: () => string): Cart {
  let state: Stored = load(storage) ?? { id: newId(), items: {} };
  const save = () => storage.setItem(KEY, JSON.stringify(state));
  const lines = (): CartLine[] => {
    const out: CartLine[] = [];
    for (const [id, quantity] of Object.entries(state.items)) {
      const product = findProduct(id);
      if (product && quantity > 0) out.push({ product, quantity });
    }
    return out;
  };
  return {
    get id() {
      return state.id;
    },
    lines,
    add(productId, quantity = 1) {
      const product = findProduct(productId);
      if (!product || !Number.isInteger(quantity) || quantity < 1) return undefined;
      state.items[productId] = (state.items[productId] ?? 0) + quantity;
      save();
      return { product, quantity: state.items[productId]! };
    },
    remove(productId) {
      const product = findProduct(productId);
      const quantity = state.items[productId];
      if (!product || quantity === undefined) return undefined;
      delete state.items[productId];
      save();
      return { product, quantity };
    },
    count: () => lines().reduce((n, l) => n + l.quantity, 0),
    total: () => Math.round(lines().reduce((sum, l) => sum + l.product.price * l.quantity, 0) * 100) / 100,
    clear() {
      state = { id: newId(), items: {} };
      save();
    },
  };
}
