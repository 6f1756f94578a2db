import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import {
  catalogToMarkdown,
  checkTouchpointProperties,
  defineTouchpoints,
  getTouchpoint,
  props,
  TouchpointConfigError,
} from './catalog.js';
import { commerceTouchpoints } from './commerce-catalog.js';
import { JOURNEY_STAGES } from './stages.js';

describe('defineTouchpoints', () => {
  it('returns the same plain object, typed', () => {
    const defs = { 'a.b': { stage: 'purchase' as const } };
    expect(defineTouchpoints(defs)).toBe(defs);
  });

  it('fails at definition time naming the bad field', () => {
    expect(() => defineTouchpoints({ 'x.y': { stage: 'buying' as never } })).toThrowError(TouchpointConfigError);
    try {
      defineTouchpoints({ 'x.y': { stage: 'buying' as never } });
    } catch (e) {
      expect((e as TouchpointConfigError).field).toBe('touchpoints["x.y"].stage');
      expect((e as Error).message).toContain('awareness, consideration, purchase');
    }
    expect(() => defineTouchpoints({ ' bad name': { stage: 'purchase' } })).toThrow(/touchpoint name/);
    expect(() => defineTouchpoints({ ok: { stage: 'purchase', channel: '' } })).toThrow(/channel/);
    expect(() => defineTouchpoints({ ok: { stage: 'purchase', schema: {} as never } })).toThrow(/Standard Schema/);
  });

  it('looks up only own entries (no prototype names)', () => {
    expect(getTouchpoint(commerceTouchpoints, 'order.completed')?.stage).toBe('purchase');
    expect(getTouchpoint(commerceTouchpoints, 'toString')).toBeUndefined();
    expect(getTouchpoint(undefined, 'order.completed')).toBeUndefined();
  });

  it('validates properties with a zod schema through Standard Schema', async () => {
    const catalog = defineTouchpoints({
      'order.completed': { stage: 'purchase', schema: z.object({ orderId: z.string(), total: z.number().positive() }) },
      'page.seen': { stage: 'awareness', properties: props<{ path: string }>() },
    });
    expect(await checkTouchpointProperties(catalog, 'order.completed', { orderId: 'o1', total: 5 })).toEqual([]);
    const issues = await checkTouchpointProperties(catalog, 'order.completed', { orderId: 'o1', total: -1 });
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe('properties.total');
    expect(await checkTouchpointProperties(catalog, 'page.seen', {})).toEqual([]);
  });
});

describe('commerceTouchpoints', () => {
  it('covers all seven journey stages with owners and descriptions', () => {
    const stages = new Set(Object.values(commerceTouchpoints).map((d) => d.stage));
    expect([...stages].sort()).toEqual([...JOURNEY_STAGES].sort());
    for (const [name, def] of Object.entries(commerceTouchpoints)) {
      expect(def.owner, name).toBeTruthy();
      expect(def.description, name).toBeTruthy();
    }
    for (const name of [
      'ad.clicked',
      'product.viewed',
      'product.compared',
      'cart.item_added',
      'checkout.started',
      'payment.submitted',
      'order.completed',
      'account.created',
      'newsletter.subscribed',
      'review.written',
      'referral.sent',
      'support.contacted',
      'return.requested',
      'offer.shown',
      'offer.accepted',
      'offer.dismissed',
    ]) {
      expect(commerceTouchpoints, name).toHaveProperty([name]);
    }
  });

  it('prints a touchpoint map grouped by stage in journey order', () => {
    const md = catalogToMarkdown(commerceTouchpoints, { title: 'Shop touchpoints' });
    expect(md.startsWith('# Shop touchpoints')).toBe(true);
    const order = JOURNEY_STAGES.map((s) => md.indexOf(`## ${s[0]!.toUpperCase()}${s.slice(1)}`));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(md).toContain('| `order.completed` | web | ecommerce | Placed an order. |');
  });

  it('escapes table characters in descriptions', () => {
    const md = catalogToMarkdown(defineTouchpoints({ 'a.b': { stage: 'service', description: 'x | y\nz' } }));
    expect(md).toContain('x \\| y z');
  });
});
