/**
 * CORS for the ingest. The browser SDK posts `text/plain` (a "simple" request, no preflight),
 * so the origin check cannot rely on the browser: the handler refuses disallowed origins itself.
 */
import { TouchpointConfigError } from '@touchpoint/core';

export interface CorsOptions {
  /** Allowed origins (`https://shop.example`), `'*'` for any, or a function deciding. */
  origins: string[] | '*' | ((origin: string) => boolean);
  /** How long browsers may cache a preflight answer, in seconds (default 86 400). */
  maxAgeSec?: number;
}

const ALLOWED_HEADERS = 'content-type, authorization, x-touchpoint-key';

export function checkCors(cors: CorsOptions | undefined): void {
  if (cors === undefined) return;
  const o = cors?.origins;
  if (
    !(
      o === '*' ||
      typeof o === 'function' ||
      (Array.isArray(o) && o.every((x) => typeof x === 'string' && /^https?:\/\/[^/]+$/.test(x)))
    )
  ) {
    throw new TouchpointConfigError(
      'cors.origins',
      "must be '*', a function, or an array of origins like https://shop.example (no path, no trailing slash)",
    );
  }
}

function allowed(cors: CorsOptions, origin: string): boolean {
  if (cors.origins === '*') return true;
  if (typeof cors.origins === 'function') {
    try {
      return cors.origins(origin) === true;
    } catch {
      return false;
    }
  }
  return cors.origins.includes(origin);
}

/** CORS headers for a response to `origin`; `undefined` when the origin is not allowed. */
export function corsHeaders(cors: CorsOptions | undefined, origin: string | null): Record<string, string> | undefined {
  if (cors === undefined || origin === null || !allowed(cors, origin)) return undefined;
  return { 'access-control-allow-origin': origin, vary: 'Origin' };
}

/** The answer to an `OPTIONS` preflight. */
export function preflight(cors: CorsOptions | undefined, origin: string | null, request: Request): Response {
  const headers = corsHeaders(cors, origin);
  if (!headers) {
    return new Response(
      JSON.stringify({
        error: 'origin_not_allowed',
        message: `origin ${origin ?? '(none)'} may not send batches here`,
      }),
      {
        status: 403,
        headers: { 'content-type': 'application/json; charset=utf-8' },
      },
    );
  }
  const method = request.headers.get('access-control-request-method');
  return new Response(null, {
    status: 204,
    headers: {
      ...headers,
      'access-control-allow-methods': 'POST, OPTIONS',
      'access-control-allow-headers': ALLOWED_HEADERS,
      'access-control-max-age': String(cors!.maxAgeSec ?? 86_400),
      ...(method !== null && method !== 'POST' && { 'x-touchpoint-note': 'only POST is accepted' }),
    },
  });
}
