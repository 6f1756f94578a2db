/**
 * A signed-in customer's own erasure request, sent from the storefront to the shop's endpoint
 * (`createErasureHandler` from `@touchpoint/node/privacy`, behind the shop's session check). The
 * server decides who is erased from the session, not from what the page says; the page sends
 * its ids so the server can include this browser's anonymous id. On a 2xx answer the tracker
 * forgets its ids and purges its queue (`reset()`), so nothing recorded before the erasure is
 * sent after it. Never throws into the page: every outcome is a result to inspect.
 */
import type { Tracker } from '../types.js';

export interface RequestErasureOptions {
  /** The shop's erasure endpoint, e.g. `/api/privacy/erasure`. */
  endpoint: string;
  /** Extra request headers, e.g. a CSRF token the shop's session check wants. */
  headers?: Record<string, string>;
  /** Whether the shop's cookies go with the request: `'include'` (default), `'same-origin'`, `'omit'`. */
  credentials?: RequestCredentials;
}

export type RequestErasureErrorCode =
  /** Bad arguments (no endpoint, no tracker); nothing was sent. */
  | 'invalid'
  /** No browser `fetch` (server-side rendering); nothing was sent. */
  | 'unavailable'
  /** The request did not reach the server (offline, DNS, CORS refused). */
  | 'network'
  /** 401: the shop's session check found no signed-in customer. */
  | 'unauthenticated'
  /** 429: asked again too soon; `retryAfterSec` says when to try again. */
  | 'rate_limited'
  /** Any other answer that is not 2xx. */
  | 'rejected'
  /** A fault of this function; nothing was erased. */
  | 'internal';

export type RequestErasureResult =
  | {
      ok: true;
      /** The erasure's id, for the customer's records and the shop's audit. */
      erasureId: string;
      /** What the server said of it: `erased`, or `pending` while destinations are still told. */
      status: string;
    }
  | {
      ok: false;
      error: { code: RequestErasureErrorCode; message: string; status?: number; retryAfterSec?: number };
    };

const fail = (
  code: RequestErasureErrorCode,
  message: string,
  extra?: { status?: number; retryAfterSec?: number },
): RequestErasureResult => ({ ok: false, error: { code, message, ...extra } });

/** The answer's JSON body, or `{}` when it has none. */
const readJson = (response: Response): Promise<Record<string, unknown>> =>
  response.json().then(
    (body: unknown) => (body && typeof body === 'object' ? (body as Record<string, unknown>) : {}),
    () => ({}),
  );

/**
 * Asks the shop to erase the signed-in customer; on success the tracker starts afresh.
 *
 * @example
 * const result = await requestErasure(tp, { endpoint: '/api/privacy/erasure' });
 * if (result.ok) showMessage(`Your data is erased (reference ${result.erasureId}).`);
 * else if (result.error.code === 'unauthenticated') showSignIn();
 */
export async function requestErasure(
  tracker: Pick<Tracker<any>, 'getIds' | 'reset' | 'flush'>,
  options: RequestErasureOptions,
): Promise<RequestErasureResult> {
  try {
    if (!tracker || typeof tracker.getIds !== 'function' || typeof tracker.reset !== 'function')
      return fail('invalid', 'requestErasure needs the tracker createTracker returned');
    const { endpoint, headers, credentials = 'include' } = options ?? ({} as RequestErasureOptions);
    if (typeof endpoint !== 'string' || !endpoint) return fail('invalid', 'endpoint must be a URL string');
    if (typeof fetch !== 'function') return fail('unavailable', 'no fetch here (server-side rendering?)');
    // What is queued goes first, so the server erases it with the rest; what cannot be sent now
    // is purged by reset() below.
    await tracker.flush?.().catch(() => {});
    const { anonymousId, userId } = tracker.getIds();
    let response: Response;
    try {
      response = await fetch(endpoint, {
        method: 'POST',
        credentials,
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ anonymousId: anonymousId || undefined, userId }),
      });
    } catch (error) {
      return fail('network', `the erasure request did not reach ${endpoint}: ${String(error)}`);
    }
    const body = await readJson(response);
    if (response.ok) {
      tracker.reset();
      return {
        ok: true,
        erasureId: typeof body.erasureId === 'string' ? body.erasureId : '',
        status: typeof body.status === 'string' ? body.status : 'accepted',
      };
    }
    const status = response.status;
    const said = typeof body.message === 'string' ? body.message : `${endpoint} answered ${status}`;
    if (status === 401) return fail('unauthenticated', said, { status });
    if (status === 429) {
      const retryAfterSec = Number(response.headers.get('retry-after'));
      return fail(
        'rate_limited',
        said,
        Number.isFinite(retryAfterSec) && retryAfterSec > 0 ? { status, retryAfterSec } : { status },
      );
    }
    return fail('rejected', said, { status });
  } catch (error) {
    return fail('internal', `requestErasure failed: ${String(error)}`);
  }
}
