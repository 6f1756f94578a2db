/**
 * Puts batches on the wire in the agreed shape: `POST <endpoint>` with
 * `{"batch":[…],"sentAt":"…","v":1,"writeKey":"…"}` as `text/plain;charset=UTF-8`, a CORS
 * "simple request" (no preflight), identical for `fetch` and `sendBeacon`. Events were
 * serialised once when recorded; a body is built by joining their JSON.
 */
import { WIRE_VERSION } from '@touchpoint/core';
import type { QueueItem } from './queue.js';

/** Bytes the wrapper adds around the events; generous so chunks never overshoot. */
export const BODY_OVERHEAD = 160;

export function batchBody(items: readonly QueueItem[], writeKey: string, sentAt: string): string {
  return `{"batch":[${items.map((i) => i.json_).join()}],"sentAt":"${sentAt}","v":${WIRE_VERSION},"writeKey":${JSON.stringify(writeKey)}}`;
}

/** What the ingest answered. */
export interface HttpAnswer {
  /** The HTTP status; 0 when no answer came (a network error). */
  status_: number;
  /** Its `Retry-After` header. */
  retryAfter_?: string | null;
  /** The parsed JSON body of a 2xx answer, when there is one. */
  body_?: IngestBody;
}

/** A 2xx answer's body, as the ingest sends it (wire names: never shortened by the build). */

export interface IngestBody {
  rejected?: { index?: number; messageId?: string; issues?: { path: string; message: string }[] }[];
  /** What the server wants the page to show (surveys it queued); read by `@touchpoint/browser/surveys`. */
  prompts?: unknown[];
}

/** POSTs a body; never rejects. */
export async function postBody(endpoint: string, body: string, keepalive = false): Promise<HttpAnswer> {
  try {
    const res = await fetch(endpoint, {
      method: 'POST',
      // A string body is sent as `text/plain;charset=UTF-8` by the Fetch standard itself (as
      // `sendBeacon` sends it): a simple request, no preflight, and no header to spell out.
      body,
      credentials: 'omit',
      keepalive,
    });
    return {
      status_: res.status,
      retryAfter_: res.headers.get('Retry-After'),
      // Only a 2xx answer's body matters (its `rejected` list); an empty or non-JSON one is fine.
      body_: res.ok ? await res.json().catch(() => {}) : undefined,
    };
  } catch {
    return { status_: 0 };
  }
}

/** Hands a body to `navigator.sendBeacon`; `true` when the browser accepted to send it. */
export function beacon(endpoint: string, body: string): boolean {
  try {
    return !!globalThis.navigator?.sendBeacon?.(endpoint, body);
  } catch {
    return false;
  }
}
