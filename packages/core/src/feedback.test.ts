import { describe, expect, it } from 'vitest';
import { checkFeedback, feedbackSentiment, isNegativeFeedback, npsCategory, validateFeedback } from './feedback.js';

const ok = (input: unknown) => {
  const r = validateFeedback(input);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
};
const issuesOf = (input: unknown) => {
  const r = validateFeedback(input);
  return r.ok ? [] : r.issues;
};

describe('score boundaries per kind', () => {
  const cases: [kind: string, valid: number[], invalid: number[]][] = [
    ['nps', [0, 6, 7, 8, 9, 10], [-1, 11, 5.5, Number.NaN, Number.POSITIVE_INFINITY]],
    ['csat', [1, 2, 3, 4, 5], [0, 6, 2.5]],
    ['ces', [1, 3, 4, 5, 7], [0, 8, 4.5]],
    ['thumbs', [0, 1], [-1, 2, 0.5]],
  ];
  for (const [kind, valid, invalid] of cases) {
    it(`${kind} accepts ${valid.join(', ')}`, () => {
      for (const score of valid) expect(validateFeedback({ kind, score }).ok, `${kind} ${score}`).toBe(true);
    });
    it(`${kind} rejects ${invalid.join(', ')} with a path and the allowed range`, () => {
      for (const score of invalid) {
        const issues = issuesOf({ kind, score });
        expect(issues, `${kind} ${score}`).toHaveLength(1);
        expect(issues[0]!.path).toBe('feedback.score');
        expect(issues[0]!.message).toMatch(
          kind === 'thumbs' ? /0 \(down\) or 1 \(up\)/ : /integer from \d+ to \d+|numeric/,
        );
      }
    });
  }

  it('rating uses its scale (default 5) in half steps', () => {
    expect(ok({ kind: 'rating', score: 4.5 }).scale).toBe(5);
    expect(ok({ kind: 'rating', score: 10, scale: 10 }).sentiment).toBe('positive');
    expect(issuesOf({ kind: 'rating', score: 6 })[0]!.message).toMatch(/1 to 5/);
    expect(issuesOf({ kind: 'rating', score: 0 })[0]!.message).toMatch(/1 to 5/);
    expect(issuesOf({ kind: 'rating', score: 3.3 })[0]!.message).toMatch(/steps of 0.5/);
    expect(issuesOf({ kind: 'rating', score: 3, scale: 11 })[0]!.path).toBe('feedback.scale');
    expect(issuesOf({ kind: 'nps', score: 3, scale: 10 })[0]!.message).toMatch(/only rating/);
  });

  it('text needs a comment and no score', () => {
    expect(ok({ kind: 'text', comment: 'Late delivery' }).sentiment).toBe('neutral');
    expect(issuesOf({ kind: 'text' })[0]!.message).toMatch(/needs a comment/);
    expect(issuesOf({ kind: 'text', comment: '   ' })[0]!.message).toMatch(/needs a comment/);
    expect(issuesOf({ kind: 'text', comment: 'x', score: 3 })[0]!.message).toMatch(/no score/);
  });

  it('a missing or unknown kind is named with the allowed kinds', () => {
    expect(issuesOf({ score: 3 })[0]).toEqual({
      path: 'feedback.kind',
      message: expect.stringContaining('nps, csat, ces, rating, thumbs, text'),
    });
    expect(issuesOf({ kind: 'stars', score: 3 })[0]!.message).toContain('"stars"');
    expect(issuesOf(null)[0]!.message).toMatch(/object/);
    expect(issuesOf('nps')[0]!.message).toMatch(/object/);
  });
});

describe('sentiment every consumer agrees on', () => {
  it('nps: 0-6 detractor/negative, 7-8 passive/neutral, 9-10 promoter/positive', () => {
    expect([0, 6, 7, 8, 9, 10].map(npsCategory)).toEqual([
      'detractor',
      'detractor',
      'passive',
      'passive',
      'promoter',
      'promoter',
    ]);
    expect(ok({ kind: 'nps', score: 6 })).toMatchObject({ sentiment: 'negative', npsCategory: 'detractor' });
    expect(ok({ kind: 'nps', score: 7 })).toMatchObject({ sentiment: 'neutral', npsCategory: 'passive' });
    expect(ok({ kind: 'nps', score: 9 })).toMatchObject({ sentiment: 'positive', npsCategory: 'promoter' });
  });
  it('csat, ces, rating and thumbs', () => {
    expect([1, 2, 3, 4, 5].map((score) => feedbackSentiment({ kind: 'csat', score }))).toEqual([
      'negative',
      'negative',
      'neutral',
      'positive',
      'positive',
    ]);
    expect([1, 3, 4, 5, 7].map((score) => feedbackSentiment({ kind: 'ces', score }))).toEqual([
      'negative',
      'negative',
      'neutral',
      'positive',
      'positive',
    ]);
    expect([1, 2, 3, 4, 5].map((score) => feedbackSentiment({ kind: 'rating', score }))).toEqual([
      'negative',
      'negative',
      'neutral',
      'positive',
      'positive',
    ]);
    expect(feedbackSentiment({ kind: 'thumbs', score: 0 })).toBe('negative');
    expect(isNegativeFeedback({ kind: 'thumbs', score: 1 })).toBe(false);
  });
});

describe('other fields', () => {
  it('keeps comment, touchpoint and tags, and copies the tags array', () => {
    const tags = ['delivery'];
    const value = ok({ kind: 'csat', score: 2, comment: 'Box was crushed', touchpoint: 'order.delivered', tags });
    expect(value).toEqual({
      kind: 'csat',
      score: 2,
      comment: 'Box was crushed',
      touchpoint: 'order.delivered',
      tags: ['delivery'],
      sentiment: 'negative',
    });
    expect(value.tags).not.toBe(tags);
  });
  it('rejects overlong comments, bad tags and bad touchpoint names', () => {
    expect(issuesOf({ kind: 'nps', score: 1, comment: 'x'.repeat(4001) })[0]!.message).toMatch(/at most 4000/);
    expect(issuesOf({ kind: 'nps', score: 1, comment: 42 })[0]!.path).toBe('feedback.comment');
    expect(issuesOf({ kind: 'nps', score: 1, tags: ['ok', ''] })[0]!.path).toBe('feedback.tags[1]');
    expect(issuesOf({ kind: 'nps', score: 1, tags: 'x' })[0]!.path).toBe('feedback.tags');
    expect(issuesOf({ kind: 'nps', score: 1, touchpoint: '' })[0]!.path).toBe('feedback.touchpoint');
  });
});

describe('checkFeedback (the browser-side check)', () => {
  it('applies the same rules as validateFeedback but derives nothing', () => {
    const r = checkFeedback({ kind: 'nps', score: 3, comment: 'late' });
    expect(r).toEqual({ ok: true, value: { kind: 'nps', score: 3, comment: 'late' } });
    expect(checkFeedback({ kind: 'csat', score: 9 })).toEqual(validateFeedback({ kind: 'csat', score: 9 }));
    expect(checkFeedback({ kind: 'text' }, 'batch[2].feedback')).toEqual(
      validateFeedback({ kind: 'text' }, 'batch[2].feedback'),
    );
    expect(checkFeedback({ kind: 'rating', score: 4 })).toEqual({
      ok: true,
      value: { kind: 'rating', score: 4, scale: 5 },
    });
  });
});
