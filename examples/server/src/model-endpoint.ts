/**
 * Serves the recommender's model JSON to the storefront, in the Request/Response style of the
 * ingest: a strong `ETag` from the JSON's hash, `304` when the browser already has it, and a short
 * cache lifetime so a republished model reaches shoppers within a minute.
 */
import { createHash } from 'node:crypto';
import type { RecommenderJSON } from '@touchpoint/recommend';

export interface ModelEndpoint {
  (request: Request): Promise<Response>;
  /** Replaces the model served from now on. */
  publish(model: RecommenderJSON): void;
  readonly etag: string;
}

/**
 * @example
 * const endpoint = createModelEndpoint(createRecommender().learnBaskets(baskets) && recommender.toJSON());
 * http.createServer(toNodeHandler(endpoint));
 */
export function createModelEndpoint(initial: RecommenderJSON): ModelEndpoint {
  let body = '';
  let etag = '';
  const publish = (model: RecommenderJSON) => {
    body = JSON.stringify(model);
    etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  };
  publish(initial);
  const handler = async (request: Request): Promise<Response> => {
    const headers = { etag, 'cache-control': 'public, max-age=60', vary: 'accept-encoding' };
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response(null, { status: 405, headers: { allow: 'GET, HEAD' } });
    }
    const match = request.headers.get('if-none-match');
    if (match?.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) {
      return new Response(null, { status: 304, headers });
    }
    return new Response(request.method === 'HEAD' ? null : body, {
      status: 200,
      headers: { ...headers, 'content-type': 'application/json; charset=utf-8' },
    });
  };
  // A getter, so `etag` follows every publish (Object.assign would copy today's value).
  Object.defineProperties(handler, { publish: { value: publish }, etag: { get: () => etag } });
  return handler as ModelEndpoint;
}
