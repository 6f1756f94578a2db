import { MAX_STRING_LENGTH, systemClock } from '@touchpoint/core';
import { cleanJsonObject } from '@touchpoint/core/schema';
import { describe, expect, it } from 'vitest';
import { buildTrack } from './server-track.js';

describe('buildTrack properties', () => {
  // track() accepts and copies exactly what core's walk does, and refuses the rest.
  const cases: unknown[] = [
    { orderId: 'o-1', total: 42.5, paid: true, note: null, skipped: undefined, '7': 'numeric key' },
    {},
    { nested: { a: [1, 'x', null] } },
    Object.assign(Object.create(null), { a: 1 }),
    { bad: Number.NaN },
    { big: 'x'.repeat(MAX_STRING_LENGTH + 1) },
    { ['k'.repeat(257)]: 1 },
    JSON.parse('{"__proto__": {"polluted": true}}'),
    { constructor: 'x' },
    { when: new Date(0) },
    { fn: () => 1 },
  ];
  for (const properties of cases) {
    it(`matches cleanJsonObject for ${Object.keys(properties as object).join(',') || 'an empty object'}`, () => {
      const raw: { path: (string | number)[]; message: string }[] = [];
      const expected = cleanJsonObject(properties, [], raw);
      const built = buildTrack({ userId: 'u-1', event: 'order.shipped', properties }, undefined, systemClock);
      if (raw.length > 0) expect(built.ok).toBe(false);
      else {
        expect(built.ok && built.event.properties).toEqual(expected);
        expect(built.ok && built.event.properties).not.toBe(properties);
      }
    });
  }
});

describe('buildTrack ids', () => {
  it('keeps a userId alone as it is, without making up an anonymousId', () => {
    const built = buildTrack({ userId: 'u-1', event: 'order.shipped' }, undefined, systemClock);
    expect(built.ok && built.event).toMatchObject({ userId: 'u-1' });
    expect(built.ok && built.event).not.toHaveProperty('anonymousId');
    const both = buildTrack({ userId: 'u-1', anonymousId: 'a-1', event: 'order.shipped' }, undefined, systemClock);
    expect(both.ok && both.event).toMatchObject({ userId: 'u-1', anonymousId: 'a-1' });
  });
});
