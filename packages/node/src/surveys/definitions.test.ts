import { TouchpointConfigError } from '@touchpoint/core';
import { describe, expect, it } from 'vitest';
import { defineSurveys, localize, surveyAbout } from './definitions.js';
import { shopSurveys } from './test-surveys.js';

const question = { en: 'How was it?', vi: 'Thế nào?' };
const fieldOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TouchpointConfigError);
    return (error as TouchpointConfigError).field;
  }
  throw new Error('did not throw');
};

describe('defineSurveys', () => {
  it('returns the same object, and names the bad field otherwise', () => {
    expect(defineSurveys(shopSurveys)).toBe(shopSurveys);
    expect(
      fieldOf(() => defineSurveys({ a: { kind: 'csat', question, trigger: { touchpoint: 'x' }, sample: 2 } })),
    ).toBe('surveys["a"].sample');
    expect(
      fieldOf(() =>
        defineSurveys({ a: { kind: 'csat', question: { en: 'Hi' } as never, trigger: { touchpoint: 'x' } } }),
      ),
    ).toBe('surveys["a"].question.vi');
    expect(fieldOf(() => defineSurveys({ a: { kind: 'single', question, trigger: { touchpoint: 'x' } } }))).toBe(
      'surveys["a"].options',
    );
    expect(
      fieldOf(() =>
        defineSurveys({
          a: { kind: 'csat', question, trigger: { touchpoint: 'x' }, audience: { locales: 'vi' as never } },
        }),
      ),
    ).toBe('surveys["a"].audience');
    expect(fieldOf(() => defineSurveys({ a: { kind: 'csat', question, trigger: {} as never } }))).toBe(
      'surveys["a"].trigger',
    );
    expect(fieldOf(() => defineSurveys({ 'a b': { kind: 'csat', question, trigger: { touchpoint: 'x' } } }))).toBe(
      'surveys["a b"]',
    );
    expect(fieldOf(() => defineSurveys({ a: { kind: 'poll' as never, question, trigger: { touchpoint: 'x' } } }))).toBe(
      'surveys["a"].kind',
    );
  });

  it('speaks the customer’s language and knows what a survey is about', () => {
    expect(localize(shopSurveys['after-order'].question, 'vi-VN')).toBe('Đơn hàng của bạn thế nào?');
    expect(localize(shopSurveys['after-order'].question, 'fr')).toBe('How was your order?');
    expect(surveyAbout(shopSurveys['after-order'])).toBe('order.delivered');
    expect(surveyAbout(shopSurveys['why-cart'])).toBe('cart.abandoned');
  });
});
