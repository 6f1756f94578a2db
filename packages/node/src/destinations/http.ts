/**
 * `destinations.http`: JSON batches to any HTTP backend, in the same shape the browser sends to
 * the ingest (`{"batch":[…],"sentAt":"…","v":1}`), so one Touchpoint server can forward to another.
 *
 * Erasure is opt-in, because a plain HTTP backend has no agreed way to forget someone: `erase`
 * is either `{ url }`, where the `identity.erased` message (see `erasure-message.ts`) is POSTed,
 * or a function that does whatever the backend needs, with a `post` helper that reuses this
 * destination's connection and headers. Without it the destination has no `erase`, and an
 * erasure records it as `unsupported` (erase there by hand).
 */
import { TouchpointConfigError, WIRE_VERSION } from '@touchpoint/core';
import { batchJsons, jsonArrayBody } from '../event-json.js';
import type { ErasureRequest } from '../privacy/subject.js';
import type { DeliveryResult, Destination } from '../types.js';
import { erasureMessage } from './erasure-message.js';
import { checkUrl, createPoster, type Poster } from './http-post.js';
import { type CommonDestinationOptions, withCommon } from './options.js';

/** What an `erase` hook may use. */
export interface HttpEraseTools {
  /**
   * POSTs `body` as JSON (a string is sent as it is) to the destination's `url`, or to `url`,
   * with the destination's headers plus `headers`; answers like a delivery attempt.
   */
  post(body: unknown, options?: { url?: string; headers?: Record<string, string> }): Promise<DeliveryResult>;
  /** The `identity.erased` message for this request (raw emails and phones only with `includeRaw`). */
  message(options?: { includeRaw?: boolean }): ReturnType<typeof erasureMessage>;
  signal?: AbortSignal;
}

export type HttpEraseHook = (
  request: ErasureRequest,
  tools: HttpEraseTools,
  // biome-ignore lint/suspicious/noConfusingVoidType: `async () => {}` must fit, as for `send`.
) => Promise<void | DeliveryResult>;

export interface HttpDestinationOptions extends CommonDestinationOptions {
  url: string;
  /** Extra headers, e.g. `{ authorization: 'Bearer …' }`. */
  headers?: Record<string, string>;
  /**
   * How this backend erases a customer: `{ url }` receives the `identity.erased` message (raw
   * emails and phones only with `includeRaw: true`), or a function for anything else. Without
   * it, erasures record this destination as `unsupported`.
   */
  erase?: { url: string; includeRaw?: boolean; headers?: Record<string, string> } | HttpEraseHook;
}

/**
 * @example
 * destinations.http({ url: 'https://warehouse.example/touchpoints', headers: { authorization: `Bearer ${token}` } });
 * // with erasure: the backend gets { type: 'identity.erased', userIds, hashedEmails, … }
 * destinations.http({ url, erase: { url: 'https://warehouse.example/erasures' } });
 */
export function http(options: HttpDestinationOptions): Destination {
  const url = checkUrl(options?.url, 'http.url');
  const erase = checkErase(options.erase);
  const poster = createPoster(url);
  const headers = { 'content-type': 'application/json', ...options.headers };
  // Posters of other URLs an erase hook or `erase.url` uses, kept for their keep-alive sockets.
  const others = new Map<string, Poster>();
  const posterFor = (target: URL) => {
    if (target.href === url.href) return poster;
    let found = others.get(target.href);
    if (!found) {
      found = createPoster(target);
      others.set(target.href, found);
    }
    return found;
  };
  const post = (jsons: readonly string[], signal?: AbortSignal) =>
    poster.post(
      jsonArrayBody('{"batch":', jsons, `,"sentAt":"${new Date().toISOString()}","v":${WIRE_VERSION}}`),
      headers,
      signal,
    );

  function tools(request: ErasureRequest, signal?: AbortSignal): HttpEraseTools {
    return {
      async post(body, postOptions) {
        const target = postOptions?.url === undefined ? url : checkUrl(postOptions.url, 'http.erase post url');
        const text = typeof body === 'string' ? body : JSON.stringify(body);
        const { ok, status, retryAfter, message } = await posterFor(target).post(
          text,
          { ...headers, ...postOptions?.headers },
          signal,
        );
        return { ok, ...(status !== undefined && { status }), retryAfter, ...(message !== undefined && { message }) };
      },
      message: (messageOptions) => erasureMessage(request, messageOptions?.includeRaw === true),
      ...(signal && { signal }),
    };
  }

  return withCommon('http', options, {
    send: (events, signal) => post(batchJsons(events), signal),
    sendSerialized: post,
    ...(erase && {
      erase(request, signal) {
        const t = tools(request, signal);
        if (typeof erase === 'function') return erase(request, t);
        return t.post(t.message({ includeRaw: erase.includeRaw === true }), {
          url: erase.url,
          ...(erase.headers && { headers: erase.headers }),
        });
      },
    }),
    async close() {
      await poster.close();
      for (const other of others.values()) await other.close();
    },
  });
}

function checkErase(erase: HttpDestinationOptions['erase']): HttpDestinationOptions['erase'] {
  if (erase === undefined || typeof erase === 'function') return erase;
  if (typeof erase !== 'object' || erase === null)
    throw new TouchpointConfigError('http.erase', 'must be { url } or a function (request, { post }) => …');
  checkUrl(erase.url, 'http.erase.url');
  if (erase.includeRaw !== undefined && typeof erase.includeRaw !== 'boolean')
    throw new TouchpointConfigError('http.erase.includeRaw', 'must be true or false');
  return erase;
}
