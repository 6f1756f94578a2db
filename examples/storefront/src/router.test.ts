import { describe, expect, it } from 'vitest';
import { parseRoute, routeTitle } from './router.js';

describe('parseRoute', () => {
  it('reads every shop page from its path', () => {
    expect(parseRoute('/')).toEqual({ name: 'home' });
    expect(parseRoute('/products/whole-milk')).toEqual({ name: 'product', productId: 'whole-milk' });
    expect(parseRoute('/cart/')).toEqual({ name: 'cart' });
    expect(parseRoute('/checkout')).toEqual({ name: 'checkout' });
    expect(parseRoute('/orders/A-123456')).toEqual({ name: 'order', orderId: 'A-123456' });
    expect(parseRoute('/support')).toEqual({ name: 'support' });
    expect(parseRoute('/products/../etc')).toEqual({ name: 'not-found', path: '/products/../etc' });
  });

  it('titles product pages with the product name', () => {
    expect(routeTitle({ name: 'product', productId: 'x' }, 'Butter, 250 g')).toBe('Butter, 250 g — Corner Grocer');
  });
});
