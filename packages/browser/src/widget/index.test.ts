import 'fake-indexeddb/auto';
import type { FeedbackInput } from '@touchpoint/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TrackResult } from '../types.js';
import { type FeedbackPromptOptions, showFeedbackPrompt } from './index.js';

/** A recorder that keeps what it is given, answering the way the tracker does. */
function recorder() {
  const answers: FeedbackInput[] = [];
  return {
    answers,
    feedback(input: FeedbackInput): TrackResult {
      answers.push(input);
      return { ok: true, messageId: `m-${answers.length}` };
    },
  };
}

const host = () => document.querySelector('[data-touchpoint="feedback-prompt"]') as HTMLElement | null;
const root = () => host()!.shadowRoot!;
const active = () => root().activeElement as HTMLElement | null;
const key = (key: string) =>
  active()!.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, composed: true }));
const waitForPrompt = async () => {
  for (let i = 0; i < 100 && !host(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(host()).not.toBeNull();
};

let opener: HTMLButtonElement;
beforeEach(() => {
  localStorage.clear();
  document.body.innerHTML = '<button id="opener">Open</button>';
  opener = document.getElementById('opener') as HTMLButtonElement;
  opener.focus();
});
afterEach(() => {
  document.body.innerHTML = '';
});

async function show(options: Partial<FeedbackPromptOptions> = {}) {
  const rec = recorder();
  const prompt = showFeedbackPrompt(rec, { kind: 'nps', touchpoint: 'order.completed', ...options });
  await waitForPrompt();
  return { rec, prompt };
}

describe('showFeedbackPrompt', () => {
  it('renders a labelled dialog with a radio group and puts focus on the first score', async () => {
    await show();
    const dialog = root().querySelector('[role="dialog"]')!;
    const heading = root().getElementById('tp-q')!;
    expect(dialog.getAttribute('aria-labelledby')).toBe('tp-q');
    expect(heading.textContent).toBe('How likely are you to recommend us to a friend or colleague?');
    const radios = root().querySelectorAll('[role="radio"]');
    expect(radios).toHaveLength(11);
    expect(radios[0]!.getAttribute('aria-label')).toBe('0 out of 10');
    expect(active()?.getAttribute('aria-label')).toBe('0 out of 10');
    expect(root().querySelector('label')?.getAttribute('for')).toBe('tp-c');
    // No inline styles, so a strict CSP has nothing to block.
    expect(root().querySelector('[style]')).toBeNull();
  });

  it('is answered with the keyboard alone and records the answer through the tracker', async () => {
    const { rec, prompt } = await show();
    for (let i = 0; i < 3; i++) key('ArrowRight');
    key('ArrowLeft');
    expect(active()?.getAttribute('aria-label')).toBe('2 out of 10');
    expect(active()?.getAttribute('aria-checked')).toBe('true');
    key('End');
    expect(active()?.getAttribute('aria-label')).toBe('10 out of 10');
    const comment = root().querySelector('textarea')!;
    comment.value = '  Great service ';
    const send = root().querySelector('.send') as HTMLButtonElement;
    expect(send.disabled).toBe(false);
    send.click();
    expect(rec.answers).toEqual([{ kind: 'nps', score: 10, comment: 'Great service', touchpoint: 'order.completed' }]);
    expect(root().querySelector('[role="status"]')?.textContent).toBe('Thank you for your feedback!');
    key('Escape');
    expect(await prompt.result).toEqual({
      status: 'answered',
      score: 10,
      comment: 'Great service',
      result: { ok: true, messageId: 'm-1' },
    });
    expect(host()).toBeNull();
  });

  it('closes on Escape without recording, and gives focus back', async () => {
    const { rec, prompt } = await show();
    key('Escape');
    expect(await prompt.result).toEqual({ status: 'dismissed' });
    expect(rec.answers).toEqual([]);
    expect(host()).toBeNull();
    expect(document.activeElement).toBe(opener);
  });

  it('does not ask the same person again within askAgainAfterDays', async () => {
    const first = await show({ askAgainAfterDays: 30 });
    first.prompt.close();
    expect(await first.prompt.result).toEqual({ status: 'dismissed' });
    const again = showFeedbackPrompt(recorder(), { kind: 'nps', touchpoint: 'order.completed', askAgainAfterDays: 30 });
    expect(await again.result).toEqual({ status: 'skipped', reason: 'recently_asked' });
    localStorage.setItem('tp:feedback:asked:order.completed', String(Date.now() - 31 * 86_400_000));
    const later = await show({ askAgainAfterDays: 30 });
    later.prompt.close();
    expect(await later.prompt.result).toEqual({ status: 'dismissed' });
  });

  it('speaks Vietnamese', async () => {
    await show({ kind: 'csat', locale: 'vi-VN' });
    expect(root().getElementById('tp-q')!.textContent).toBe('Bạn hài lòng với trải nghiệm của mình ở mức nào?');
    expect(root().querySelector('.send')!.textContent).toBe('Gửi');
    expect(root().querySelector('.close')!.getAttribute('aria-label')).toBe('Đóng');
    expect(root().querySelectorAll('[role="radio"]')[4]!.getAttribute('aria-label')).toBe('5 trên 5');
  });

  it('offers 1 to `scale` stars for a rating, and sends the scale with the score', async () => {
    const { rec } = await show({ kind: 'rating', scale: 10, comment: false });
    expect(root().querySelectorAll('[role="radio"]')).toHaveLength(10);
    expect(root().querySelector('textarea')).toBeNull();
    key('ArrowRight');
    (root().querySelector('.send') as HTMLButtonElement).click();
    expect(rec.answers).toEqual([{ kind: 'rating', score: 2, scale: 10, touchpoint: 'order.completed' }]);
  });

  it('asks "why?" with reasons a team can count, recorded as tagged text feedback', async () => {
    const { rec, prompt } = await show({
      kind: 'single',
      question: 'Why did you remove it?',
      touchpoint: 'cart.abandoned',
      options: [
        { id: 'too_expensive', label: 'Too expensive' },
        { id: 'shipping_cost', label: 'Shipping costs' },
      ],
      properties: { survey: 'why-cart', followUp: true },
      askAgainAfterDays: 0,
    });
    const radios = root().querySelectorAll<HTMLInputElement>('input[type="radio"]');
    expect(radios).toHaveLength(2);
    expect(root().querySelector('fieldset')!.getAttribute('aria-labelledby')).toBe('tp-q');
    expect(active()).toBe(radios[0]);
    const send = root().querySelector('.send') as HTMLButtonElement;
    expect(send.disabled).toBe(true);
    radios[1]!.click();
    expect(send.disabled).toBe(false);
    send.click();
    expect(rec.answers).toEqual([
      {
        kind: 'text',
        comment: 'Shipping costs',
        tags: ['shipping_cost'],
        touchpoint: 'cart.abandoned',
        properties: { survey: 'why-cart', followUp: true },
      },
    ]);
    key('Escape');
    expect(await prompt.result).toMatchObject({ status: 'answered', choices: ['shipping_cost'] });
  });

  it('lets the customer choose what the feedback is about (the feedback tab)', async () => {
    const { rec } = await show({
      kind: 'rating',
      touchpoint: 'site.feedback',
      question: 'Tell us what you think',
      topics: [
        { id: 'product.viewed', label: 'Products' },
        { id: 'order.delivered', label: 'Delivery' },
      ],
      askAgainAfterDays: 0,
    });
    expect(root().querySelector('legend')!.textContent).toBe('What is it about?');
    const topics = root().querySelectorAll<HTMLInputElement>('input[name="tp-t"]');
    expect(active()).toBe(topics[0]);
    topics[1]!.click();
    (root().querySelectorAll('[role="radio"]')[1] as HTMLButtonElement).click();
    (root().querySelector('.send') as HTMLButtonElement).click();
    expect(rec.answers).toEqual([{ kind: 'rating', score: 2, scale: 5, touchpoint: 'order.delivered' }]);
  });

  it('takes free text as the whole answer', async () => {
    const { rec } = await show({ kind: 'text', question: 'What almost stopped you?', askAgainAfterDays: 0 });
    const send = root().querySelector('.send') as HTMLButtonElement;
    const box = root().querySelector('textarea')!;
    expect(active()).toBe(box);
    expect(root().querySelector('label')!.textContent).toBe('Your answer');
    box.value = 'The delivery fee';
    box.dispatchEvent(new Event('input'));
    send.click();
    expect(rec.answers).toEqual([{ kind: 'text', comment: 'The delivery fee', touchpoint: 'order.completed' }]);
  });

  it('waits delayMs before showing', async () => {
    const prompt = showFeedbackPrompt(recorder(), { kind: 'ces', delayMs: 80 });
    await new Promise((r) => setTimeout(r, 20));
    expect(host()).toBeNull();
    await waitForPrompt();
    prompt.close();
  });

  it('skips without a tracker instead of throwing', async () => {
    expect(await showFeedbackPrompt(null, { kind: 'nps' }).result).toEqual({
      status: 'skipped',
      reason: 'unavailable',
    });
  });
});
