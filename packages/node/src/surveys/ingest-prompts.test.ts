import type { TouchpointEvent } from '@touchpoint/core';
import { describe, expect, it } from 'vitest';
import { uuid } from '../../test/events.js';
import { createIngestHandler } from '../ingest-handler.js';
import { createSurveys } from './survey-planner.js';
import { shopSurveys } from './test-surveys.js';

/** Takes what the ingest accepts, as the forwarder does. */
function sink() {
  const events: TouchpointEvent[] = [];
  return {
    events,
    accept: async (batch: readonly TouchpointEvent[]) => {
      events.push(...batch);
      return { ok: true as const };
    },
  };
}
const post = (handler: (r: Request) => Promise<Response>, batch: object[]) =>
  handler(
    new Request('http://shop.example/api/touchpoints', {
      method: 'POST',
      headers: { 'content-type': 'text/plain', authorization: 'Bearer pk_test' },
      body: JSON.stringify({ batch, sentAt: new Date().toISOString() }),
    }),
  );
const pageView = (userId: string) => ({
  type: 'page',
  messageId: uuid(),
  timestamp: new Date().toISOString(),
  anonymousId: 'anon-1',
  userId,
  context: { page: { path: '/account' } },
});

describe('server-triggered surveys on the ingest answer', () => {
  it('an order delivered queues the CSAT; the 200 answer to the next page view carries it, once', async () => {
    const surveys = createSurveys({ surveys: shopSurveys });
    const handler = createIngestHandler({ forwarder: sink(), writeKeys: ['pk_test'], prompts: surveys.prompts });
    // Before the server event: an answer like any other, without `prompts`.
    const before = await (await post(handler, [pageView('cust-7')])).json();
    expect(before).toEqual({ accepted: 1, rejected: [], duplicates: 0 });

    await surveys.trigger({ event: 'order.delivered', userId: 'cust-7', properties: { orderId: 'A-1042' } });
    const response = await post(handler, [pageView('cust-7')]);
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({
      accepted: 1,
      prompts: [{ survey: 'after-order', kind: 'csat', properties: { orderId: 'A-1042' } }],
    });
    expect(body.prompts[0].question).toEqual({ en: 'How was your order?', vi: 'Đơn hàng của bạn thế nào?' });
    expect(await (await post(handler, [pageView('cust-7')])).json()).not.toHaveProperty('prompts');
  });

  it('a failing or slow prompts hook never fails the ingest: no prompts, onError is told', async () => {
    const errors: string[] = [];
    const events = sink();
    const failing = createIngestHandler({
      forwarder: events,
      writeKeys: ['pk_test'],
      prompts: async () => {
        throw new Error('survey store down');
      },
      onError: (e) => errors.push(`${e.source}: ${e.message}`),
    });
    const response = await post(failing, [pageView('cust-1')]);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ accepted: 1, rejected: [], duplicates: 0 });
    expect(events.events).toHaveLength(1);
    expect(errors).toEqual([expect.stringMatching(/^prompts: .*survey store down/)]);

    const slow = createIngestHandler({
      forwarder: sink(),
      writeKeys: ['pk_test'],
      // Never settles: the ingest answers without prompts after its one-second wait.
      prompts: () => new Promise(() => {}),
      onError: (e) => errors.push(e.source),
    });
    const started = Date.now();
    expect(await (await post(slow, [pageView('cust-2')])).json()).toEqual({ accepted: 1, rejected: [], duplicates: 0 });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(errors.at(-1)).toBe('prompts');
  });
});
