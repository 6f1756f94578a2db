/**
 * `destinations.webhook`: JSON batches signed with HMAC-SHA256 (see `verifyWebhook`). Each
 * batch carries a stable `Touchpoint-Webhook-Id` across retries so receivers can dedupe a
 * delivery, and every attempt is signed afresh so its timestamp is current.
 */
import { createHash } from 'node:crypto';
import { TouchpointConfigError, WIRE_VERSION } from '@touchpoint/core';
import { batchJsons, jsonArrayBody } from '../event-json.js';
import type { Destination } from '../types.js';
import { checkUrl, createPoster } from './http-post.js';
import { type CommonDestinationOptions, withCommon } from './options.js';
import { SIGNATURE_HEADER, signWebhook, WEBHOOK_ID_HEADER } from './webhook-signature.js';

export interface WebhookDestinationOptions extends CommonDestinationOptions {
  url: string;
  /** Shared secret, at least 16 characters. */
  secret: string;
  headers?: Record<string, string>;
}

/**
 * @example
 * destinations.webhook({ url: 'https://hooks.example/touchpoint', secret: process.env.TP_WEBHOOK_SECRET! });
 */
export function webhook(options: WebhookDestinationOptions): Destination {
  const url = checkUrl(options?.url, 'webhook.url');
  const poster = createPoster(url);
  if (typeof options.secret !== 'string' || options.secret.length < 16) {
    throw new TouchpointConfigError('webhook.secret', 'must be a string of at least 16 characters');
  }
  return withCommon('webhook', options, {
    send(events, signal) {
      // Derived from the message ids, so every retry of a batch carries the same delivery id.
      const hash = createHash('sha256');
      for (const event of events) hash.update(event.messageId).update(',');
      const id = hash.digest('hex').slice(0, 32);
      const body = jsonArrayBody(
        '{"batch":',
        batchJsons(events),
        `,"sentAt":"${new Date().toISOString()}","v":${WIRE_VERSION}}`,
      );
      const headers = {
        'content-type': 'application/json',
        ...options.headers,
        [SIGNATURE_HEADER]: signWebhook(body, options.secret, Math.floor(Date.now() / 1000)),
        [WEBHOOK_ID_HEADER]: id,
      };
      return poster.post(body, headers, signal);
    },
    close: () => poster.close(),
  });
}
