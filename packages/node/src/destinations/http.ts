/**
 * `destinations.http`: JSON batches to any HTTP backend, in the same shape the browser sends to
 * the ingest (`{"batch":[…],"sentAt":"…","v":1}`), so one Touchpoint server can forward to another.
 */
import { WIRE_VERSION } from '@touchpoint/core';
import { batchJsons, jsonArrayBody } from '../event-json.js';
import type { Destination } from '../types.js';
import { checkUrl, createPoster } from './http-post.js';
import { type CommonDestinationOptions, withCommon } from './options.js';

export interface HttpDestinationOptions extends CommonDestinationOptions {
  url: string;
  /** Extra headers, e.g. `{ authorization: 'Bearer …' }`. */
  headers?: Record<string, string>;
}

/**
 * @example
 * destinations.http({ url: 'https://warehouse.example/touchpoints', headers: { authorization: `Bearer ${token}` } });
 */
export function http(options: HttpDestinationOptions): Destination {
  const url = checkUrl(options?.url, 'http.url');
  const poster = createPoster(url);
  const headers = { 'content-type': 'application/json', ...options.headers };
  const post = (jsons: readonly string[], signal?: AbortSignal) =>
    poster.post(
      jsonArrayBody('{"batch":', jsons, `,"sentAt":"${new Date().toISOString()}","v":${WIRE_VERSION}}`),
      headers,
      signal,
    );
  return withCommon('http', options, {
    send: (events, signal) => post(batchJsons(events), signal),
    sendSerialized: post,
    close: () => poster.close(),
  });
}
