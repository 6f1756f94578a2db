import { describe, expect, it } from 'vitest';
import { createErasureSubject, erasureRequest } from '../privacy/subject.js';
import { fn } from './fn.js';

const request = () => erasureRequest(createErasureSubject({ erasureId: 'er_fn', userIds: ['u-1'] }), new Date());

describe('fn destination, erasure', () => {
  it('passes erase through, and checks it is a function', async () => {
    const erased: string[] = [];
    const destination = fn(async () => {}, {
      erase: async (req) => {
        erased.push(req.erasureId);
      },
    });
    await destination.erase!(request());
    expect(erased).toEqual(['er_fn']);
    expect(fn(async () => {}).erase).toBeUndefined();
    expect(() => fn(async () => {}, { erase: 'x' as never })).toThrow(/fn\.erase/);
  });
});
