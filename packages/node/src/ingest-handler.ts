/**
 * The ingest: a Fetch API handler `(request) => Promise<Response>` that accepts the browser SDK's
 * batches (JSON or the `text/plain` bodies `sendBeacon` sends), checks the write key, validates
 * every event with core, drops repeats through a dedupe store, stamps `receivedAt` and corrects
 * clock skew, and hands valid events to the forwarder. Every error answer is JSON a developer can
 * act on; nothing a client sends can make it throw.
 */
import {
  type Clock,
  formatIssues,
  MAX_BATCH_BYTES,
  systemClock,
  TouchpointConfigError,
  type TouchpointEvent,
} from '@touchpoint/core';
import { parseBatch } from '@touchpoint/core/schema';
import { stampReceived } from './clock-skew.js';
import { type CorsOptions, checkCors, corsHeaders, preflight } from './cors.js';
import { createMemoryDedupeStore, type DedupeStore } from './dedupe-store.js';
import type { Forwarder } from './forwarder.js';
import { readBodyLimited } from './read-body.js';

export interface IngestHandlerOptions {
  /** Where accepted events go: the ingest answers 200 only once `forwarder.accept` made them durable. */
  forwarder: Pick<Forwarder<any>, 'accept'>;
  /** Accepted write keys, or a function deciding (e.g. a lookup per shop). */
  writeKeys: string[] | ((key: string) => boolean | Promise<boolean>);
  /** Browser origins allowed to send (CORS). Without it, cross-origin browsers are refused. */
  cors?: CorsOptions;
  /** Largest body accepted, in bytes (default 500 KB, core's `MAX_BATCH_BYTES`). */
  maxBodyBytes?: number;
  /** Shared dedupe window (default in-memory); use `createRedisDedupeStore` behind a load balancer. */
  dedupe?: DedupeStore;
  /** How long a message id is remembered (default 24 h). */
  dedupeTtlMs?: number;
  /** Record the client's IP (from `toNodeHandler` or your platform) in `context.ip` (default true). */
  recordIp?: boolean;
  /** Problems that did not fail the request, e.g. the dedupe store being down. */
  onError?: (error: { source: string; message: string; error?: unknown }) => void;
  clock?: Clock;
}

/** Facts about the connection that a Fetch `Request` does not carry. */
export interface IngestRequestInfo {
  ip?: string;
}

export type IngestHandler = (request: Request, info?: IngestRequestInfo) => Promise<Response>;

type ErrorCode =
  | 'method_not_allowed'
  | 'origin_not_allowed'
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'invalid_body'
  | 'invalid_json'
  | 'invalid_batch'
  | 'missing_write_key'
  | 'invalid_write_key'
  | 'overloaded';

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}

function failure(
  status: number,
  error: ErrorCode,
  message: string,
  headers: Record<string, string>,
  extra: object = {},
): Response {
  return json(status, { error, message, ...extra }, headers);
}

function keyFromRequest(request: Request, url: URL): string | undefined {
  const auth = request.headers.get('authorization');
  if (auth && /^bearer\s+/i.test(auth)) return auth.replace(/^bearer\s+/i, '').trim();
  if (auth && /^basic\s+/i.test(auth)) {
    // Segment-style clients send the write key as the Basic user name.
    const decoded = Buffer.from(auth.replace(/^basic\s+/i, ''), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon === -1 ? decoded : decoded.slice(0, colon);
  }
  return request.headers.get('x-touchpoint-key') ?? url.searchParams.get('writeKey') ?? undefined;
}

/**
 * @example
 * const handler = createIngestHandler({ forwarder, writeKeys: [process.env.TP_WRITE_KEY!], cors: { origins: ['https://shop.example'] } });
 * export const POST = handler; // Next.js route; or http.createServer(toNodeHandler(handler))
 */
export function createIngestHandler(options: IngestHandlerOptions): IngestHandler {
  if (!options || typeof options.forwarder?.accept !== 'function')
    throw new TouchpointConfigError('forwarder', 'must be a forwarder from createForwarder()');
  const keys = options.writeKeys;
  if (
    !(
      typeof keys === 'function' ||
      (Array.isArray(keys) && keys.length > 0 && keys.every((k) => typeof k === 'string' && k !== ''))
    )
  ) {
    throw new TouchpointConfigError(
      'writeKeys',
      'must be a non-empty array of write keys or a function (key) => boolean',
    );
  }
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BATCH_BYTES;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1024)
    throw new TouchpointConfigError('maxBodyBytes', `must be an integer of at least 1024, got ${maxBodyBytes}`);
  checkCors(options.cors);
  const onError = options.onError ?? ((e) => console.warn(`[touchpoint] ingest ${e.source}: ${e.message}`));
  const keySet = Array.isArray(keys) ? new Set(keys) : undefined;
  const isValidKey = async (key: string): Promise<boolean> => {
    if (keySet) return keySet.has(key);
    try {
      return (await (keys as (k: string) => boolean | Promise<boolean>)(key)) === true;
    } catch (error) {
      onError({ source: 'writeKeys', message: `writeKeys(key) threw; refusing the key: ${String(error)}`, error });
      return false;
    }
  };
  const clock = options.clock ?? systemClock;
  const dedupe = options.dedupe ?? createMemoryDedupeStore({ now: () => clock.now() });
  const dedupeTtlMs = options.dedupeTtlMs ?? 24 * 3_600_000;
  const forwarder = options.forwarder;

  return async function handle(request, info) {
    const origin = request.headers.get('origin');
    const cors = corsHeaders(options.cors, origin);
    if (request.method === 'OPTIONS') return preflight(options.cors, origin, request);
    if (origin !== null && cors === undefined && options.cors !== undefined) {
      return failure(403, 'origin_not_allowed', `origin ${origin} is not in cors.origins`, {});
    }
    const headers = cors ?? {};
    if (request.method !== 'POST')
      return failure(405, 'method_not_allowed', `use POST to send batches, not ${request.method}`, {
        ...headers,
        allow: 'POST, OPTIONS',
      });

    const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== '' && type !== 'application/json' && type !== 'text/plain') {
      return failure(
        415,
        'unsupported_media_type',
        `content-type must be application/json or text/plain, got ${type}`,
        headers,
      );
    }
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      url = new URL('http://localhost/');
    }
    // A key in a header or the query is checked before reading the body.
    const headerKey = keyFromRequest(request, url);
    if (headerKey !== undefined && !(await isValidKey(headerKey)))
      return failure(401, 'invalid_write_key', 'write key is not valid for this endpoint', headers);

    const body = await readBodyLimited(request, maxBodyBytes);
    if (!body.ok) {
      return body.reason === 'too_large'
        ? failure(413, 'payload_too_large', `${body.message}; split the batch`, { ...headers, connection: 'close' })
        : failure(400, 'invalid_body', body.message, headers);
    }
    let input: unknown;
    try {
      input = JSON.parse(body.text);
    } catch (error) {
      return failure(400, 'invalid_json', `body is not valid JSON: ${(error as Error).message}`, headers);
    }
    const bodyKey =
      typeof input === 'object' && input !== null ? (input as { writeKey?: unknown }).writeKey : undefined;
    if (headerKey === undefined) {
      if (typeof bodyKey !== 'string' || bodyKey === '') {
        return failure(
          401,
          'missing_write_key',
          'send the write key as Authorization: Bearer <key>, X-Touchpoint-Key, ?writeKey= or "writeKey" in the body',
          headers,
        );
      }
      if (!(await isValidKey(bodyKey)))
        return failure(401, 'invalid_write_key', 'write key is not valid for this endpoint', headers);
    }

    const parsed = parseBatch(input);
    if (!parsed.ok)
      return failure(400, 'invalid_batch', formatIssues(parsed.issues), headers, { issues: parsed.issues });
    const { batch, rejected, sentAt } = parsed.value;

    let fresh: TouchpointEvent[] = batch;
    if (batch.length > 0) {
      try {
        const isNew = await dedupe.claim(
          batch.map((e) => e.messageId),
          dedupeTtlMs,
        );
        fresh = batch.filter((_, i) => isNew[i]);
      } catch (error) {
        // Failing open: a duplicate downstream is better than a lost event.
        onError({ source: 'dedupe', message: `dedupe store failed, forwarding without it: ${String(error)}`, error });
      }
    }
    stampReceived(fresh, sentAt, clock.now());
    const ip = options.recordIp === false ? undefined : info?.ip;
    if (ip !== undefined) for (const event of fresh) event.context = { ...event.context, ip };
    if (fresh.length > 0) {
      const appended = await forwarder.accept(fresh);
      if (!appended.ok) {
        // Nothing was kept: the client keeps the batch and retries; its ids must stay claimable.
        await dedupe.release?.(fresh.map((e) => e.messageId)).catch(() => {});
        onError({ source: 'log', message: `answered 503: ${appended.message}` });
        return failure(
          503,
          'overloaded',
          `the server cannot store events right now (${appended.reason}); retry later`,
          {
            ...headers,
            'retry-after': String(Math.max(1, Math.ceil(appended.retryAfterMs / 1000))),
          },
        );
      }
    }
    return json(200, { accepted: batch.length, rejected, duplicates: batch.length - fresh.length }, headers);
  };
}
