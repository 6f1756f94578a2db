/**
 * `createModelHandler`: serves the trainer's current model on the web-standard
 * `(Request) => Promise<Response>`, like the ingest handler, so any runtime (node:http via an
 * adapter, Next.js, workers) can mount it. Browsers revalidate with `If-None-Match` and get a
 * bodiless `304` while the model is unchanged.
 */
import type { PublishedModel } from './create-trainer.js';

export interface ModelHandlerOptions {
  /** Seconds a browser or CDN may use the model without asking (default 60). */
  maxAgeSeconds?: number;
  /** Seconds a stale model may be served while revalidating (default 600). */
  staleWhileRevalidateSeconds?: number;
  /** For a cross-origin storefront: its origin (or `*`). Same-origin needs nothing. */
  allowOrigin?: string;
}

/** Where the handler gets the model from: a trainer, or anything holding a publication. */
export interface ModelSource {
  current(): PublishedModel | undefined;
}

function matches(ifNoneMatch: string | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  // Weak comparison (RFC 9110 §13.1.2): W/ prefixes are ignored, and `*` matches any model.
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === etag;
  });
}

/**
 * @example
 * const handler = createModelHandler(trainer);
 * http.createServer(toNodeHandler(handler)).listen(8787); // toNodeHandler from @touchpoint/node
 */
export function createModelHandler(
  source: ModelSource,
  options: ModelHandlerOptions = {},
): (request: Request) => Promise<Response> {
  const maxAge = options.maxAgeSeconds ?? 60;
  const swr = options.staleWhileRevalidateSeconds ?? 600;
  const cacheControl = `public, max-age=${maxAge}, stale-while-revalidate=${swr}`;

  return async (request) => {
    const headers = new Headers();
    if (options.allowOrigin) {
      headers.set('Access-Control-Allow-Origin', options.allowOrigin);
      headers.set('Access-Control-Expose-Headers', 'ETag');
      if (options.allowOrigin !== '*') headers.set('Vary', 'Origin');
    }
    if (request.method === 'OPTIONS' && options.allowOrigin) {
      headers.set('Access-Control-Allow-Methods', 'GET, HEAD');
      headers.set('Access-Control-Allow-Headers', 'If-None-Match');
      headers.set('Access-Control-Max-Age', '86400');
      return new Response(null, { status: 204, headers });
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      headers.set('Allow', options.allowOrigin ? 'GET, HEAD, OPTIONS' : 'GET, HEAD');
      return new Response(null, { status: 405, headers });
    }
    const published = source.current();
    if (!published) {
      headers.set('Cache-Control', 'no-store');
      headers.set('Retry-After', '30');
      headers.set('Content-Type', 'application/json; charset=utf-8');
      return new Response(request.method === 'HEAD' ? null : '{"error":"no model published yet"}', {
        status: 503,
        headers,
      });
    }
    headers.set('ETag', published.etag);
    headers.set('Cache-Control', cacheControl);
    headers.set('Last-Modified', new Date(published.publishedAt).toUTCString());
    if (matches(request.headers.get('If-None-Match'), published.etag))
      return new Response(null, { status: 304, headers });
    headers.set('Content-Type', 'application/json; charset=utf-8');
    return new Response(request.method === 'HEAD' ? null : published.json, { status: 200, headers });
  };
}
