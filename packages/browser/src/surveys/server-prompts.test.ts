import { describe, expect, it } from 'vitest';
import { readPrompts } from './server-prompts.js';

describe('readPrompts', () => {
  it('keeps well-formed prompts and ignores anything else', () => {
    const good = { survey: 'after-order', kind: 'csat', question: { en: 'How was it?', vi: 'Thế nào?' } };
    const choice = {
      survey: 'why',
      kind: 'single',
      question: { en: 'Why?' },
      options: [
        { id: 'a', label: { en: 'A' } },
        { id: 'b', label: { en: 'B' } },
      ],
    };
    expect(readPrompts([good, choice])).toEqual([good, choice]);
    expect(readPrompts('nope')).toEqual([]);
    expect(
      readPrompts([
        null,
        { ...good, kind: 'poll' },
        { ...good, question: 'How?' },
        { ...good, survey: 3 },
        { ...choice, options: [{ id: 'a', label: { en: 'A' } }] },
        { ...choice, options: [{ id: 'a' }, { id: 'b' }] },
      ]),
    ).toEqual([]);
  });
});
