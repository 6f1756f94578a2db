/**
 * A customer's own erasure request, as a Fetch API handler `(request) => Promise<Response>` like
 * the ingest (bring it to node:http or Express with `toNodeHandler`). The browser sends it with
 * `requestErasure` from `@touchpoint/browser/privacy`.
 *
 * Who is erased is decided by the shop's own session check (`authenticate`), never by the body:
 * the page's `userId` and `anonymousId` are claims anyone can type. The session's user is erased
 * with their whole profile (`privacy.erase` resolves every linked identity through the identity
 * graph, this browser's anonymous ids included once the customer signed in on it). The body's
 * `anonymousId` is added only when `verifyAnonymousId` (the shop's, optional) confirms it is
 * theirs.
 *
 * The answer is 202 `{ erasureId, status }` once Touchpoint's stores are erased (`privacy.erase`
 * resolved); destinations may still be pending. Requests are JSON only, which a browser cannot
 * send cross-site without a CORS preflight, so another site cannot make a signed-in customer's
 * browser erase them. One erasure per user per `rateLimit.windowMs`: a double click shares the
 * erasure under way, a repeat later gets 429 with `Retry-After`.
 */
import { createHash } from 'node:crypto';
import { type Clock, systemClock, TouchpointConfigError } from '@touchpoint/core';
import { type CorsOptions, checkCors, corsHeaders } from '../cors.js';
import { jsonResponse } from '../json-response.js';
import { readBodyLimited, requestUrl } from '../read-body.js';
import type { ErasureRecord, Privacy } from './types.js';

export interface ErasureHandlerOptions {
  /** What erases (`createPrivacy(…)`); only `erase` is called, with `requestedBy: 'customer'`. */
  privacy: Pick<Privacy, 'erase'>;
  /**
   * The shop's own session check: the signed-in customer's `{ userId }` (the id the shop passes
   * to `identify()`), or `null` when no one is signed in (401).
   */
  authenticate: (
    request: Request,
  ) => Promise<{ userId: string } | null | undefined> | { userId: string } | null | undefined;
  /**
   * Whether the page's anonymous id belongs to this user (e.g. the shop saw it at sign-in). Without
   * it, the anonymous ids erased are those the identity graph links to the user.
   */
  verifyAnonymousId?: (userId: string, anonymousId: string) => Promise<boolean> | boolean;
  /** Browser origins allowed to ask (CORS, with credentials). Without it, only the handler's own host. */
  cors?: CorsOptions;
  /** One erasure per user per window (default 10 minutes). */
  rateLimit?: { windowMs?: number };
  /** Faults that did not crash the handler (a session check or an erasure that threw). No personal data. */
  onError?: (error: {
    source: 'authenticate' | 'verifyAnonymousId' | 'erase';
    message: string;
    error?: unknown;
  }) => void;
  clock?: Clock;
}

export type ErasureHandler = (request: Request) => Promise<Response>;

type ErrorCode =
  | 'method_not_allowed'
  | 'origin_not_allowed'
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'invalid_body'
  | 'invalid_json'
  | 'unauthenticated'
  | 'rate_limited'
  | 'authentication_failed'
  | 'erasure_failed';

/** The body is two ids at most; anything bigger is not from `requestErasure`. */
const MAX_BODY_BYTES = 4096;
const MAX_ID_LENGTH = 512;
/** Users remembered by the rate limit at most; beyond it the oldest are forgotten. */
const MAX_REMEMBERED = 100_000;

const fnOrUndefined = (value: unknown, field: string) => {
  if (value !== undefined && typeof value !== 'function') throw new TouchpointConfigError(field, 'must be a function');
};

/**
 * @example
 * const erasure = createErasureHandler({
 *   privacy,
 *   authenticate: async (request) => {
 *     const session = await sessions.fromCookie(request.headers.get('cookie'));
 *     return session ? { userId: session.customerId } : null;
 *   },
 * });
 * http.createServer(toNodeHandler(erasure)).listen(8080); // or: export const POST = erasure (Next.js)
 */
export function createErasureHandler(options: ErasureHandlerOptions): ErasureHandler {
  if (!options || typeof options !== 'object') throw new TouchpointConfigError('options', 'must be an object');
  if (typeof options.privacy?.erase !== 'function')
    throw new TouchpointConfigError('privacy', 'must be the object createPrivacy() returns (it has no erase function)');
  if (typeof options.authenticate !== 'function')
    throw new TouchpointConfigError(
      'authenticate',
      "must be a function returning the signed-in user's { userId } or null",
    );
  fnOrUndefined(options.verifyAnonymousId, 'verifyAnonymousId');
  fnOrUndefined(options.onError, 'onError');
  checkCors(options.cors);
  const windowMs = options.rateLimit?.windowMs ?? 600_000;
  if (!Number.isFinite(windowMs) || windowMs < 0)
    throw new TouchpointConfigError('rateLimit.windowMs', 'must be a number of milliseconds, 0 or more');
  const { privacy, authenticate, verifyAnonymousId, cors, clock = systemClock } = options;
  const onError = options.onError ?? (() => {});

  /**
   * Recent erasures by user, keyed by the SHA-256 of the user id (this map holds no identifier in
   * the clear): when each started, and its outcome while it runs (shared with a double click).
   * Failures are forgotten, so the customer can try again at once.
   */
  const recent = new Map<string, { at: number; outcome: Promise<ErasureRecord>; done: boolean }>();
  const forgetOld = (now: number) => {
    for (const [key, entry] of recent) {
      // Insertion order is start order: stop at the first one still inside the window.
      if (now - entry.at < windowMs && recent.size <= MAX_REMEMBERED) break;
      recent.delete(key);
    }
  };

  const failure = (status: number, error: ErrorCode, message: string, headers: Record<string, string>) =>
    jsonResponse(status, { error, message }, headers);

  return async function handle(request) {
    const origin = request.headers.get('origin');
    const url = requestUrl(request);
    // Cross-origin callers must be listed; a same-host page (any scheme: behind a TLS proxy the
    // handler sees http) needs no CORS at all.
    const allowed = corsHeaders(cors, origin);
    const sameHost = origin !== null && hostOf(origin) === url.host;
    if (origin !== null && !allowed && !sameHost)
      return failure(403, 'origin_not_allowed', `origin ${origin} may not ask for erasures here (cors.origins)`, {});
    // Cookies go with the request (the session check needs them); a 429's Retry-After is read by the page.
    const headers: Record<string, string> = allowed
      ? { ...allowed, 'access-control-allow-credentials': 'true', 'access-control-expose-headers': 'retry-after' }
      : {};
    if (request.method === 'OPTIONS') {
      const asked = request.headers.get('access-control-request-headers');
      return new Response(null, {
        status: 204,
        headers: {
          ...headers,
          'access-control-allow-methods': 'POST, OPTIONS',
          // The page may send the shop's own headers (a CSRF token): the session check judges them.
          'access-control-allow-headers': asked ?? 'content-type',
          'access-control-max-age': String(cors?.maxAgeSec ?? 86_400),
        },
      });
    }
    if (request.method !== 'POST')
      return failure(405, 'method_not_allowed', `use POST to ask for an erasure, not ${request.method}`, {
        ...headers,
        allow: 'POST, OPTIONS',
      });
    const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json')
      return failure(
        415,
        'unsupported_media_type',
        `content-type must be application/json${type ? `, got ${type}` : ''} (what requestErasure sends)`,
        headers,
      );

    // Who asks, before reading what they say.
    let session: { userId: string } | null | undefined;
    try {
      session = await authenticate(request);
    } catch (error) {
      onError({ source: 'authenticate', message: `the session check threw: ${String(error)}`, error });
      return failure(500, 'authentication_failed', 'the session check failed; nothing was erased', headers);
    }
    const userId = session?.userId;
    if (typeof userId !== 'string' || userId.trim() === '')
      return failure(401, 'unauthenticated', 'sign in to ask for the erasure of your data', headers);

    const body = await readBodyLimited(request, MAX_BODY_BYTES);
    if (!body.ok)
      return body.reason === 'too_large'
        ? failure(413, 'payload_too_large', `${body.message}; the body holds two ids at most`, {
            ...headers,
            connection: 'close',
          })
        : failure(400, 'invalid_body', body.message, headers);
    let input: unknown = {};
    try {
      if (body.text.trim() !== '') input = JSON.parse(body.text);
    } catch (error) {
      return failure(400, 'invalid_json', `body is not valid JSON: ${(error as Error).message}`, headers);
    }
    if (input === null || typeof input !== 'object' || Array.isArray(input))
      return failure(
        400,
        'invalid_body',
        'body must be a JSON object: { "anonymousId"?: string, "userId"?: string }',
        headers,
      );
    for (const field of ['anonymousId', 'userId'] as const) {
      const value = (input as Record<string, unknown>)[field];
      if (value !== undefined && (typeof value !== 'string' || value === '' || value.length > MAX_ID_LENGTH))
        return failure(
          400,
          'invalid_body',
          `${field} must be a non-empty string of at most ${MAX_ID_LENGTH} characters`,
          headers,
        );
    }

    const now = clock.now();
    forgetOld(now);
    const key = createHash('sha256').update(userId).digest('hex');
    const running = recent.get(key);
    let outcome: Promise<ErasureRecord>;
    if (running && now - running.at < windowMs) {
      // A repeat while the first one runs shares it; once it is done, the repeat waits.
      if (running.done) {
        const retryAfterSec = Math.max(1, Math.ceil((running.at + windowMs - now) / 1000));
        return failure(429, 'rate_limited', `an erasure was made for this account; ask again in ${retryAfterSec} s`, {
          ...headers,
          'retry-after': String(retryAfterSec),
        });
      }
      outcome = running.outcome;
    } else {
      outcome = erase(userId, (input as { anonymousId?: string }).anonymousId);
      const entry = { at: now, outcome, done: false };
      if (windowMs > 0) recent.set(key, entry);
      outcome.then(
        () => {
          entry.done = true;
        },
        () => {
          // A failed erasure is not counted: the customer may ask again at once.
          if (recent.get(key) === entry) recent.delete(key);
        },
      );
    }
    try {
      const record = await outcome;
      return jsonResponse(202, { erasureId: record.id, status: record.status }, headers);
    } catch {
      return failure(
        500,
        'erasure_failed',
        'the erasure could not be completed and was not acknowledged; try again',
        headers,
      );
    }
  };

  async function erase(userId: string, anonymousId: string | undefined): Promise<ErasureRecord> {
    const identities: ({ userId: string } | { anonymousId: string })[] = [{ userId }];
    if (anonymousId !== undefined && verifyAnonymousId) {
      let theirs = false;
      try {
        theirs = (await verifyAnonymousId(userId, anonymousId)) === true;
      } catch (error) {
        // Not verified is not theirs: the user is still erased, with what the graph links.
        onError({ source: 'verifyAnonymousId', message: `verifyAnonymousId threw: ${String(error)}`, error });
      }
      if (theirs) identities.push({ anonymousId });
    }
    try {
      return await privacy.erase(identities, { requestedBy: 'customer' });
    } catch (error) {
      onError({ source: 'erase', message: `privacy.erase failed: ${String(error)}`, error });
      throw error;
    }
  }
}

/** `shop.example:8443` of an origin; `undefined` when it is not a URL (`null` from a sandbox). */
function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}
