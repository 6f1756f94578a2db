import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type IngestServer, startIngestServer, waitFor } from '../../test/support/ingest-server.js';
import { makeTracker } from '../../test/support/tracker-harness.js';
import { type BrowserSurvey, inSurveySample, type StartSurveysOptions, type Surveys, startSurveys } from './index.js';

const surveys: Record<string, BrowserSurvey> = {
  'why-cart': {
    kind: 'single',
    question: { en: 'Why did you remove it?', vi: 'Vì sao bạn bỏ sản phẩm?' },
    options: [
      { id: 'too_expensive', label: { en: 'Too expensive', vi: 'Quá đắt' } },
      { id: 'shipping_cost', label: { en: 'Shipping costs', vi: 'Phí giao hàng' } },
    ],
    trigger: { touchpoint: 'cart.item_removed' },
    about: 'cart.abandoned',
    followUp: true,
  },
  'first-visit': {
    kind: 'ces',
    question: { en: 'Was it easy to find what you came for?', vi: 'Bạn có dễ tìm thấy điều mình cần không?' },
    trigger: { touchpoint: 'search.performed' },
    sample: 0.5,
  },
};

const prompt = () => document.querySelector('[data-touchpoint="feedback-prompt"]')?.shadowRoot ?? null;
const tabButton = () =>
  document.querySelector('[data-touchpoint="feedback-tab"]')?.shadowRoot?.querySelector('button') ?? null;
const waitForPrompt = () => waitFor(() => prompt() !== null, 'the survey prompt', 3000);

let server: IngestServer;
let running: Surveys[] = [];
beforeEach(async () => {
  server = await startIngestServer();
  localStorage.clear();
  sessionStorage.clear();
  document.body.innerHTML = '';
});
afterEach(async () => {
  for (const s of running) s.stop();
  running = [];
  await server.close();
});
function start(options: StartSurveysOptions = {}, config = {}) {
  const harness = makeTracker(server, { storage: 'memory', ...config });
  const s = startSurveys(harness.tp, { surveys, delayMs: 0, ...options });
  running.push(s);
  return { ...harness, surveys: s };
}
const events = () => server.batches.flatMap((b) => b.events);

describe('startSurveys', () => {
  it('asks "why?" when a cart item is removed, and records the reason a team can count', async () => {
    const { tp } = start({ feedbackTab: false });
    tp.track('cart.item_removed', { productId: 'mug-42' });
    await waitForPrompt();
    expect(prompt()!.getElementById('tp-q')!.textContent).toBe('Why did you remove it?');
    prompt()!.querySelectorAll<HTMLInputElement>('input[type="radio"]')[1]!.click();
    (prompt()!.querySelector('.send') as HTMLButtonElement).click();
    await tp.flush();
    expect(events().find((e) => e.type === 'track' && e.event === 'survey.shown')).toMatchObject({
      properties: { survey: 'why-cart' },
    });
    expect(events().find((e) => e.type === 'feedback')).toMatchObject({
      feedback: { kind: 'text', comment: 'Shipping costs', tags: ['shipping_cost'], touchpoint: 'cart.abandoned' },
      properties: { survey: 'why-cart', followUp: true },
    });
    tp.destroy();
  });

  it('caps across surveys: after one survey, no other for capDays', async () => {
    const { tp, surveys: s } = start({ feedbackTab: false, capDays: 30 });
    const shown = s.show('why-cart');
    await waitForPrompt();
    (prompt()!.querySelector('.close') as HTMLButtonElement).click();
    expect(await shown).toEqual({ status: 'dismissed' });
    expect(await s.show('why-cart')).toEqual({ status: 'skipped', reason: 'capped' });
    tp.identify('cust-1');
    // A new customer id (they signed in) has its own cap.
    const forCust = s.show('why-cart');
    await waitForPrompt();
    (prompt()!.querySelector('.close') as HTMLButtonElement).click();
    await forCust;
    localStorage.setItem('tp:surveys:last:cust-1', String(Date.now() - 31 * 86_400_000));
    const later = s.show('why-cart');
    await waitForPrompt();
    (prompt()!.querySelector('.close') as HTMLButtonElement).click();
    expect(await later).toEqual({ status: 'dismissed' });
    tp.destroy();
  });

  it('samples for good: the same userId gets the same answer in every tab and on every device', async () => {
    let outside = '';
    for (let i = 0; !outside; i++) if (!inSurveySample('first-visit', `cust-${i}`, 0.5)) outside = `cust-${i}`;
    for (const device of ['phone', 'laptop']) {
      const { tp, surveys: s } = start({ feedbackTab: false, capDays: 0 }, { name: `device-${device}` });
      tp.identify(outside);
      for (let reload = 0; reload < 3; reload++) {
        expect(await s.show('first-visit')).toEqual({ status: 'skipped', reason: 'not_sampled' });
      }
      tp.destroy();
    }
  });

  it('asks only its audience (signed-in customers, a language)', async () => {
    const { tp, surveys: s } = start({
      feedbackTab: false,
      locale: 'en-GB',
      surveys: {
        members: { ...surveys['why-cart']!, audience: { identified: true } },
        vietnamese: { ...surveys['why-cart']!, audience: { locales: ['vi'] } },
      },
    });
    expect(await s.show('members')).toEqual({ status: 'skipped', reason: 'audience' });
    expect(await s.show('vietnamese')).toEqual({ status: 'skipped', reason: 'audience' });
    tp.identify('cust-3');
    const shown = s.show('members');
    await waitForPrompt();
    (prompt()!.querySelector('.close') as HTMLButtonElement).click();
    expect(await shown).toEqual({ status: 'dismissed' });
    tp.destroy();
  });

  it('never shows while an upsell offer is on screen or on the payment step: it waits for the next page view', async () => {
    const offer = document.createElement('div');
    offer.setAttribute('data-touchpoint-offer', 'upsell');
    document.body.append(offer);
    let payment = false;
    const { tp, surveys: s } = start({ feedbackTab: false, isPaymentStep: () => payment });
    expect(await s.show('why-cart')).toEqual({ status: 'deferred', reason: 'offer_on_screen' });
    offer.remove();
    payment = true;
    tp.page();
    await new Promise((r) => setTimeout(r, 20));
    expect(prompt()).toBeNull();
    payment = false;
    tp.page();
    await waitForPrompt();
    expect(prompt()!.getElementById('tp-q')!.textContent).toBe('Why did you remove it?');
    tp.destroy();
  });

  it('shows a server-sent prompt (already sampled and capped by the server), with its properties', async () => {
    const { tp, surveys: s } = start({ feedbackTab: false, locale: 'vi' });
    const shown = s.show({
      survey: 'after-order',
      kind: 'csat',
      question: { en: 'How was your order?', vi: 'Đơn hàng của bạn thế nào?' },
      about: 'order.delivered',
      properties: { orderId: 'o-1' },
    });
    await waitForPrompt();
    expect(prompt()!.getElementById('tp-q')!.textContent).toBe('Đơn hàng của bạn thế nào?');
    (prompt()!.querySelectorAll('[role="radio"]')[4] as HTMLButtonElement).click();
    (prompt()!.querySelector('.send') as HTMLButtonElement).click();
    expect(await Promise.race([shown, new Promise((r) => setTimeout(() => r('open'), 50))])).toBe('open');
    await tp.flush();
    expect(events().find((e) => e.type === 'feedback')).toMatchObject({
      feedback: { kind: 'csat', score: 5, touchpoint: 'order.delivered' },
      properties: { survey: 'after-order', orderId: 'o-1' },
    });
    tp.destroy();
  });

  it('shows the survey the server queued when the ingest answers the next page view with it', async () => {
    server.mode = (batch) =>
      batch.events.some((e) => e.type === 'page')
        ? {
            status: 200,
            body: {
              accepted: batch.events.length,
              rejected: [],
              prompts: [
                {
                  survey: 'after-order',
                  kind: 'csat',
                  question: { en: 'How was your order?', vi: 'Thế nào?' },
                  properties: { orderId: 'A-7' },
                },
                { survey: 'broken', kind: 'poll' },
              ],
            },
          }
        : undefined;
    const { tp } = start({ feedbackTab: false });
    tp.page();
    await tp.flush();
    await waitForPrompt();
    expect(prompt()!.getElementById('tp-q')!.textContent).toBe('How was your order?');
    (prompt()!.querySelectorAll('[role="radio"]')[3] as HTMLButtonElement).click();
    (prompt()!.querySelector('.send') as HTMLButtonElement).click();
    await tp.flush();
    expect(events().find((e) => e.type === 'feedback')).toMatchObject({
      feedback: { kind: 'csat', score: 4 },
      properties: { survey: 'after-order', orderId: 'A-7' },
    });
    tp.destroy();
  });

  it('puts a feedback tab on the page that opens the prompt with a choice of topic', async () => {
    const { tp, surveys: s } = start();
    const button = tabButton()!;
    expect(button.textContent).toBe('Feedback');
    button.click();
    await waitForPrompt();
    expect(prompt()!.querySelector('legend')!.textContent).toBe('What is it about?');
    prompt()!.querySelectorAll<HTMLInputElement>('input[name="tp-t"]')[3]!.click();
    (prompt()!.querySelectorAll('[role="radio"]')[0] as HTMLButtonElement).click();
    (prompt()!.querySelector('.send') as HTMLButtonElement).click();
    await tp.flush();
    expect(events().find((e) => e.type === 'feedback')).toMatchObject({
      feedback: { kind: 'rating', score: 1, touchpoint: 'order.delivered' },
      properties: { survey: 'feedback-tab' },
    });
    s.stop();
    expect(tabButton()).toBeNull();
    tp.destroy();
  });
});
