// @vitest-environment node
import { TouchpointConfigError } from '@touchpoint/core';
import { createManualClock } from '@touchpoint/core/testing';
import { describe, expect, it } from 'vitest';
import { createRecommender } from './create-recommender.js';
import { recommenderFromJSON } from './recommender-from-json.js';
import type { Interaction } from './types.js';

/** A small shop with clear structure: tea goes with biscuits and milk, coffee with milk and cake. */
function shopBaskets(): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < 20; i++) {
    out.push(['tea', 'biscuits']);
    out.push(['tea', 'biscuits', 'milk']);
    out.push(['coffee', 'milk', 'cake']);
    out.push(['coffee', 'cake']);
    if (i % 4 === 0) out.push(['green-tea', 'biscuits']);
    if (i % 2 === 0) out.push(['bread']);
  }
  return out;
}

/** Deterministic synthetic baskets over 60 items with a few strong pairings. */
function syntheticInteractions(count: number): Interaction[] {
  let seed = 7;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const out: Interaction[] = [];
  for (let b = 0; b < count; b++) {
    const size = 2 + Math.floor(rand() * 4);
    const anchor = Math.floor(rand() * 60);
    for (let i = 0; i < size; i++) {
      const item = i === 0 ? anchor : rand() < 0.5 ? (anchor + 1 + i) % 60 : Math.floor(rand() * 60);
      const kind = rand() < 0.5 ? 'view' : rand() < 0.5 ? 'cart' : 'purchase';
      out.push({
        subject: `s${b % 37}`,
        item: `p${item}`,
        kind,
        basketId: `b${b}`,
        timestamp: 1_700_000_000_000 + b * 60_000 + i,
      });
    }
  }
  return out;
}

const QUERIES = [['p1'], ['p2', 'p3'], ['p10'], ['p59', 'p0'], ['p20', 'p21', 'p22'], ['p33']];

describe('createRecommender', () => {
  it('suggests what is bought together, explains why, and never suggests what the customer has', () => {
    const rec = createRecommender();
    rec.learnBaskets(shopBaskets());
    const recs = rec.recommend({ items: ['tea'], k: 2 });
    expect(recs.map((r) => r.item)).toEqual(['biscuits', 'milk']);
    expect(recs[0]!.because).toEqual(['tea']);
    expect(recs[0]!.score).toBeGreaterThan(recs[1]!.score);

    const cart = rec.recommend({ items: ['tea', 'coffee'], k: 5, exclude: ['milk'] });
    const items = cart.map((r) => r.item);
    expect(items).not.toContain('tea');
    expect(items).not.toContain('coffee');
    expect(items).not.toContain('milk');
    expect(cart.find((r) => r.item === 'cake')!.because).toEqual(['coffee']);
  });

  it('fills cold items with popular ones, marked as unexplained', () => {
    const rec = createRecommender();
    rec.learnBaskets(shopBaskets());
    const recs = rec.recommend({ items: ['never-seen'], k: 3 });
    expect(recs).toHaveLength(3);
    expect(recs.every((r) => r.score === 0 && r.because.length === 0)).toBe(true);
    expect(recs[0]!.item).toBe('biscuits'); // the best seller
    expect(rec.recommend({ items: ['never-seen'], k: 3, fillWithPopular: false })).toEqual([]);
    expect(rec.recommend({ items: ['tea'], k: Number.NaN })).toHaveLength(6); // default 10, capped by the catalogue
    expect(rec.recommend({ items: ['tea'], k: 0 })).toEqual([]);
    expect(createRecommender().recommend({ items: ['tea'] })).toEqual([]); // nothing learned yet
    expect(recommenderFromJSON(createRecommender().toJSON()).itemCount).toBe(0);
  });

  it('answers identically for the same input, with ties broken by item id', () => {
    const a = createRecommender();
    const b = createRecommender();
    a.learnBaskets([
      ['x', 'b'],
      ['x', 'a'],
      ['x', 'c'],
    ]);
    b.learnBaskets([
      ['x', 'b'],
      ['x', 'a'],
      ['x', 'c'],
    ]);
    const recs = a.recommend({ items: ['x'], k: 3 });
    expect(recs.map((r) => r.item)).toEqual(['a', 'b', 'c']);
    expect(b.recommend({ items: ['x'], k: 3 })).toEqual(recs);
  });

  it('weighs a purchase together above a glance together', () => {
    const rec = createRecommender();
    const at = (item: string, kind: Interaction['kind'], basketId: string): Interaction => ({
      subject: basketId,
      item,
      kind,
      basketId,
    });
    for (let i = 0; i < 10; i++) {
      rec.learn([at('phone', 'purchase', `o${i}`), at('case', 'purchase', `o${i}`), at('charger', 'view', `o${i}`)]);
    }
    expect(rec.recommend({ items: ['phone'], k: 2 }).map((r) => r.item)).toEqual(['case', 'charger']);
  });

  it('groups interactions by basketId, or by subject when there is none', () => {
    const rec = createRecommender();
    const result = rec.learn([
      { subject: 'u1', item: 'a', kind: 'cart' },
      { subject: 'u1', item: 'b', kind: 'cart' },
      { subject: 'u2', item: 'c', kind: 'cart', basketId: 'o1' },
      { subject: 'u3', item: 'd', kind: 'cart', basketId: 'o1' },
      { subject: '', item: 'e', kind: 'cart' },
      { subject: 'u4', item: 'f', kind: 'like' as never },
      { subject: 'u4', item: 'g', kind: 'cart', timestamp: 'not a date' },
    ]);
    expect(result).toEqual({ accepted: 4, skipped: 3 });
    expect(rec.basketCount).toBe(2);
    expect(rec.subjectCount).toBe(3);
    expect(rec.recommend({ items: ['a'], k: 1, fillWithPopular: false })[0]!.item).toBe('b');
    expect(rec.recommend({ items: ['c'], k: 1, fillWithPopular: false })[0]!.item).toBe('d');
  });

  it.each([
    ['without decay (only changed neighbourhoods refit)', {}],
    ['with a half-life (every item refits)', { halfLifeDays: 30 }],
  ])('learning day by day gives the same model as learning everything at once, %s', (_, options) => {
    const all = syntheticInteractions(400);
    const batch = createRecommender(options);
    batch.learn(all);
    const incremental = createRecommender(options);
    // Three "days", cut through the middle of baskets so some baskets grow across calls.
    for (const part of [all.slice(0, 301), all.slice(301, 702), all.slice(702)]) {
      incremental.learn(part);
      incremental.recommend({ items: ['p1'] }); // forces a refit between days
    }
    for (const items of QUERIES) {
      const want = batch.recommend({ items, k: 10 });
      const got = incremental.recommend({ items, k: 10 });
      expect(got.map((r) => r.item)).toEqual(want.map((r) => r.item));
      got.forEach((r, i) => {
        expect(r.score).toBeCloseTo(want[i]!.score, 9);
      });
    }
  });

  it('forget(subject) removes every basket the subject touched, as if never learned', () => {
    const others = syntheticInteractions(300);
    const secret: Interaction[] = [];
    for (let i = 0; i < 15; i++) {
      secret.push({ subject: 'anon-9', item: 'p5', kind: 'purchase', basketId: `secret-${i}` });
      secret.push({ subject: 'user-9', item: 'rare-gift', kind: 'purchase', basketId: `secret-${i}` });
    }
    const rec = createRecommender();
    rec.learn(others.slice(0, 500));
    rec.learn(secret);
    rec.learn(others.slice(500));
    expect(rec.recommend({ items: ['p5'], k: 1 })[0]!.item).toBe('rare-gift');

    expect(rec.forget('user-9')).toBe(15);
    expect(rec.forget('user-9')).toBe(0);
    const clean = createRecommender();
    clean.learn(others);
    for (const items of [['p5'], ...QUERIES]) {
      const got = rec.recommend({ items, k: 10, fillWithPopular: false });
      const want = clean.recommend({ items, k: 10, fillWithPopular: false });
      expect(got.map((r) => r.item)).toEqual(want.map((r) => r.item));
      got.forEach((r, i) => {
        expect(r.score).toBeCloseTo(want[i]!.score, 9);
      });
    }
    expect(rec.subjectCount).toBe(clean.subjectCount);
  });

  it('lets recent baskets outweigh old ones when a half-life is set', () => {
    const day = 86_400_000;
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    const rec = createRecommender({ halfLifeDays: 7 });
    for (let i = 0; i < 10; i++) rec.learnBaskets([['grill', 'charcoal']], { timestamp: t0 });
    for (let i = 0; i < 4; i++) rec.learnBaskets([['grill', 'cover']], { timestamp: t0 + 60 * day });
    expect(rec.recommend({ items: ['grill'], k: 1 })[0]!.item).toBe('cover');
    const timeless = createRecommender();
    for (let i = 0; i < 10; i++) timeless.learnBaskets([['grill', 'charcoal']], { timestamp: t0 });
    for (let i = 0; i < 4; i++) timeless.learnBaskets([['grill', 'cover']], { timestamp: t0 + 60 * day });
    expect(timeless.recommend({ items: ['grill'], k: 1 })[0]!.item).toBe('charcoal');
  });

  it('finds similar items: ones bought with the same things', () => {
    const rec = createRecommender();
    rec.learnBaskets(shopBaskets());
    const similar = rec.recommend({ items: ['green-tea'], k: 1, intent: 'similar', fillWithPopular: false });
    expect(similar[0]).toMatchObject({ item: 'tea', because: ['green-tea'] });
  });

  it('refits in slices, yielding to the event loop between them, to the same model', async () => {
    const clock = createManualClock(0);
    const all = syntheticInteractions(300);
    const sliced = createRecommender();
    sliced.learn(all);
    const whole = createRecommender();
    whole.learn(all);
    const done = sliced.modelInSlices({ clock, sliceItems: 10 });
    expect(sliced.modelInSlices({ clock })).toBe(done); // one refit at a time
    expect(clock.pending).toBe(1); // paused after the first slice
    let finished = false;
    void done.then(() => {
      finished = true;
    });
    await clock.advanceAsync(0);
    expect(finished).toBe(true);
    const model = await done;
    for (const items of QUERIES) expect(model.recommend({ items })).toEqual(whole.recommend({ items }));
    expect(sliced.model()).toBe(model); // nothing changed since: no refit
  });

  it('keeps memory bounded with maxBaskets: the basket updated longest ago is dropped', () => {
    const rec = createRecommender({ maxBaskets: 2 });
    rec.learnBaskets([['kettle', 'descaler']], { subject: 'a' });
    rec.learnBaskets([['tea', 'biscuits']], { subject: 'b' });
    rec.learnBaskets([['coffee', 'filters']], { subject: 'c' });
    expect(rec.basketCount).toBe(2);
    expect(rec.subjectCount).toBe(2);
    expect(rec.recommend({ items: ['kettle'], k: 3, fillWithPopular: false })).toEqual([]);
    expect(rec.recommend({ items: ['tea'], k: 1 })[0]!.item).toBe('biscuits');
  });

  it('rejects bad options at creation, naming the field', () => {
    expect(() => createRecommender({ l2: -1 })).toThrow(TouchpointConfigError);
    expect(() => createRecommender({ neighbours: 0 })).toThrow(/neighbours/);
    expect(() => createRecommender({ kindWeights: { view: Number.NaN } })).toThrow(/kindWeights\.view/);
  });
});
