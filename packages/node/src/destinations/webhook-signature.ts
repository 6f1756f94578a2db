/**
 * Webhook signatures: HMAC-SHA256 over `${timestamp}.${body}`, sent as
 * `Touchpoint-Signature: t=<unix seconds>,v1=<hex>`. Signing the timestamp with the body lets the
 * receiver reject old deliveries (replays) without keeping state; the comparison is constant-time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'touchpoint-signature';
export const WEBHOOK_ID_HEADER = 'touchpoint-webhook-id';

/** The `Touchpoint-Signature` header value for `body` at `timestampSec`. */
export function signWebhook(body: string | Uint8Array, secret: string, timestampSec: number): string {
  const v1 = createHmac('sha256', secret).update(`${timestampSec}.`).update(body).digest('hex');
  return `t=${timestampSec},v1=${v1}`;
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
  | { ok: true; timestamp: number; id?: string }
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

/**
 * Checks a webhook delivery from `destinations.webhook`. Never throws.
 *
 * @example
 * const check = verifyWebhook({ body: rawBody, headers: req.headers, secret: process.env.TP_WEBHOOK_SECRET! });
 * if (!check.ok) return res.writeHead(401).end(check.message);
 */
export function verifyWebhook(options: VerifyWebhookOptions): VerifyWebhookResult {
  const value = header(options.headers, SIGNATURE_HEADER);
  if (!value) return { ok: false, reason: 'missing_signature', message: `no ${SIGNATURE_HEADER} header` };
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    const val = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(val)) timestamp = Number(val);
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(val)) signatures.push(val);
  }
  if (timestamp === undefined || signatures.length === 0) {
    return {
      ok: false,
      reason: 'malformed_signature',
      message: `${SIGNATURE_HEADER} must look like t=<unix seconds>,v1=<64 hex chars>`,
    };
  }
  const tolerance = options.toleranceSec ?? 300;
  const nowSec = Math.floor((options.nowMs ?? Date.now()) / 1000);
  if (Math.abs(nowSec - timestamp) > tolerance) {
    return {
      ok: false,
      reason: 'stale_timestamp',
      message: `timestamp ${timestamp} is more than ${tolerance} s from now (${nowSec}); a replay or a wrong clock`,
    };
  }
  const body =
    typeof options.body === 'string'
      ? options.body
      : Buffer.from(options.body.buffer, options.body.byteOffset, options.body.byteLength).toString('utf8');
  const secrets = Array.isArray(options.secret) ? options.secret : [options.secret];
  for (const secret of secrets) {
    const expected = Buffer.from(createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex'), 'utf8');
    for (const sig of signatures) {
      if (timingSafeEqual(expected, Buffer.from(sig, 'utf8'))) {
        const id = header(options.headers, WEBHOOK_ID_HEADER);
        return id === undefined ? { ok: true, timestamp } : { ok: true, timestamp, id };
      }
    }
  }
  return { ok: false, reason: 'bad_signature', message: 'signature does not match the body and secret' };
}
