import { createHash } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { trackEvent } from '../../test/events.js';
import { type Sink, type SinkRequest, startSink } from '../../test/loopback-sink.js';
import { createErasureSubject, erasureRequest } from '../privacy/subject.js';
import { webhook, webhookDeliveryId } from './webhook.js';
import { generateWebhookSecret, signStandardWebhook, signWebhook, verifyWebhook } from './webhook-signature.js';

const stripeSecret = 'whsec_0123456789abcdef';
let sink: Sink | undefined;
afterEach(async () => {
  await sink?.close();
  sink = undefined;
});

/** The headers as a Standard Webhooks library takes them (plain strings). */
function standardHeaders(r: SinkRequest): Record<string, string> {
  return {
    'webhook-id': String(r.headers['webhook-id']),
    'webhook-timestamp': String(r.headers['webhook-timestamp']),
    'webhook-signature': String(r.headers['webhook-signature']),
  };
}

describe('webhook destination, Standard Webhooks (default)', () => {
  it('is accepted by the standardwebhooks verifier, and by verifyWebhook, on every attempt', async () => {
    const secret = generateWebhookSecret();
    sink = await startSink();
    const destination = webhook({ url: sink.url, secret });
    const events = [trackEvent(), trackEvent()];
    expect(await destination.send(events)).toMatchObject({ ok: true });
    expect(await destination.send(events)).toMatchObject({ ok: true }); // a retry of the same batch
    expect(sink.requests).toHaveLength(2);
    for (const r of sink.requests) {
      expect(r.headers['touchpoint-signature']).toBeUndefined();
      expect(r.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
      const payload = new Webhook(secret).verify(r.body, standardHeaders(r)) as { batch: { messageId: string }[] };
      expect(payload.batch.map((e) => e.messageId)).toEqual(events.map((e) => e.messageId));
      expect(verifyWebhook({ body: r.body, headers: r.headers, secret })).toMatchObject({
        ok: true,
        scheme: 'standard',
      });
    }
    // Receivers dedupe on webhook-id: a retry carries the same one.
    expect(sink.requests[0]!.headers['webhook-id']).toBe(sink.requests[1]!.headers['webhook-id']);
    expect(() =>
      new Webhook(generateWebhookSecret()).verify(sink!.requests[0]!.body, standardHeaders(sink!.requests[0]!)),
    ).toThrow();
    const changed = sink.requests[0]!.body.replace('cart.item_added', 'cart.item_removed');
    expect(() => new Webhook(secret).verify(changed, standardHeaders(sink!.requests[0]!))).toThrow();
  });

  it('uses the event messageId as webhook-id for one event, and a digest of all ids for a batch', () => {
    const a = trackEvent();
    const b = trackEvent();
    expect(webhookDeliveryId([a])).toBe(a.messageId);
    const ab = webhookDeliveryId([a, b]);
    expect(ab).toMatch(/^batch_[0-9a-f]{32}$/);
    expect(webhookDeliveryId([a, b])).toBe(ab);
    // A regrouped batch that starts with the same event is a different delivery, never dropped as a repeat.
    expect(webhookDeliveryId([a, b, trackEvent()])).not.toBe(ab);
  });

  it('signs with every secret while keys rotate; each verifier accepts with either key', async () => {
    const oldSecret = generateWebhookSecret();
    const newSecret = generateWebhookSecret();
    sink = await startSink();
    await webhook({ url: sink.url, secret: [oldSecret, newSecret] }).send([trackEvent()]);
    const r = sink.requests[0]!;
    expect(String(r.headers['webhook-signature']).split(' ')).toHaveLength(2);
    for (const s of [oldSecret, newSecret]) {
      expect(() => new Webhook(s).verify(r.body, standardHeaders(r))).not.toThrow();
      expect(verifyWebhook({ body: r.body, headers: r.headers, secret: s })).toMatchObject({ ok: true });
    }
    expect(verifyWebhook({ body: r.body, headers: r.headers, secret: generateWebhookSecret() })).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('verifyWebhook accepts what the standardwebhooks library signs, and rejects stale or changed deliveries', () => {
    const secret = generateWebhookSecret();
    const body = '{"batch":[]}';
    const now = new Date('2026-11-22T10:00:00Z');
    const t = Math.floor(now.getTime() / 1000);
    const headers = {
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(t),
      'webhook-signature': new Webhook(secret).sign('msg_1', now, body),
    };
    expect(verifyWebhook({ body, headers, secret, nowMs: now.getTime() })).toEqual({
      ok: true,
      scheme: 'standard',
      timestamp: t,
      id: 'msg_1',
    });
    expect(signStandardWebhook(body, secret, 'msg_1', t)['webhook-signature']).toBe(headers['webhook-signature']);
    expect(verifyWebhook({ body: `${body} `, headers, secret, nowMs: now.getTime() })).toMatchObject({
      reason: 'bad_signature',
    });
    expect(
      verifyWebhook({ body, headers: { ...headers, 'webhook-id': 'msg_2' }, secret, nowMs: now.getTime() }),
    ).toMatchObject({ reason: 'bad_signature' });
    expect(verifyWebhook({ body, headers, secret, nowMs: now.getTime() + 301_000 })).toMatchObject({
      reason: 'stale_timestamp',
    });
    expect(verifyWebhook({ body, headers: { ...headers, 'webhook-timestamp': 'soon' }, secret })).toMatchObject({
      reason: 'malformed_signature',
    });
  });

  it('refuses a secret that is not a Standard Webhooks secret, naming the way out', () => {
    expect(() => webhook({ url: 'http://127.0.0.1:9/x', secret: 'a-long-plain-secret-123' })).toThrow(
      /whsec_.*scheme: 'stripe'/,
    );
    expect(() => webhook({ url: 'http://127.0.0.1:9/x', secret: 'whsec_c2hvcnQ=' })).toThrow(/24–64/);
    expect(() => webhook({ url: 'http://127.0.0.1:9/x', secret: [] })).toThrow(/at least one/);
  });
});

describe('webhook destination, Stripe-style (scheme: stripe)', () => {
  it("is accepted by Stripe's own constructEvent, with a delivery id stable across retries", async () => {
    sink = await startSink();
    const destination = webhook({ url: sink.url, secret: stripeSecret, scheme: 'stripe' });
    const events = [trackEvent(), trackEvent()];
    await destination.send(events);
    await destination.send(events);
    const stripe = new Stripe('sk_test_unused');
    for (const r of sink.requests) {
      expect(r.headers['webhook-signature']).toBeUndefined();
      const header = String(r.headers['touchpoint-signature']);
      const payload = stripe.webhooks.constructEvent(r.body, header, stripeSecret) as unknown as { batch: unknown[] };
      expect(payload.batch).toHaveLength(2);
      expect(() => stripe.webhooks.constructEvent(r.body, header, 'whsec_someone_else_00')).toThrow();
      expect(verifyWebhook({ body: r.body, headers: r.headers, secret: stripeSecret })).toMatchObject({
        ok: true,
        scheme: 'stripe',
        id: webhookDeliveryId(events),
      });
    }
    expect(sink.requests[0]!.headers['touchpoint-webhook-id']).toBe(sink.requests[1]!.headers['touchpoint-webhook-id']);
  });

  it('signs with every secret while rotating; Stripe accepts either', async () => {
    sink = await startSink();
    const other = 'another-secret-0000';
    await webhook({ url: sink.url, secret: [other, stripeSecret], scheme: 'stripe' }).send([trackEvent()]);
    const r = sink.requests[0]!;
    const stripe = new Stripe('sk_test_unused');
    for (const s of [other, stripeSecret])
      expect(() => stripe.webhooks.constructEvent(r.body, String(r.headers['touchpoint-signature']), s)).not.toThrow();
  });

  it('verifyWebhook rejects a changed body, a wrong secret, stale or future timestamps, and malformed headers', () => {
    const body = '{"batch":[]}';
    const now = Date.parse('2026-11-22T10:00:00Z');
    const t = Math.floor(now / 1000);
    const headers = { 'touchpoint-signature': signWebhook(body, stripeSecret, t) };
    expect(verifyWebhook({ body, headers, secret: stripeSecret, nowMs: now })).toEqual({
      ok: true,
      scheme: 'stripe',
      timestamp: t,
    });
    expect(verifyWebhook({ body: `${body} `, headers, secret: stripeSecret, nowMs: now })).toMatchObject({
      reason: 'bad_signature',
    });
    expect(verifyWebhook({ body, headers, secret: 'another-secret-000', nowMs: now })).toMatchObject({
      reason: 'bad_signature',
    });
    expect(verifyWebhook({ body, headers, secret: stripeSecret, nowMs: now + 301_000 })).toMatchObject({
      reason: 'stale_timestamp',
    });
    expect(verifyWebhook({ body, headers, secret: stripeSecret, nowMs: now - 301_000 })).toMatchObject({
      reason: 'stale_timestamp',
    });
    expect(verifyWebhook({ body, headers: {}, secret: stripeSecret })).toMatchObject({
      ok: false,
      reason: 'missing_signature',
    });
    expect(
      verifyWebhook({ body, headers: { 'touchpoint-signature': 't=abc,v1=zz' }, secret: stripeSecret }),
    ).toMatchObject({
      reason: 'malformed_signature',
    });
    expect(
      verifyWebhook({
        body: new TextEncoder().encode(body),
        headers: new Headers(headers),
        secret: stripeSecret,
        nowMs: now,
      }),
    ).toMatchObject({ ok: true });
  });
});

describe('webhook destination, erasure', () => {
  const request = () =>
    erasureRequest(
      createErasureSubject({
        erasureId: 'er_01hx',
        userIds: ['user-alice'],
        anonymousIds: ['anon-alice'],
        emails: ['Alice@Example.VN'],
        phones: ['+84901234567'],
        accounts: [{ channel: 'facebook', id: 'fb-123' }],
      }),
      new Date('2026-11-30T01:02:03.000Z'),
      ['m-1', 'm-2'],
    );

  it('posts a signed identity.erased message, with digests but no raw email or phone by default', async () => {
    const secret = generateWebhookSecret();
    sink = await startSink();
    const destination = webhook({ url: sink.url, secret });
    expect(await destination.erase!(request())).toMatchObject({ ok: true, status: 200 });
    expect(await destination.erase!(request())).toMatchObject({ ok: true }); // a retry
    const [first, retry] = sink.requests;
    const body = new Webhook(secret).verify(first!.body, standardHeaders(first!));
    expect(body).toEqual({
      type: 'identity.erased',
      erasureId: 'er_01hx',
      requestedAt: '2026-11-30T01:02:03.000Z',
      userIds: ['user-alice'],
      anonymousIds: ['anon-alice'],
      hashedEmails: [createHash('sha256').update('alice@example.vn').digest('hex')],
      hashedPhones: [createHash('sha256').update('+84901234567').digest('hex')],
      accounts: [{ channel: 'facebook', id: 'fb-123' }],
      messageIds: ['m-1', 'm-2'],
    });
    expect(first!.body).not.toMatch(/alice@example|84901234567/i);
    // Receivers dedupe on webhook-id: the erasure's id, the same on a retry.
    expect(first!.headers['webhook-id']).toBe('er_01hx');
    expect(retry!.headers['webhook-id']).toBe('er_01hx');
    expect(verifyWebhook({ body: first!.body, headers: first!.headers, secret })).toMatchObject({
      ok: true,
      id: 'er_01hx',
    });
    await destination.close?.();
  });

  it('adds raw emails and phones with includeRaw, sends to erase.url, and answers like a delivery', async () => {
    const secret = generateWebhookSecret();
    sink = await startSink((r) =>
      r.url === '/erasures' ? { status: 503, headers: { 'retry-after': '7' } } : { status: 200 },
    );
    const destination = webhook({
      url: sink.url,
      secret,
      erase: { url: sink.url.replace('/ingest', '/erasures'), includeRaw: true },
    });
    expect(await destination.erase!(request())).toMatchObject({ ok: false, status: 503, retryAfter: '7' });
    const body = JSON.parse(sink.requests[0]!.body);
    expect(body).toMatchObject({ emails: ['alice@example.vn'], phones: ['+84901234567'] });
    // Stripe-style scheme signs it the same way as event batches.
    const stripe = webhook({ url: sink.url, secret: stripeSecret, scheme: 'stripe' });
    await stripe.erase!(request());
    const signed = sink.requests[1]!;
    expect(signed.headers['touchpoint-webhook-id']).toBe('er_01hx');
    expect(verifyWebhook({ body: signed.body, headers: signed.headers, secret: stripeSecret })).toMatchObject({
      ok: true,
      scheme: 'stripe',
    });
    await destination.close?.();
    await stripe.close?.();
  });

  it('has no erase with erase: false, and checks its erase options at creation', () => {
    const secret = generateWebhookSecret();
    expect(webhook({ url: 'https://hooks.example/tp', secret, erase: false }).erase).toBeUndefined();
    expect(() => webhook({ url: 'https://hooks.example/tp', secret, erase: { url: 'ftp://x' } })).toThrow(
      /webhook\.erase\.url/,
    );
    expect(() =>
      webhook({ url: 'https://hooks.example/tp', secret, erase: { includeRaw: 'yes' as unknown as boolean } }),
    ).toThrow(/webhook\.erase\.includeRaw/);
  });
});
