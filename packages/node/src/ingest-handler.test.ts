import { createManualClock } from '@touchpoint/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { trackEvent, until, uuid } from '../test/events.js';
import { batchBody, startIngest, WRITE_KEY } from '../test/ingest-server.js';
import * as destinations from './destinations/index.js';
import { createForwarder } from './forwarder.js';
import { createIngestHandler } from './ingest-handler.js';
import { memoryLog } from './log/memory-log.js';

let ingest: Awaited<ReturnType<typeof startIngest>> | undefined;
afterEach(async () => {
  await ingest?.close();
  ingest = undefined;
});

describe('ingest handler over node:http', () => {
  it('keeps the valid events of a mixed batch and lists the rejected ones', async () => {
    ingest = await startIngest();
    const good = trackEvent();
    const bad = { ...trackEvent(), feedback: undefined, type: 'feedback' };
    const res = await ingest.post(batchBody([good, bad, 42]));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.accepted).toBe(1);
    expect(body.rejected.map((r: { index: number }) => r.index)).toEqual([1, 2]);
    expect(body.rejected[0].messageId).toBe(bad.messageId);
    expect(body.rejected[0].issues[0].path).toMatch(/^batch\[1\]/);
    await ingest.forwarder.flush();
    expect(ingest.received.map((e) => e.messageId)).toEqual([good.messageId]);
    expect(ingest.received[0]!.receivedAt).toBeDefined();
    expect(ingest.received[0]!.context?.ip).toMatch(/127\.0\.0\.1/);
  });

  it('accepts the write key from Bearer, X-Touchpoint-Key, the query and the body', async () => {
    ingest = await startIngest();
    const noKey = (b: unknown[]) => JSON.stringify({ batch: b, sentAt: new Date().toISOString() });
    expect(
      (
        await ingest.post(noKey([trackEvent()]), {
          authorization: `Bearer ${WRITE_KEY}`,
          'content-type': 'application/json',
        })
      ).status,
    ).toBe(200);
    expect((await ingest.post(noKey([trackEvent()]), { 'x-touchpoint-key': WRITE_KEY })).status).toBe(200);
    expect((await ingest.post(noKey([trackEvent()]), {}, `?writeKey=${WRITE_KEY}`)).status).toBe(200);
    expect((await ingest.post(batchBody([trackEvent()]))).status).toBe(200);
    await ingest.forwarder.flush();
    expect(ingest.received).toHaveLength(4);
  });

  it('answers 401 for a missing or wrong key, and keeps nothing', async () => {
    ingest = await startIngest();
    const missing = await ingest.post(JSON.stringify({ batch: [trackEvent()], sentAt: new Date().toISOString() }));
    expect(missing.status).toBe(401);
    expect((await missing.json()).error).toBe('missing_write_key');
    const wrongBody = await ingest.post(batchBody([trackEvent()], { writeKey: 'pk_wrong' }));
    expect(wrongBody.status).toBe(401);
    const wrongHeader = await ingest.post(batchBody([trackEvent()]), { authorization: 'Bearer pk_wrong' });
    expect(wrongHeader.status).toBe(401);
    expect((await wrongHeader.json()).message).toMatch(/write key/);
    await ingest.forwarder.flush();
    expect(ingest.received).toHaveLength(0);
  });

  it('answers a refused big body before reading it, and keeps serving', async () => {
    ingest = await startIngest();
    const big = batchBody([trackEvent({ properties: { note: 'x'.repeat(7000) } })]).repeat(40);
    for (let i = 0; i < 3; i++) {
      const res = await ingest.post(big, { authorization: 'Bearer pk_wrong' });
      expect(res.status).toBe(401);
    }
    expect((await ingest.post(batchBody([trackEvent()]))).status).toBe(200);
  });

  it('answers 400 for malformed JSON and for a wrong envelope, naming the problem', async () => {
    ingest = await startIngest();
    const malformed = await ingest.post('{"batch":[', { 'x-touchpoint-key': WRITE_KEY });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: 'invalid_json' });
    const envelope = await ingest.post(JSON.stringify({ batch: 'nope', sentAt: 'yesterday', writeKey: WRITE_KEY }));
    expect(envelope.status).toBe(400);
    const body = await envelope.json();
    expect(body.error).toBe('invalid_batch');
    expect(body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['batch', 'sentAt']);
  });

  it('answers 413 for a declared or streamed body over the limit', async () => {
    ingest = await startIngest({ maxBodyBytes: 4096 });
    const big = batchBody([trackEvent({ properties: { note: 'x'.repeat(6000) } })]);
    const declared = await ingest.post(big);
    expect(declared.status).toBe(413);
    expect((await declared.json()).message).toMatch(/at most 4096/);
    // No content-length: chunked, so the limit must hold while streaming.
    const chunks = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(big));
        c.close();
      },
    });
    const streamed = await fetch(ingest.url, {
      method: 'POST',
      body: chunks,
      duplex: 'half',
      headers: { 'content-type': 'text/plain' },
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect((await ingest.post(batchBody([trackEvent()]))).status).toBe(200);
  });

  it('answers 405 with Allow, 415 for other content types, and preflights allowed origins only', async () => {
    ingest = await startIngest({ cors: { origins: ['https://shop.example'] } });
    const get = await fetch(ingest.url);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST, OPTIONS');
    expect(
      (await ingest.post(batchBody([trackEvent()]), { 'content-type': 'application/x-www-form-urlencoded' })).status,
    ).toBe(415);
    const ok = await fetch(ingest.url, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://shop.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(ok.headers.get('access-control-allow-methods')).toContain('POST');
    const evil = await fetch(ingest.url, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(evil.status).toBe(403);
    const evilPost = await ingest.post(batchBody([trackEvent()]), { origin: 'https://evil.example' });
    expect(evilPost.status).toBe(403);
    const shopPost = await ingest.post(batchBody([trackEvent()]), { origin: 'https://shop.example' });
    expect(shopPost.status).toBe(200);
    expect(shopPost.headers.get('access-control-allow-origin')).toBe('https://shop.example');
  });

  it('forwards a resent batch once', async () => {
    ingest = await startIngest();
    const events = [trackEvent(), trackEvent()];
    const first = await (await ingest.post(batchBody(events))).json();
    const again = await (await ingest.post(batchBody(events))).json();
    expect(first).toMatchObject({ accepted: 2, duplicates: 0 });
    expect(again).toMatchObject({ accepted: 2, duplicates: 2 });
    await ingest.forwarder.flush();
    expect(ingest.received).toHaveLength(2);
  });

  it('answers 503 with Retry-After when the log is full, and takes the same events once there is room', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    ingest = await startIngest(
      { onError: () => {} },
      {
        log: memoryLog({ maxBytes: 1000 }),
        destinations: [destinations.fn(() => gate, { name: 'slow' })],
      },
    );
    expect((await ingest.post(batchBody([trackEvent(), trackEvent()]))).status).toBe(200);
    const refused = [trackEvent(), trackEvent()];
    const full = await ingest.post(batchBody(refused));
    expect(full.status).toBe(503);
    expect(full.headers.get('retry-after')).toBe('5');
    expect(await full.json()).toMatchObject({ error: 'overloaded' });
    release();
    await ingest.forwarder.flush();
    // The browser retries the same batch: its message ids were not taken by the refused attempt.
    const again = await ingest.post(batchBody(refused));
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ accepted: 2, duplicates: 0 });
  });
});

describe('clock skew', () => {
  it('anchors timestamps to the server clock, keeping how long ago they happened', async () => {
    const clock = createManualClock(Date.parse('2026-11-22T12:00:00.000Z'));
    const got: string[] = [];
    const forwarder = createForwarder({
      destinations: [destinations.fn(async (e) => void got.push(...e.map((x) => x.timestamp)))],
      clock,
    });
    const handler = createIngestHandler({ forwarder, writeKeys: [WRITE_KEY], clock });
    // The client's clock is one hour fast; the event happened 5 s before it was sent.
    const body = JSON.stringify({
      batch: [trackEvent({ messageId: uuid(), timestamp: '2026-11-22T12:59:55.000Z' })],
      sentAt: '2026-11-22T13:00:00.000Z',
      writeKey: WRITE_KEY,
    });
    const res = await handler(
      new Request('http://localhost/v1/batch', { method: 'POST', body, headers: { 'content-type': 'text/plain' } }),
    );
    expect(res.status).toBe(200);
    await forwarder.flush();
    expect(got).toEqual(['2026-11-22T11:59:55.000Z']);
  });
});

describe('reading the body', () => {
  it('stops reading an endless body at the limit', async () => {
    const forwarder = createForwarder({ destinations: [destinations.fn(async () => {})] });
    const handler = createIngestHandler({ forwarder, writeKeys: [WRITE_KEY], maxBodyBytes: 64 * 1024 });
    let pulled = 0;
    let cancelled = false;
    const endless = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled += 16 * 1024;
        c.enqueue(new Uint8Array(16 * 1024).fill(32));
      },
      cancel() {
        cancelled = true;
      },
    });
    const res = await handler(
      new Request('http://localhost/', {
        method: 'POST',
        body: endless,
        duplex: 'half',
        headers: { 'x-touchpoint-key': WRITE_KEY },
      } as RequestInit),
    );
    expect(res.status).toBe(413);
    await until(() => cancelled);
    expect(pulled).toBeLessThan(64 * 1024 + 5 * 16 * 1024);
  });
});
