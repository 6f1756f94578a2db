import type { ServerFeedback } from '@touchpoint/node';
import { describe, expect, it } from 'vitest';
import { createFixFirstPanel } from './dashboard/fix-first-panel.js';
import { createDemoSurveys } from './demo-surveys.js';

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};

describe('the demo surveys', () => {
  it('an order "delivered" after it was placed shows the after-order CSAT on the next page view', async () => {
    const lines: string[] = [];
    const demo = createDemoSurveys({
      baseUrl: () => 'http://127.0.0.1:4000/s',
      forwarder: { feedback: () => true },
      log: (l) => lines.push(l),
      deliveryDelayMs: 0,
    });
    demo.rule.onEvent({
      type: 'track',
      event: 'order.completed',
      anonymousId: 'anon-1',
      properties: { orderId: 'A-1' },
    });
    await until(() => lines.length === 1);
    expect(lines[0]).toBe('surveys: order A-1 delivered → after-order CSAT queued');
    const prompts = await demo.surveys.prompts([
      {
        type: 'page',
        messageId: '00000000-0000-4000-8000-000000000001',
        timestamp: new Date().toISOString(),
        anonymousId: 'anon-1',
      },
    ]);
    expect(prompts).toMatchObject([{ survey: 'after-order', kind: 'csat', properties: { orderId: 'A-1' } }]);
    demo.close();
  });

  it('a support contact sends a signed after-case link whose answer is recorded with the case', async () => {
    const lines: string[] = [];
    const recorded: ServerFeedback[] = [];
    const demo = createDemoSurveys({
      baseUrl: () => 'http://127.0.0.1:4000/s',
      forwarder: { feedback: (f) => recorded.push(f) > 0 },
      log: (l) => lines.push(l),
      deliveryDelayMs: 0,
    });
    demo.rule.onEvent({
      type: 'track',
      event: 'support.contacted',
      userId: 'cust-9',
      properties: { caseId: 'C-1234' },
    });
    await until(() => lines.length === 1);
    const url = /(http:\S+)"/.exec(lines[0]!)![1]!;
    expect((await demo.answers(new Request(url))).status).toBe(200);
    const answer = await demo.answers(
      new Request(url, {
        method: 'POST',
        body: new URLSearchParams({ score: '4' }),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
    );
    expect(answer.status).toBe(200);
    expect(recorded).toMatchObject([
      {
        userId: 'cust-9',
        feedback: { kind: 'csat', score: 4 },
        properties: { survey: 'after-case', caseId: 'C-1234' },
      },
    ]);
    demo.close();
  });
});

describe('the "What to fix first" panel', () => {
  it('ranks what the forwarder wrote, with the interval and the reasons', () => {
    const panel = createFixFirstPanel();
    expect(panel.render()).toContain('No answers to rank yet.');
    const at = new Date().toISOString();
    let n = 0;
    const id = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
    for (let i = 0; i < 10; i++) {
      panel.add({
        type: 'feedback',
        messageId: id(),
        timestamp: at,
        anonymousId: `a-${i}`,
        feedback: { kind: 'text', comment: 'Shipping costs', tags: ['shipping_cost'], touchpoint: 'cart.abandoned' },
        properties: { survey: 'why-cart', followUp: true },
      });
    }
    panel.add({
      type: 'feedback',
      messageId: id(),
      timestamp: at,
      anonymousId: 'b',
      feedback: { kind: 'csat', score: 5, touchpoint: 'order.delivered' },
    });
    const html = panel.render();
    expect(html).toContain('<code>cart.abandoned</code>');
    expect(html).toContain('shipping_cost (10)');
    expect(html.indexOf('cart.abandoned')).toBeLessThan(html.indexOf('order.delivered'));
  });
});
