/**
 * A Segment-compatible ingest: a Fetch API handler that speaks Segment's HTTP Tracking API, so a
 * shop running Segment's SDKs (`@segment/analytics-node`, analytics.js / `@segment/analytics-next`,
 * RudderStack's SDKs) points them at its own server and changes nothing else.
 *
 * - `POST …/v1/batch` (and `/v1/import`, `/v1/b`, `/b`): `{ batch, context?, integrations?, sentAt? }`.
 * - `POST …/v1/track|page|screen|identify|group|alias` and analytics.js's `/v1/t|p|s|i|g|a`: one call.
 * - `GET …/v1/projects/:writeKey/settings`: the settings analytics.js loads from its CDN, naming
 *   this server as its API host (so `cdnURL` is the only setting a browser app changes).
 *
 * Write keys come as Segment sends them (Basic auth user name, or `writeKey` in the body). Calls
 * are mapped by `segment-mapping.ts`, validated by core, deduped on `messageId`, skew-corrected
 * from `sentAt`, and answered `200` only once `forwarder.accept` made them durable; when it cannot,
 * the answer is `429` with `Retry-After`, which every Segment client retries. A Segment client
 * cannot see per-event rejections inside a `200`, so an event that cannot be stored is never
 * answered with one: the request fails (`400`) naming it, while the batch's other events are kept.
 */
import { formatIssues, type Issue, TouchpointConfigError, type TouchpointEvent } from '@touchpoint/core';
import { parseEvent } from '@touchpoint/core/schema';
import { corsHeaders, preflight } from './cors.js';
import type { IngestHandlerOptions, IngestRequestInfo } from './ingest-handler.js';
import { readJsonBody, setUpIngest } from './ingest-setup.js';
import { jsonResponse } from './json-response.js';
import { requestUrl } from './read-body.js';
import { fromSegmentMessage, SEGMENT_CALLS, type SegmentCall } from './segment-mapping.js';
import { writeKeyFromRequest } from './write-keys.js';

/** The ingest's options (`forwarder`, `writeKeys`, `cors`, `maxBodyBytes`, `dedupe`…), plus where browsers reach it. */
export interface SegmentIngestOptions extends IngestHandlerOptions {
  /**
   * This endpoint's public URL up to (not including) `/v1`, as browsers reach it, e.g.
   * `https://collect.shop.example/segment`. The settings answer names it as analytics.js's API
   * host. Default: the request's own URL, which is right unless a proxy changes host or scheme.
   */
  publicUrl?: string;
}

/** Like `IngestHandler`, the second argument may be any object (Next.js passes `{ params }`). */
export type SegmentIngestHandler = (request: Request, info?: IngestRequestInfo | object) => Promise<Response>;

/** analytics.js adds `X-Retry-Count` to retries; a preflight that refuses it would lose them. */
const EXTRA_HEADERS = ', x-retry-count';
const BATCH_PATHS = new Set(['batch', 'import', 'b']);

/** What a POST path asks for: a batch, one call, or nothing this API knows. */
function route(pathname: string): { batch: true } | { batch: false; call: SegmentCall } | undefined {
  const match = /(?:^|\/)(?:v1\/)?([a-z]+)\/?$/.exec(pathname);
  const name = match?.[1];
  if (name === undefined) return undefined;
  if (BATCH_PATHS.has(name)) return { batch: true };
  const call = SEGMENT_CALLS[name];
  return call === undefined ? undefined : { batch: false, call };
}

/** The request with a gzip body inflated as it is read, or as it is. */
function inflated(request: Request): Request {
  const encoding = request.headers.get('content-encoding')?.trim().toLowerCase();
  if ((encoding !== 'gzip' && encoding !== 'deflate') || request.body === null) return request;
  const headers = new Headers(request.headers);
  headers.delete('content-length');
  headers.delete('content-encoding');
  return new Request(request.url, {
    method: request.method,
    headers,
    body: request.body.pipeThrough(new DecompressionStream(encoding)),
    duplex: 'half',
  } as RequestInit);
}

function isoOrUndefined(value: unknown): string | undefined {
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/** The settings analytics.js loads at start-up: only where to send, and no remote metrics. */
function settingsFor(writeKey: string, base: URL): unknown {
  const apiHost = `${base.host}${base.pathname.replace(/\/$/, '')}/v1`;
  const protocol = base.protocol === 'https:' ? 'https' : 'http';
  return {
    integrations: {
      'Segment.io': { apiKey: writeKey, apiHost, protocol, unbundledIntegrations: [], addBundledMetadata: true },
    },
    plan: {
      track: { __default: { enabled: true, integrations: {} } },
      identify: { __default: { enabled: true } },
      group: { __default: { enabled: true } },
    },
    enabledMiddleware: {},
    middlewareSettings: {},
    metrics: { sampleRate: 0 },
    legacyVideoPluginsEnabled: false,
    remotePlugins: [],
  };
}

/**
 * @example
 * const segment = createSegmentIngestHandler({ forwarder, writeKeys: [process.env.SEGMENT_WRITE_KEY!] });
 * http.createServer(toNodeHandler(segment)).listen(8080);
 * // analytics-node: new Analytics({ writeKey, host: 'http://localhost:8080' })
 * // analytics.js:   AnalyticsBrowser.load({ writeKey, cdnURL: 'http://localhost:8080' })
 */
export function createSegmentIngestHandler(options: SegmentIngestOptions): SegmentIngestHandler {
  const { maxBodyBytes, isValidKey, store } = setUpIngest(options, 'segment ingest');
  let publicUrl: URL | undefined;
  if (options.publicUrl !== undefined) {
    try {
      publicUrl = new URL(options.publicUrl);
    } catch {
      // Reported below.
    }
    if (publicUrl?.protocol !== 'http:' && publicUrl?.protocol !== 'https:')
      throw new TouchpointConfigError('publicUrl', `must be an http(s) URL, got ${JSON.stringify(options.publicUrl)}`);
  }
  const fail = (status: number, error: string, message: string, headers: Record<string, string>, extra = {}) =>
    jsonResponse(status, { error, message, ...extra }, headers);

  return async function handle(request, info) {
    const url = requestUrl(request);
    const origin = request.headers.get('origin');
    const settings = /^(.*)\/v1\/projects\/([^/]+)\/settings\/?$/.exec(url.pathname);
    if (settings && (request.method === 'GET' || request.method === 'HEAD')) {
      // Public, like Segment's CDN: any page may read where to send, never whether a key exists.
      let key = settings[2]!;
      try {
        key = decodeURIComponent(key);
      } catch {
        // A malformed escape is simply not a known key.
      }
      const headers = { 'access-control-allow-origin': '*' };
      if (!(await isValidKey(key))) return fail(404, 'unknown_write_key', 'no source has this write key', headers);
      const base = publicUrl ?? new URL(`${url.protocol}//${url.host}${settings[1]}`);
      return jsonResponse(200, settingsFor(key, base), headers);
    }
    if (request.method === 'OPTIONS') {
      const answer = preflight(options.cors, origin, request);
      const allowed = answer.headers.get('access-control-allow-headers');
      if (allowed !== null) answer.headers.set('access-control-allow-headers', allowed + EXTRA_HEADERS);
      return answer;
    }
    const cors = corsHeaders(options.cors, origin);
    if (origin !== null && cors === undefined && options.cors !== undefined)
      return fail(403, 'origin_not_allowed', `origin ${origin} is not in cors.origins`, {});
    const headers = cors ?? {};
    const target = route(url.pathname);
    if (target === undefined)
      return fail(
        404,
        'not_found',
        `${url.pathname} is not a Segment API path: use /v1/batch or /v1/track|page|screen|identify|group|alias`,
        headers,
      );
    if (request.method !== 'POST')
      return fail(405, 'method_not_allowed', `use POST, not ${request.method}`, { ...headers, allow: 'POST, OPTIONS' });

    const headerKey = writeKeyFromRequest(request, url);
    if (headerKey !== undefined && !(await isValidKey(headerKey)))
      return fail(401, 'invalid_write_key', 'write key is not valid for this endpoint', headers);
    // RudderStack's SDKs gzip their batches; the limit applies to the inflated bytes (no zip bombs).
    const body = await readJsonBody(inflated(request), maxBodyBytes, headers);
    if (!body.ok) return body.response;
    const input = body.input;
    if (typeof input !== 'object' || input === null || Array.isArray(input))
      return fail(400, 'invalid_body', 'the body must be a JSON object', headers);
    const payload = input as Record<string, unknown>;
    if (headerKey === undefined) {
      const bodyKey = payload.writeKey;
      if (typeof bodyKey !== 'string' || bodyKey === '')
        return fail(
          401,
          'missing_write_key',
          'send the write key as the Basic auth user name or "writeKey" in the body',
          headers,
        );
      if (!(await isValidKey(bodyKey)))
        return fail(401, 'invalid_write_key', 'write key is not valid for this endpoint', headers);
    }

    let messages: unknown[];
    if (target.batch) {
      if (!Array.isArray(payload.batch))
        return fail(400, 'invalid_batch', 'a batch needs a "batch" array of calls', headers);
      messages = payload.batch;
    } else messages = [payload];
    const events: TouchpointEvent[] = [];
    const rejected: Array<{ index: number; messageId?: unknown; issues: Issue[] }> = [];
    const sentAt = isoOrUndefined(payload.sentAt);
    const defaults = target.batch
      ? { context: payload.context, integrations: payload.integrations, ...(sentAt !== undefined && { sentAt }) }
      : {};
    for (let index = 0; index < messages.length; index++) {
      const path = target.batch ? `batch[${index}]` : '';
      const mapped = fromSegmentMessage(messages[index], target.batch ? undefined : target.call, defaults);
      const parsed = mapped.ok ? parseEvent(mapped.event, { path }) : undefined;
      if (parsed?.ok) events.push(parsed.value);
      else {
        const issues = parsed
          ? parsed.issues
          : (mapped as { issues: Issue[] }).issues.map((i) => ({
              ...i,
              path: [path, i.path].filter(Boolean).join('.'),
            }));
        rejected.push({ index, messageId: (messages[index] as { messageId?: unknown } | null)?.messageId, issues });
      }
    }
    const stored = await store(
      events,
      target.batch ? sentAt : undefined,
      options.recordIp === false ? undefined : (info as IngestRequestInfo | undefined)?.ip,
    );
    if (!stored.ok) {
      return fail(429, 'overloaded', `the server cannot store events right now (${stored.reason}); retry later`, {
        ...headers,
        'retry-after': String(Math.max(1, Math.ceil(stored.retryAfterMs / 1000))),
      });
    }
    if (rejected.length > 0) {
      return fail(
        400,
        'invalid_events',
        `${rejected.length} of ${messages.length} calls were not stored: ${formatIssues(rejected.flatMap((r) => r.issues))}`,
        headers,
        {
          accepted: events.length,
          duplicates: stored.duplicates,
          rejected,
        },
      );
    }
    return jsonResponse(200, { success: true, accepted: events.length, duplicates: stored.duplicates }, headers);
  };
}
