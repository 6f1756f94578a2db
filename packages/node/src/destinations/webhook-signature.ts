/**
 * Webhook signatures in two schemes, both HMAC-SHA256 over the delivery id (Standard only), a
 * unix-seconds timestamp and the exact body, so a receiver can reject changed bodies and old
 * deliveries (replays) without keeping state:
 *
 * - `standard` ([Standard Webhooks](https://www.standardwebhooks.com/), the default):
 *   `webhook-id`, `webhook-timestamp`, and `webhook-signature: v1,<base64>` over `id.timestamp.body`
 *   with the base64-decoded bytes of a `whsec_…` secret as the key. Any Standard Webhooks
 *   verifier (`standardwebhooks`, Svix's libraries) accepts it.
 * - `stripe`: `Touchpoint-Signature: t=<unix s>,v1=<hex>` over `t.body` with the secret's UTF-8
 *   bytes as the key, plus `Touchpoint-Webhook-Id`; Stripe's `webhooks.constructEvent` accepts it.
 *
 * Several secrets sign every delivery with each (one signature per secret), so a receiver can
 * rotate keys without a window where deliveries fail. Comparisons are constant-time. This module
 * knows nothing of events or destinations: it signs and checks bytes.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { TouchpointConfigError } from '@touchpoint/core';

export type WebhookScheme = 'standard' | 'stripe';

export const SIGNATURE_HEADER = 'touchpoint-signature';
export const WEBHOOK_ID_HEADER = 'touchpoint-webhook-id';
export const STANDARD_ID_HEADER = 'webhook-id';
export const STANDARD_TIMESTAMP_HEADER = 'webhook-timestamp';
export const STANDARD_SIGNATURE_HEADER = 'webhook-signature';

const SECRET_PREFIX = 'whsec_';

/**
 * A new Standard Webhooks secret: `whsec_` and 32 random bytes in base64. Give the same string to
 * the sender (`destinations.webhook({ secret })`) and the receiver (`verifyWebhook`, or any
 * Standard Webhooks library).
 *
 * @example
 * console.log(generateWebhookSecret()); // whsec_q3k…= — store it as TP_WEBHOOK_SECRET on both sides
 */
export function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

/** The HMAC key of a Standard Webhooks secret, or `undefined` when it is not one. */
function standardKey(secret: string): Buffer | undefined {
  const base64 = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 !== 0) return undefined;
  const key = Buffer.from(base64, 'base64');
  return key.length >= 24 && key.length <= 64 ? key : undefined;
}

/**
 * Checks the secrets a sender was configured with, at configuration time.
 * Standard secrets must be `whsec_` + base64 of 24–64 bytes; Stripe-style ones at least 16 characters.
 */
export function checkWebhookSecrets(secret: unknown, scheme: WebhookScheme, field: string): string[] {
  const list = Array.isArray(secret) ? secret : [secret];
  if (list.length === 0) throw new TouchpointConfigError(field, 'must name at least one secret');
  for (const s of list) {
    if (scheme === 'standard' && (typeof s !== 'string' || !s.startsWith(SECRET_PREFIX) || !standardKey(s))) {
      throw new TouchpointConfigError(
        field,
        "must be a Standard Webhooks secret: 'whsec_' + base64 of 24–64 random bytes (generateWebhookSecret() makes one); " +
          "to keep the Touchpoint-Signature scheme with any other secret, set scheme: 'stripe'",
      );
    }
    if (scheme === 'stripe' && (typeof s !== 'string' || s.length < 16))
      throw new TouchpointConfigError(field, 'must be a string of at least 16 characters');
  }
  return list as string[];
}

function bodyBytes(body: string | Uint8Array): Buffer {
  return typeof body === 'string'
    ? Buffer.from(body, 'utf8')
    : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

function standardDigest(key: Buffer, id: string, timestampSec: number, body: string | Uint8Array): Buffer {
  return createHmac('sha256', key).update(`${id}.${timestampSec}.`).update(bodyBytes(body)).digest();
}

function stripeDigest(secret: string, timestampSec: number, body: string | Uint8Array): Buffer {
  return createHmac('sha256', secret).update(`${timestampSec}.`).update(bodyBytes(body)).digest();
}

/**
 * The `Touchpoint-Signature` header value (Stripe-style scheme) for `body` at `timestampSec`;
 * with several secrets, one `v1=` per secret.
 *
 * @example
 * signWebhook('{"batch":[]}', process.env.TP_WEBHOOK_SECRET!, Math.floor(Date.now() / 1000)); // 't=…,v1=…'
 */
export function signWebhook(body: string | Uint8Array, secret: string | string[], timestampSec: number): string {
  const secrets = Array.isArray(secret) ? secret : [secret];
  return `t=${timestampSec}${secrets.map((s) => `,v1=${stripeDigest(s, timestampSec, body).toString('hex')}`).join('')}`;
}

/**
 * The three Standard Webhooks headers for one delivery attempt; with several secrets the
 * signature header carries one space-separated `v1,<base64>` per secret.
 *
 * @example
 * const headers = signStandardWebhook(body, 'whsec_…', deliveryId, Math.floor(Date.now() / 1000));
 * // { 'webhook-id': deliveryId, 'webhook-timestamp': '1764460800', 'webhook-signature': 'v1,K5o…=' }
 */
export function signStandardWebhook(
  body: string | Uint8Array,
  secret: string | string[],
  id: string,
  timestampSec: number,
): Record<string, string> {
  const signatures: string[] = [];
  for (const s of Array.isArray(secret) ? secret : [secret]) {
    const key = standardKey(s);
    if (!key) throw new TouchpointConfigError('secret', "must be 'whsec_' + base64 of 24–64 bytes");
    signatures.push(`v1,${standardDigest(key, id, timestampSec, body).toString('base64')}`);
  }
  return {
    [STANDARD_ID_HEADER]: id,
    [STANDARD_TIMESTAMP_HEADER]: String(timestampSec),
    [STANDARD_SIGNATURE_HEADER]: signatures.join(' '),
  };
}

export interface VerifyWebhookOptions {
  /** The raw request body, exactly as received (verify before parsing). */
  body: string | Uint8Array;
  /** Request headers: a `Headers` object or node's `req.headers`. */
  headers: Headers | Record<string, string | string[] | undefined>;
  /** The shared secret; pass several while rotating. */
  secret: string | string[];
  /** Oldest (and furthest in the future) accepted timestamp, in seconds (default 300). */
  toleranceSec?: number;
  /** Current time in ms (default `Date.now()`). */
  nowMs?: number;
}

export type VerifyWebhookResult =
  | {
      ok: true;
      /** Which scheme the delivery was signed with. */
      scheme: WebhookScheme;
      timestamp: number;
      /** The delivery id; the same on every retry of a delivery, so receivers dedupe on it. */
      id?: string;
    }
  | {
      ok: false;
      reason: 'missing_signature' | 'malformed_signature' | 'stale_timestamp' | 'bad_signature';
      message: string;
    };

function header(headers: VerifyWebhookOptions['headers'], name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  const value = record[name] ?? Object.entries(record).find(([k]) => k.toLowerCase() === name)?.[1];
  return Array.isArray(value) ? value[0] : value;
}

function anyEqual(expected: Buffer, candidates: Buffer[]): boolean {
  let found = false;
  for (const c of candidates) if (c.length === expected.length && timingSafeEqual(expected, c)) found = true;
  return found;
}

type Parsed =
  | { ok: true; scheme: WebhookScheme; timestamp: number; id: string | undefined; signatures: Buffer[] }
  | Extract<VerifyWebhookResult, { ok: false }>;

function parseHeaders(headers: VerifyWebhookOptions['headers']): Parsed {
  const standard = header(headers, STANDARD_SIGNATURE_HEADER);
  if (standard !== undefined) {
    const id = header(headers, STANDARD_ID_HEADER);
    const t = header(headers, STANDARD_TIMESTAMP_HEADER) ?? '';
    const signatures: Buffer[] = [];
    for (const part of standard.split(' ')) {
      const [version, sig] = part.split(',', 2);
      if (version === 'v1' && sig && /^[A-Za-z0-9+/]+={0,2}$/.test(sig)) signatures.push(Buffer.from(sig, 'base64'));
    }
    if (!id || !/^\d{1,12}$/.test(t) || signatures.length === 0) {
      return {
        ok: false,
        reason: 'malformed_signature',
        message: `Standard Webhooks need ${STANDARD_ID_HEADER}, ${STANDARD_TIMESTAMP_HEADER} (unix seconds) and ${STANDARD_SIGNATURE_HEADER}: v1,<base64>`,
      };
    }
    return { ok: true, scheme: 'standard', timestamp: Number(t), id, signatures };
  }
  const value = header(headers, SIGNATURE_HEADER);
  if (!value) {
    return {
      ok: false,
      reason: 'missing_signature',
      message: `no ${STANDARD_SIGNATURE_HEADER} or ${SIGNATURE_HEADER} header`,
    };
  }
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    const val = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(val)) timestamp = Number(val);
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(val)) signatures.push(Buffer.from(val, 'hex'));
  }
  if (timestamp === undefined || signatures.length === 0) {
    return {
      ok: false,
      reason: 'malformed_signature',
      message: `${SIGNATURE_HEADER} must look like t=<unix seconds>,v1=<64 hex chars>`,
    };
  }
  return { ok: true, scheme: 'stripe', timestamp, id: header(headers, WEBHOOK_ID_HEADER), signatures };
}

/**
 * Checks a webhook delivery from `destinations.webhook`, in either scheme (told apart by its
 * headers). Never throws. Dedupe on `id`: it is the same on every retry of a delivery.
 *
 * @example
 * const check = verifyWebhook({ body: rawBody, headers: req.headers, secret: process.env.TP_WEBHOOK_SECRET! });
 * if (!check.ok) return res.writeHead(401).end(check.message);
 */
export function verifyWebhook(options: VerifyWebhookOptions): VerifyWebhookResult {
  const parsed = parseHeaders(options.headers);
  if (!parsed.ok) return parsed;
  const { scheme, timestamp, id, signatures } = parsed;
  const tolerance = options.toleranceSec ?? 300;
  const nowSec = Math.floor((options.nowMs ?? Date.now()) / 1000);
  if (Math.abs(nowSec - timestamp) > tolerance) {
    return {
      ok: false,
      reason: 'stale_timestamp',
      message: `timestamp ${timestamp} is more than ${tolerance} s from now (${nowSec}); a replay or a wrong clock`,
    };
  }
  for (const secret of Array.isArray(options.secret) ? options.secret : [options.secret]) {
    if (typeof secret !== 'string') continue;
    let expected: Buffer | undefined;
    if (scheme === 'stripe') expected = stripeDigest(secret, timestamp, options.body);
    else {
      const key = standardKey(secret);
      if (key) expected = standardDigest(key, id!, timestamp, options.body);
    }
    if (expected && anyEqual(expected, signatures))
      return id === undefined ? { ok: true, scheme, timestamp } : { ok: true, scheme, timestamp, id };
  }
  return { ok: false, reason: 'bad_signature', message: 'signature does not match the body and secret' };
}
