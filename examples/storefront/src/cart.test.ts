import { describe, expect, it } from 'vitest';
import { openCart } from './cart.js';

function memoryStorage() {
  const data = new Map<string, string>();
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v) };
}

let n = 0;
const newId = () => `cart-${++n}`;

describe('openCart', () => {
  it('adds products, sums quantities and totals in cents-exact euros', () => {
    const cart = openCart(memoryStorage(), newId);
    cart.add('whole-milk', 2);
    cart.add('butter');
    cart.add('whole-milk');
    expect(cart.lines().map((l) => [l.product.id, l.quantity])).toEqual([
      ['whole-milk', 3],
      ['butter', 1],
    ]);
    expect(cart.count()).toBe(4);
    expect(cart.total()).toBe(6.06);
  });

  it('refuses unknown products and bad quantities', () => {
    const cart = openCart(memoryStorage(), newId);
    expect(cart.add('caviar')).toBeUndefined();
    expect(cart.add('butter', 0)).toBeUndefined();
    expect(cart.add('butter', 1.5)).toBeUndefined();
    expect(cart.count()).toBe(0);
  });

  it('survives a reload through storage and starts a new cart id after clear()', () => {
    const storage = memoryStorage();
    const cart = openCart(storage, newId);
    cart.add('coffee');
    const reopened = openCart(storage, newId);
    expect(reopened.id).toBe(cart.id);
    expect(reopened.count()).toBe(1);
    reopened.clear();
    expect(reopened.count()).toBe(0);
    expect(openCart(storage, newId).id).not.toBe(cart.id);
  });

  it('removes a line and reports what was removed', () => {
    const cart = openCart(memoryStorage(), newId);
    cart.add('coffee', 2);
    expect(cart.remove('coffee')?.quantity).toBe(2);
    expect(cart.remove('coffee')).toBeUndefined();
  });
});
