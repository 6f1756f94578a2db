import { afterEach, describe, expect, it } from 'vitest';
import { feedbackEvent, trackEvent } from '../../test/events.js';
import { type Sink, startSink } from '../../test/loopback-sink.js';
import { createForwarder } from '../forwarder.js';
import { createErasureSubject, erasureRequest } from '../privacy/subject.js';
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

describe('segment destination, erasure through the Public API regulations', () => {
  const request = (ids: { userIds?: string[]; anonymousIds?: string[] }) =>
    erasureRequest(createErasureSubject({ erasureId: 'er_seg', ...ids }), new Date());

  it('creates a workspace regulation with a bearer token and answers done with the regulateId', async () => {
    sink = await startSink((r) =>
      r.url === '/regulations' &&
      r.headers.authorization === 'Bearer sgp_token' &&
      r.headers['content-type'] === 'application/json'
        ? { status: 200, body: '{"data":{"regulateId":"1qJkfE1tpwvQcklImGksLN629wn"}}' }
        : { status: 422, body: '{"errors":[{"message":"bad request"}]}' },
    );
    const base = sink.url.replace('/ingest', '');
    const destination = segment({ writeKey: 'wk', erase: { token: 'sgp_token', url: `${base}/regulations` } });
    const answer = await destination.erase!(request({ userIds: ['u-1', 'u-2'], anonymousIds: ['anon-1'] }));
    expect(answer).toMatchObject({ ok: true, status: 200 });
    expect(answer!.message).toMatch(/1qJkfE1tpwvQcklImGksLN629wn/);
    // Segment regulates userIds only: the answer says what it keeps.
    expect(answer!.message).toMatch(/keeps the events of 1 anonymous id/);
    const sent = sink.requests[0]!;
    expect(sent.method).toBe('POST');
    expect(JSON.parse(sent.body)).toEqual({
      regulationType: 'SUPPRESS_WITH_DELETE',
      subjectType: 'USER_ID',
      subjectIds: ['u-1', 'u-2'],
    });
    expect(sent.headers.accept).toMatch(/application\/vnd\.segment\.v1\+json/);
    await destination.close?.();
  });

  it('regulates one source, DELETE_ONLY on request; a rate limit is retried after its quota reset', async () => {
    const reset = new Date(Date.now() + 60_000).toISOString();
    sink = await startSink((r) =>
      r.url.startsWith('/regulations/sources/src123')
        ? { status: 429, headers: { 'x-regulation-ratelimit-quota-reset': reset } }
        : { status: 404 },
    );
    const host = sink.url.replace('/ingest', '');
    const destination = segment({
      writeKey: 'wk',
      erase: {
        token: 't',
        sourceId: 'src123',
        url: `${host}/regulations/sources/src123`,
        regulationType: 'DELETE_ONLY',
      },
    });
    const answer = await destination.erase!(request({ userIds: ['u-9'] }));
    expect(answer).toMatchObject({ ok: false, status: 429, retryAfter: new Date(reset).toUTCString() });
    expect(JSON.parse(sink.requests[0]!.body)).toMatchObject({ regulationType: 'DELETE_ONLY', subjectIds: ['u-9'] });
    await destination.close?.();
  });

  it('fails for good, saying why, when the customer has no user id (Segment deletes by userId only)', async () => {
    sink = await startSink();
    const destination = segment({ writeKey: 'wk', erase: { token: 't', url: `${sink.url}/regulations` } });
    expect(await destination.erase!(request({ anonymousIds: ['anon-1', 'anon-2'] }))).toMatchObject({
      ok: false,
      retryable: false,
      message: expect.stringMatching(/userId only.*2 anonymous id/),
    });
    expect(sink.requests).toHaveLength(0);
  });

  it('has no erase without erase options, and checks them at creation', () => {
    expect(segment({ writeKey: 'wk' }).erase).toBeUndefined();
    expect(() => segment({ writeKey: 'wk', erase: { token: '' } })).toThrow(/segment\.erase\.token/);
    expect(() => segment({ writeKey: 'wk', erase: { token: 't', sourceId: '../x' } })).toThrow(
      /segment\.erase\.sourceId/,
    );
    expect(() =>
      segment({ writeKey: 'wk', erase: { token: 't', regulationType: 'SUPPRESS_ONLY' as 'DELETE_ONLY' } }),
    ).toThrow(/segment\.erase\.regulationType/);
  });
});
