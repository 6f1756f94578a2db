import { afterEach, describe, expect, it } from 'vitest';
import { feedbackEvent, trackEvent } from '../../test/events.js';
import { type Sink, startSink } from '../../test/loopback-sink.js';
import { createForwarder } from '../forwarder.js';
import { segment } from './segment.js';

let sink: Sink | undefined;
afterEach(async () => {
  await sink?.close();
});

describe('segment destination', () => {
  it('posts the /v1/batch shape with Basic auth, mapping feedback to a track call', async () => {
    sink = await startSink();
    const host = sink.url.replace('/ingest', '');
    const forwarder = createForwarder({ destinations: [segment({ writeKey: 'wk_123', host })] });
    const track = trackEvent({
      userId: 'u-1',
      sessionId: 's-1',
      stage: 'consideration',
      channel: 'web',
      context: { locale: 'en-GB', extra: { store: 'berlin' } },
    });
    const fb = feedbackEvent(2, { userId: 'u-1' });
    forwarder.enqueue(track);
    forwarder.enqueue(fb);
    forwarder.enqueue({
      type: 'alias',
      messageId: '00000000-0000-4000-8000-0000000a11a5',
      timestamp: track.timestamp,
      anonymousId: 'anon-1',
      userId: 'u-1',
      previousId: 'anon-1',
    });
    await forwarder.flush();
    const req = sink.requests[0]!;
    expect(req.url).toBe('/v1/batch');
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from('wk_123:').toString('base64')}`);
    const body = JSON.parse(req.body);
    expect(typeof body.sentAt).toBe('string');
    expect(body.batch[0]).toMatchObject({
      type: 'track',
      event: 'cart.item_added',
      messageId: track.messageId,
      userId: 'u-1',
      anonymousId: 'anon-1',
      properties: { sku: 'sku-1', stage: 'consideration', channel: 'web' },
      context: { locale: 'en-GB', store: 'berlin', sessionId: 's-1' },
    });
    expect(body.batch[1]).toMatchObject({
      type: 'track',
      event: 'Feedback Submitted',
      properties: {
        kind: 'nps',
        score: 2,
        sentiment: 'negative',
        npsCategory: 'detractor',
        comment: 'delivery was late',
        touchpoint: 'order.delivered',
      },
    });
    expect(body.batch[2]).toMatchObject({ type: 'alias', previousId: 'anon-1', userId: 'u-1' });
  });
});
