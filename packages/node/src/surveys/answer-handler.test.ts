import { validateFeedback } from '@touchpoint/core';
import { describe, expect, it } from 'vitest';
import type { ServerFeedback } from '../forwarder.js';
import { createSurveyAnswerHandler } from './answer-handler.js';
import { createMemoryUsedLinkStore, createSurveyLink, verifySurveyToken } from './survey-links.js';
import { shopSurveys } from './test-surveys.js';

const secret = 'a-test-secret-of-at-least-32-characters!';
const base = 'https://shop.example/s';
const DAY = 86_400;

/** Takes answers the way the forwarder does: validated with core, sentiment derived. */
let recorded: ServerFeedback[];
function setup(now = () => Date.now()) {
  recorded = [];
  const forwarder = {
    feedback(input: ServerFeedback) {
      const checked = validateFeedback(input.feedback);
      if (!checked.ok) return false;
      recorded.push({ ...input, feedback: checked.value });
      return true;
    },
  };
  const usedLinks = createMemoryUsedLinkStore({ now });
  return createSurveyAnswerHandler({ surveys: shopSurveys, secret, forwarder, usedLinks, clock: { now } });
}
const post = (url: string, form: Record<string, string | string[]>, headers: Record<string, string> = {}) => {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) for (const item of [v].flat()) body.append(k, item);
  return new Request(url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });
};
const feedbacks = async () => recorded;

describe('signed survey links', () => {
  it('an after-case CSAT by SMS: the page asks, the answer is recorded for the customer and case', async () => {
    const handle = setup();
    const url = createSurveyLink({
      baseUrl: base,
      secret,
      survey: 'after-case',
      identity: { userId: 'cust-7' },
      caseId: 'case-12',
      channel: 'sms',
      expiresIn: 7 * DAY,
    });
    const page = await handle(new Request(url, { headers: { 'accept-language': 'vi-VN,vi;q=0.9' } }));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'; style-src 'sha256-/);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await page.text();
    expect(html).toContain('<html lang="vi">');
    expect(html).toContain('Chúng tôi xử lý yêu cầu của bạn thế nào?');
    expect(html.match(/type="radio" name="score"/g)).toHaveLength(5);
    expect(html).not.toContain('<script');

    const answer = await handle(post(url, { score: '2', comment: ' Took three calls ' }));
    expect(answer.status).toBe(200);
    expect(await answer.text()).toContain('Thank you for your answer!');
    const [event, ...rest] = await feedbacks();
    expect(rest).toEqual([]);
    expect(event).toMatchObject({
      userId: 'cust-7',
      feedback: {
        kind: 'csat',
        score: 2,
        comment: 'Took three calls',
        touchpoint: 'case.resolved',
        sentiment: 'negative',
      },
      properties: { survey: 'after-case', caseId: 'case-12' },
      context: { channel: 'sms' },
    });
  });

  it('tampered, expired and reused links get a clear answer and record nothing', async () => {
    let now = Date.now();
    const handle = setup(() => now);
    const url = createSurveyLink({
      baseUrl: base,
      secret,
      survey: 'after-case',
      identity: { userId: 'cust-7' },
      caseId: 'case-12',
      expiresIn: DAY,
      now,
    });

    // Tampered: another customer's id in the payload, the old signature.
    const token = new URL(url).searchParams.get('t')!;
    const [body, signature] = token.split('.');
    const payload = JSON.parse(Buffer.from(body!, 'base64url').toString());
    const forged = `${Buffer.from(JSON.stringify({ ...payload, u: 'cust-8' })).toString('base64url')}.${signature}`;
    const tampered = await handle(post(`${base}?t=${forged}`, { score: '5' }));
    expect(tampered.status).toBe(400);
    expect(await tampered.text()).toContain('This survey link is not valid');
    expect((await handle(new Request(`${base}?t=${token.slice(0, -2)}xx`))).status).toBe(400);
    expect((await handle(new Request(base))).status).toBe(400);
    const otherSecret = createSurveyLink({
      baseUrl: base,
      secret: 'another-secret-that-is-32-characters-long',
      survey: 'after-case',
      identity: { userId: 'c' },
    });
    expect((await handle(post(otherSecret, { score: '5' }))).status).toBe(400);

    // A bad answer is refused without using the link up.
    expect((await handle(post(url, { score: '9' }))).status).toBe(422);

    // The first answer is recorded; the second is refused.
    expect((await handle(post(url, { score: '4' }))).status).toBe(200);
    const reused = await handle(post(url, { score: '1' }));
    expect(reused.status).toBe(409);
    expect(await reused.text()).toContain('already been answered');

    // Expired.
    const late = createSurveyLink({
      baseUrl: base,
      secret,
      survey: 'after-case',
      identity: { userId: 'cust-9' },
      expiresIn: DAY,
      now,
    });
    now += DAY * 1000 + 1;
    const expired = await handle(post(late, { score: '5' }));
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain('expired');
    expect(verifySurveyToken(new URL(late).searchParams.get('t'), secret, now)).toEqual({
      ok: false,
      reason: 'expired',
    });

    expect((await feedbacks()).map((e) => [e.userId, e.feedback.score])).toEqual([['cust-7', 4]]);
  });

  it('records a choice of reasons as countable tags', async () => {
    const handle = setup();
    const url = createSurveyLink({ baseUrl: base, secret, survey: 'why-cart', identity: { userId: 'cust-3' } });
    const html = await (await handle(new Request(`${url}&lang=en`))).text();
    expect(html).toContain('value="shipping_cost"');
    expect((await handle(post(url, { choice: ['too_expensive', 'shipping_cost'] }))).status).toBe(422);
    expect((await handle(post(url, { choice: 'shipping_cost' }))).status).toBe(200);
    expect((await feedbacks())[0]).toMatchObject({
      feedback: { kind: 'text', comment: 'Shipping costs', tags: ['shipping_cost'], touchpoint: 'cart.abandoned' },
      properties: { survey: 'why-cart', followUp: true },
      context: { channel: 'link' },
    });
  });

  it('gives the link back when the forwarder refuses the answer, and refuses bad config', async () => {
    const usedLinks = createMemoryUsedLinkStore();
    let accept = false;
    const handle = createSurveyAnswerHandler({
      surveys: shopSurveys,
      secret,
      usedLinks,
      forwarder: { feedback: () => accept },
      onError: () => {},
    });
    const url = createSurveyLink({ baseUrl: base, secret, survey: 'after-order', identity: { userId: 'c' } });
    expect((await handle(post(url, { score: '3' }))).status).toBe(503);
    accept = true;
    expect((await handle(post(url, { score: '3' }))).status).toBe(200);
    expect(() => createSurveyLink({ baseUrl: base, secret: 'short', survey: 'x', identity: { userId: 'c' } })).toThrow(
      /secret/,
    );
    expect(() => createSurveyLink({ baseUrl: base, secret, survey: 'x', identity: { userId: '' } })).toThrow(
      /identity.userId/,
    );
    expect(() => createSurveyAnswerHandler({ surveys: shopSurveys, secret, forwarder: {} as never })).toThrow(
      /forwarder/,
    );
  });
});
