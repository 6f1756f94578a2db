/**
 * Type-level tests: the catalog's types must flow into track() signatures.
 * Run by `vitest --typecheck` (core's vitest config enables it for *.test-d.ts).
 */
import { describe, expectTypeOf, it } from 'vitest';
import * as z from 'zod';
import {
  defineTouchpoints,
  type PropertiesArg,
  props,
  type TouchpointName,
  type TouchpointProperties,
} from './catalog.js';
import { commerceTouchpoints } from './commerce-catalog.js';

// A minimal typed track() the way the SDKs build it from these helpers.
declare function makeTrack<C>(
  catalog: C,
): <N extends TouchpointName<C>>(name: N, ...args: PropertiesArg<TouchpointProperties<C, N>>) => void;

describe('typed catalog', () => {
  const catalog = defineTouchpoints({
    'checkout.completed': { stage: 'purchase', properties: props<{ orderId: string; total: number }>() },
    'cart.viewed': { stage: 'consideration', properties: props<{ cartId?: string }>() },
    'order.refunded': { stage: 'service', schema: z.object({ orderId: z.string(), amount: z.number() }) },
    'free.form': { stage: 'awareness' },
  });
  const track = makeTrack(catalog);

  it('checks names and properties at compile time', () => {
    track('checkout.completed', { orderId: 'o-1', total: 42 });
    track('cart.viewed');
    track('cart.viewed', { cartId: 'c' });
    track('order.refunded', { orderId: 'o', amount: 3 });
    track('free.form', { anything: true });
    // @ts-expect-error unknown touchpoint name
    track('checkout.complete', { orderId: 'o-1', total: 42 });
    // @ts-expect-error missing required properties
    track('checkout.completed');
    // @ts-expect-error wrong property type
    track('checkout.completed', { orderId: 'o-1', total: '42' });
    // @ts-expect-error schema-derived property types are enforced too
    track('order.refunded', { orderId: 1, amount: 3 });
  });

  it('infers names and property types', () => {
    expectTypeOf<TouchpointName<typeof catalog>>().toEqualTypeOf<
      'checkout.completed' | 'cart.viewed' | 'order.refunded' | 'free.form'
    >();
    expectTypeOf<TouchpointProperties<typeof catalog, 'checkout.completed'>>().toEqualTypeOf<{
      orderId: string;
      total: number;
    }>();
    expectTypeOf<TouchpointProperties<typeof catalog, 'order.refunded'>>().toEqualTypeOf<{
      orderId: string;
      amount: number;
    }>();
  });

  it('without a catalog any name and properties are accepted', () => {
    const untyped = makeTrack(undefined);
    untyped('whatever', { a: 1 });
    untyped('whatever');
    expectTypeOf<TouchpointName<undefined>>().toEqualTypeOf<string>();
  });

  it('the commerce catalog is typed the same way', () => {
    const t = makeTrack(commerceTouchpoints);
    t('order.completed', { orderId: 'o', total: 10, currency: 'EUR' });
    t('cart.item_added', { productId: 'p1', quantity: 2 });
    // @ts-expect-error productId is required
    t('product.viewed', { name: 'Mug' });
  });
});
