import { afterEach, describe, expect, it } from 'vitest';
import { trackEvent } from '../../test/events.js';
import { type Sink, startSink } from '../../test/loopback-sink.js';
import { createForwarder } from '../forwarder.js';
import { webhook } from './webhook.js';
import { signWebhook, verifyWebhook } from './webhook-signature.js';

const secret = 'whsec_0123456789abcdef';
let sink: Sink | undefined;
afterEach(async () => {
  await sink?.close();
});

describe('webhook destination and verifyWebhook', () => {
  it('signs each delivery so the receiver can verify it, with a delivery id stable across retries', async () => {
    sink = await startSink((_, i) => (i === 0 ? { status: 500 } : {}));
    const forwarder = createForwarder({
      destinations: [webhook({ url: sink.url, secret })],
      retry: { baseMs: 1, maxMs: 2 },
      onError: () => {},
    });
    forwarder.enqueue(trackEvent());
    await forwarder.flush();
    expect(sink.requests).toHaveLength(2);
    for (const r of sink.requests)
      expect(verifyWebhook({ body: r.body, headers: r.headers, secret })).toMatchObject({ ok: true });
    expect(sink.requests[0]!.headers['touchpoint-webhook-id']).toBe(sink.requests[1]!.headers['touchpoint-webhook-id']);
    const check = verifyWebhook({
      body: sink.requests[1]!.body,
      headers: sink.requests[1]!.headers,
      secret: ['old-secret-xxxxxxxx', secret],
    });
    expect(check.ok && check.id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('rejects a changed body, a wrong secret, stale or future timestamps, and malformed headers', () => {
    const body = '{"batch":[]}';
    const now = Date.parse('2026-11-22T10:00:00Z');
    const t = Math.floor(now / 1000);
    const headers = { 'touchpoint-signature': signWebhook(body, secret, t) };
    expect(verifyWebhook({ body, headers, secret, nowMs: now })).toEqual({ ok: true, timestamp: t });
    expect(verifyWebhook({ body: `${body} `, headers, secret, nowMs: now })).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
    expect(verifyWebhook({ body, headers, secret: 'another-secret-000', nowMs: now })).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
    expect(verifyWebhook({ body, headers, secret, nowMs: now + 301_000 })).toMatchObject({
      ok: false,
      reason: 'stale_timestamp',
    });
    expect(verifyWebhook({ body, headers, secret, nowMs: now - 301_000 })).toMatchObject({
      ok: false,
      reason: 'stale_timestamp',
    });
    expect(verifyWebhook({ body, headers: {}, secret })).toMatchObject({ ok: false, reason: 'missing_signature' });
    expect(verifyWebhook({ body, headers: { 'touchpoint-signature': 't=abc,v1=zz' }, secret })).toMatchObject({
      ok: false,
      reason: 'malformed_signature',
    });
    expect(
      verifyWebhook({ body: new TextEncoder().encode(body), headers: new Headers(headers), secret, nowMs: now }),
    ).toMatchObject({ ok: true });
  });
});
