/**
 * What a hostile or broken client can send the ingest: every answer is a clear JSON error, the
 * server keeps serving, nothing leaks onto prototypes, and valid events alongside are kept.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trackEvent } from './events.js';
import { batchBody, startIngest, WRITE_KEY } from './ingest-server.js';

let ingest: Awaited<ReturnType<typeof startIngest>>;
beforeAll(async () => {
  ingest = await startIngest();
});
afterAll(async () => {
  await ingest.close();
});

async function expectError(res: Response, status: number, error: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  const body = await res.json();
  expect(body.error).toBe(error);
  expect(typeof body.message).toBe('string');
  expect(body.message.length).toBeGreaterThan(10);
  return body;
}

describe('hostile input', () => {
  it('invalid JSON in many shapes', async () => {
    for (const text of ['', '{', 'null,', '{"batch": [}', '\u0000\u0001', "{'batch':[]}", '[1,2', 'NaN']) {
      await expectError(await ingest.post(text, { 'x-touchpoint-key': WRITE_KEY }), 400, 'invalid_json');
    }
  });

  it('wrong types for the batch and its events', async () => {
    const key = { 'x-touchpoint-key': WRITE_KEY };
    for (const body of [
      'null',
      '42',
      '"batch"',
      '[]',
      '{"batch":{},"sentAt":"2026-11-22T10:00:00Z"}',
      '{"batch":[],"sentAt":12}',
    ]) {
      await expectError(await ingest.post(body, key), 400, 'invalid_batch');
    }
    const good = trackEvent();
    const res = await ingest.post(
      batchBody([
        { ...trackEvent(), timestamp: 12 },
        { ...trackEvent(), anonymousId: ['x'] },
        { ...trackEvent(), properties: 'str' },
        good,
        null,
        'x',
        { type: 'track' },
      ]),
    );
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.accepted).toBe(1);
    expect(body.rejected.map((r: { index: number }) => r.index)).toEqual([0, 1, 2, 4, 5, 6]);
    for (const r of body.rejected) expect(r.issues[0].message.length).toBeGreaterThan(5);
  });

  it('__proto__ and constructor keys never reach a prototype, and the event is refused', async () => {
    const good = trackEvent();
    const text = batchBody([good]).replace(
      '"batch":[',
      `"batch":[{"type":"track","messageId":"00000000-0000-4000-8000-00000000beef","timestamp":"2026-11-22T10:00:00.000Z","anonymousId":"a","event":"x","properties":{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}},`,
    );
    const res = await ingest.post(text);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.accepted).toBe(1);
    expect(body.rejected[0].index).toBe(0);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    expect((Object.prototype as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('a 10 MB body is refused with 413 and the server keeps serving', async () => {
    const huge = new Uint8Array(10 * 1024 * 1024).fill(0x20);
    await expectError(await ingest.post(huge, { 'x-touchpoint-key': WRITE_KEY }), 413, 'payload_too_large');
    const after = await ingest.post(batchBody([trackEvent()]));
    expect(after.status).toBe(200);
  });

  it('deeply nested values are refused without exhausting the stack', async () => {
    const depth = 50_000;
    const nested = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const text = batchBody([trackEvent(), trackEvent()]).replace('"properties":{', `"properties":{"deep":${nested},`);
    const res = await ingest.post(text);
    // Whether the parser or the validator refuses it, the answer is clear and the server lives.
    expect([200, 400, 413]).toContain(res.status);
    const body = await res.json();
    // Only the first event carries the nesting (replace() changes the first match).
    if (res.status === 200) expect(body).toMatchObject({ accepted: 1, rejected: [{ index: 0 }] });
    const shallow = trackEvent({ properties: { a: { b: { c: { d: { e: { f: { g: { h: { i: { j: 1 } } } } } } } } } } });
    const res2 = await ingest.post(batchBody([shallow, trackEvent()]));
    const body2 = await res2.json();
    expect(body2.accepted).toBe(1);
    expect(body2.rejected[0].issues[0].message).toMatch(/deep|nest|depth/i);
  });

  it('huge strings are refused per event, the rest of the batch kept', async () => {
    const res = await ingest.post(batchBody([trackEvent({ properties: { blob: 'x'.repeat(200_000) } }), trackEvent()]));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.accepted).toBe(1);
    expect(body.rejected[0].index).toBe(0);
    const longId = await ingest.post(batchBody([trackEvent({ anonymousId: 'a'.repeat(10_000) })]));
    expect((await longId.json()).rejected).toHaveLength(1);
  });

  it('wrong content types and invalid UTF-8', async () => {
    for (const type of [
      'multipart/form-data; boundary=x',
      'application/xml',
      'image/png',
      'application/x-www-form-urlencoded',
    ]) {
      await expectError(
        await ingest.post(batchBody([trackEvent()]), { 'content-type': type }),
        415,
        'unsupported_media_type',
      );
    }
    await expectError(
      await ingest.post(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), { 'x-touchpoint-key': WRITE_KEY }),
      400,
      'invalid_body',
    );
  });

  it('too many events in one batch', async () => {
    const many = Array.from({ length: 501 }, () => ({}));
    const body = await expectError(
      await ingest.post(JSON.stringify({ batch: many, sentAt: new Date().toISOString(), writeKey: WRITE_KEY })),
      400,
      'invalid_batch',
    );
    expect(body.message).toMatch(/at most 500/);
  });

  it('still serves and forwards valid events after all of the above', async () => {
    const before = ingest.received.length;
    const event = trackEvent();
    expect((await ingest.post(batchBody([event]))).status).toBe(200);
    await ingest.forwarder.flush();
    expect(ingest.received.length).toBe(before + 1);
    expect(ingest.received.at(-1)!.messageId).toBe(event.messageId);
  });
});
