import { describe, expect, it } from 'vitest';
import { createMessageId } from '../event.js';
import { cleanJsonObject } from './json-value.js';
import { parseBatch, parseEvent } from './parse.js';

const now = '2026-11-22T10:00:00.000Z';
const base = () => ({ messageId: createMessageId(), timestamp: now, anonymousId: 'anon-1' });
const valid = {
  track: () => ({
    ...base(),
    type: 'track',
    event: 'cart.item_added',
    properties: { productId: 'p1', price: 9.5, tags: ['a'], nested: { ok: true } },
    stage: 'consideration',
    channel: 'web',
  }),
  page: () => ({
    ...base(),
    type: 'page',
    name: 'Home',
    context: { page: { path: '/', url: 'https://shop.test/' }, campaign: { source: 'newsletter' } },
  }),
  identify: () => ({
    ...base(),
    type: 'identify',
    userId: 'u-1',
    traits: { plan: 'gold' },
    identities: [
      { type: 'email', value: 'a'.repeat(64), hashed: true },
      { type: 'account', value: 'A-9', provider: 'amazon' },
    ],
  }),
  alias: () => ({ ...base(), type: 'alias', userId: 'u-1', previousId: 'anon-1' }),
  feedback: () => ({
    ...base(),
    type: 'feedback',
    feedback: { kind: 'nps', score: 3, comment: 'slow', touchpoint: 'order.completed' },
  }),
};

describe('parseEvent', () => {
  it('accepts every event type', () => {
    for (const [type, make] of Object.entries(valid)) {
      const r = parseEvent(make());
      expect(r.ok, `${type}: ${JSON.stringify(!r.ok && r.issues)}`).toBe(true);
    }
  });

  it('accepts a userId alone (a known customer, e.g. server-side), and refuses an event with neither id', () => {
    for (const [type, make] of Object.entries(valid)) {
      const { anonymousId: _, ...event } = { ...make(), userId: 'u-1' };
      const r = parseEvent(event);
      expect(r.ok, `${type}: ${JSON.stringify(!r.ok && r.issues)}`).toBe(true);
      expect(r.ok && r.value).not.toHaveProperty('anonymousId');
    }
    const { anonymousId: _, ...nobody } = valid.track();
    expect(parseEvent(nobody)).toEqual({
      ok: false,
      issues: [
        {
          path: 'anonymousId',
          message: 'give an anonymousId or a userId (a userId alone identifies a known customer)',
        },
      ],
    });
  });

  it('recomputes feedback sentiment instead of trusting the client', () => {
    const r = parseEvent({
      ...valid.feedback(),
      feedback: { kind: 'nps', score: 2, sentiment: 'positive', npsCategory: 'promoter' },
    });
    expect(r.ok && r.value.type === 'feedback' && r.value.feedback).toMatchObject({
      sentiment: 'negative',
      npsCategory: 'detractor',
    });
  });

  it('names feedback boundary errors with their path', () => {
    const r = parseEvent({ ...valid.feedback(), feedback: { kind: 'csat', score: 6 } }, { path: 'batch[3]' });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.issues[0]).toEqual({
      path: 'batch[3].feedback.score',
      message: 'csat score must be an integer from 1 to 5, got 6',
    });
  });

  it('strips unknown envelope keys and returns a fresh object', () => {
    const input = { ...valid.track(), evil: 1, context: { library: { name: 'x', version: '1' }, hack: true } };
    const r = parseEvent(input);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value).not.toBe(input);
      expect(r.value).not.toHaveProperty('evil');
      expect(r.value.context).not.toHaveProperty('hack');
    }
  });

  it('rejects missing ids, bad timestamps, unknown types and stages with actionable messages', () => {
    const cases: [unknown, RegExp][] = [
      [{ ...valid.track(), messageId: undefined }, /messageId/],
      [{ ...valid.track(), timestamp: 'yesterday' }, /ISO 8601/],
      [{ ...valid.track(), type: 'click' }, /type must be one of track, page, identify, alias, feedback/],
      [{ ...valid.track(), stage: 'checkout' }, /awareness/],
      [{ ...valid.track(), event: '' }, /touchpoint name/],
      [{ ...valid.identify(), userId: 42 }, /userId/],
      [null, /must be an object/],
      [[1, 2], /must be an object, got an array/],
    ];
    for (const [input, message] of cases) {
      const r = parseEvent(input);
      expect(r.ok).toBe(false);
      expect(!r.ok && r.issues.map((i) => `${i.path}: ${i.message}`).join('\n')).toMatch(message);
    }
  });
});

describe('hostile input', () => {
  it('rejects __proto__, constructor and prototype keys anywhere in free-form objects', () => {
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      const props = JSON.parse(`{"a":{"${key}":{"polluted":true}}}`);
      const r = parseEvent({ ...valid.track(), properties: props });
      expect(r.ok, key).toBe(false);
      expect(!r.ok && r.issues[0]!.path).toBe(`properties.a.${key}`);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('rejects deep nesting without blowing the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = { d: deep };
    const r = parseEvent({ ...valid.track(), properties: deep });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.issues[0]!.message).toMatch(/deeper than 8/);
  });

  it('rejects huge strings, huge arrays and events over 32 KB', () => {
    const huge = parseEvent({ ...valid.track(), properties: { s: 'x'.repeat(9000) } });
    expect(!huge.ok && huge.issues[0]!.message).toMatch(/at most 8192/);
    const wide = parseEvent({ ...valid.track(), properties: { a: Array.from({ length: 1000 }, (_, i) => i) } });
    expect(!wide.ok && wide.issues[0]!.message).toMatch(/at most 256/);
    const big = parseEvent({
      ...valid.track(),
      properties: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, 'y'.repeat(4000)])),
    });
    expect(!big.ok && big.issues[0]!.message).toMatch(/at most 32768/);
    const long = parseEvent({ ...valid.track(), userId: 'u'.repeat(10_000) });
    expect(!long.ok && long.issues[0]!.path).toBe('userId');
  });

  it('rejects non-JSON values and wrong types', () => {
    expect(parseEvent({ ...valid.track(), properties: { n: Number.NaN } }).ok).toBe(false);
    expect(parseEvent({ ...valid.track(), properties: { d: new Date() } }).ok).toBe(false);
    expect(parseEvent({ ...valid.track(), properties: 'str' }).ok).toBe(false);
    expect(parseEvent({ ...valid.track(), properties: [] }).ok).toBe(false);
    expect(parseEvent({ ...valid.feedback(), feedback: 'great' }).ok).toBe(false);
  });
});

describe('parseBatch', () => {
  it('keeps valid events of a mixed batch and lists the rejected ones by index and messageId', () => {
    const bad = { ...valid.feedback(), feedback: { kind: 'nps', score: 11 } };
    const r = parseBatch({ batch: [valid.track(), bad, 'junk', valid.page()], sentAt: now, v: 1, writeKey: 'pk_1' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.batch.map((e) => e.type)).toEqual(['track', 'page']);
    expect(r.value.writeKey).toBe('pk_1');
    expect(r.value.rejected.map((x) => x.index)).toEqual([1, 2]);
    expect(r.value.rejected[0]).toMatchObject({
      messageId: bad.messageId,
      issues: [{ path: 'batch[1].feedback.score' }],
    });
    expect(r.value.rejected[1]!.messageId).toBeUndefined();
  });

  it('fails as a whole only for a broken envelope', () => {
    expect(parseBatch(null).ok).toBe(false);
    expect(parseBatch({ sentAt: now }).ok).toBe(false);
    const noSent = parseBatch({ batch: [] });
    expect(!noSent.ok && noSent.issues[0]!.path).toBe('sentAt');
    const many = parseBatch({ batch: new Array(501).fill(0), sentAt: now });
    expect(!many.ok && many.issues[0]!.message).toMatch(/501 events; at most 500/);
  });
});

describe('cleanJsonObject paths', () => {
  it('names nested problems precisely and leaves the caller’s path as it was', () => {
    const path: (string | number)[] = ['properties'];
    const issues: { path: (string | number)[]; message: string }[] = [];
    const input = { ok: 'yes', list: [1, { deep: Number.NaN }, 'x'.repeat(9000)], n: null };
    const clean = cleanJsonObject(input, path, issues);
    expect(path).toEqual(['properties']);
    expect(issues.map((i) => i.path)).toEqual([
      ['properties', 'list', 1, 'deep'],
      ['properties', 'list', 2],
    ]);
    expect(clean).toMatchObject({ ok: 'yes', n: null });
  });
});
