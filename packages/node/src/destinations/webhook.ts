/**
 * `destinations.webhook`: JSON batches signed with HMAC-SHA256 (see `webhook-signature.ts`), by
 * default as [Standard Webhooks](https://www.standardwebhooks.com/) so any Standard Webhooks
 * verifier accepts them, or Stripe-style (`scheme: 'stripe'`). Every attempt is signed afresh so
 * its timestamp is current; the delivery id stays the same across retries of a batch.
 *
 * The delivery id is what receivers dedupe on, so it must never name two different payloads: a
 * one-event batch uses the event's `messageId` (a receiver that sees the same event again, by any
 * route, drops it); a larger batch uses a digest of all its message ids, because the first
 * event's id alone would make a receiver drop a regrouped batch (`[a]` failed, then `[a, b]`
 * after a restart) and lose `b`. A regrouped batch may deliver `a` twice; events carry their
 * `messageId` for that.
 *
 * Erasure: `erase()` posts one signed `identity.erased` message (see `erasure-message.ts`) to the
 * same URL, or to `erase.url`, with the same signature headers; its delivery id is the erasure's
 * id, so a receiver dedupes retries. Raw emails and phones are left out unless
 * `erase.includeRaw`. A receiver that answers 2xx to a body it does not understand counts as done:
 * make sure yours handles `type: 'identity.erased'` (or set `erase: false`, which records the
 * webhook as `unsupported` in the erasure's audit record).
 */
import { createHash } from 'node:crypto';
import { TouchpointConfigError, type TouchpointEvent, WIRE_VERSION } from '@touchpoint/core';
import { batchJsons, jsonArrayBody } from '../event-json.js';
import type { DeliveryResult, Destination } from '../types.js';
import { erasureMessage } from './erasure-message.js';
import { checkUrl, createPoster, type Poster } from './http-post.js';
import { type CommonDestinationOptions, withCommon } from './options.js';
import {
  checkWebhookSecrets,
  SIGNATURE_HEADER,
  signStandardWebhook,
  signWebhook,
  WEBHOOK_ID_HEADER,
  type WebhookScheme,
} from './webhook-signature.js';

export interface WebhookDestinationOptions extends CommonDestinationOptions {
  url: string;
  /**
   * The shared secret; several sign every delivery with each, for key rotation. With the default
   * scheme a Standard Webhooks secret (`whsec_…`, see `generateWebhookSecret`); with
   * `scheme: 'stripe'` any string of at least 16 characters.
   */
  secret: string | string[];
  /**
   * `standard` (default): `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>`.
   * `stripe`: `Touchpoint-Signature: t=…,v1=<hex>` and `Touchpoint-Webhook-Id`.
   */
  scheme?: WebhookScheme;
  headers?: Record<string, string>;
  /**
   * How an erasure reaches the receiver (see `createPrivacy().erase()`): by default a signed
   * `identity.erased` message to `url`. `url` sends it elsewhere; `includeRaw: true` adds the raw
   * emails and phones (default: only their SHA-256 digests); `false` sends nothing.
   */
  erase?: false | { url?: string; includeRaw?: boolean };
}

/** The id receivers dedupe a delivery on: the event's own id, or a digest of the batch's ids. */
export function webhookDeliveryId(events: readonly TouchpointEvent[]): string {
  if (events.length === 1) return events[0]!.messageId;
  const hash = createHash('sha256');
  for (const event of events) hash.update(event.messageId).update(',');
  return `batch_${hash.digest('hex').slice(0, 32)}`;
}

/**
 * @example
 * destinations.webhook({ url: 'https://hooks.example/touchpoint', secret: process.env.TP_WEBHOOK_SECRET! });
 */
export function webhook(options: WebhookDestinationOptions): Destination {
  const url = checkUrl(options?.url, 'webhook.url');
  const scheme = options.scheme ?? 'standard';
  if (scheme !== 'standard' && scheme !== 'stripe')
    throw new TouchpointConfigError('webhook.scheme', `must be 'standard' or 'stripe', got ${JSON.stringify(scheme)}`);
  const secrets = checkWebhookSecrets(options.secret, scheme, 'webhook.secret');
  const erase = options.erase;
  if (erase !== undefined && erase !== false && (typeof erase !== 'object' || erase === null))
    throw new TouchpointConfigError('webhook.erase', 'must be false or { url?, includeRaw? }');
  if (erase && erase.includeRaw !== undefined && typeof erase.includeRaw !== 'boolean')
    throw new TouchpointConfigError('webhook.erase.includeRaw', 'must be true or false');
  const eraseUrl = erase && erase.url !== undefined ? checkUrl(erase.url, 'webhook.erase.url') : undefined;
  const poster = createPoster(url);
  const erasePoster = eraseUrl ? createPoster(eraseUrl) : poster;

  /** Signs afresh on every attempt (the timestamp must be current); `id` stays across retries. */
  function post(target: Poster, body: Buffer | string, id: string, signal?: AbortSignal): Promise<DeliveryResult> {
    const nowSec = Math.floor(Date.now() / 1000);
    const signature =
      scheme === 'standard'
        ? signStandardWebhook(body, secrets, id, nowSec)
        : { [SIGNATURE_HEADER]: signWebhook(body, secrets, nowSec), [WEBHOOK_ID_HEADER]: id };
    return target.post(body, { 'content-type': 'application/json', ...options.headers, ...signature }, signal);
  }

  return withCommon('webhook', options, {
    send(events, signal) {
      const body = jsonArrayBody(
        '{"batch":',
        batchJsons(events),
        `,"sentAt":"${new Date().toISOString()}","v":${WIRE_VERSION}}`,
      );
      return post(poster, body, webhookDeliveryId(events), signal);
    },
    ...(erase !== false && {
      erase(request, signal) {
        const body = JSON.stringify(erasureMessage(request, erase?.includeRaw === true));
        return post(erasePoster, body, request.erasureId, signal);
      },
    }),
    async close() {
      await poster.close();
      if (erasePoster !== poster) await erasePoster.close();
    },
  });
}
