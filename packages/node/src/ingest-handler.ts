/**
 * The ingest: a Fetch API handler `(request) => Promise<Response>` that accepts the browser SDK's
 * batches (JSON or the `text/plain` bodies `sendBeacon` sends), checks the write key, validates
 * every event with core, drops repeats through a dedupe store, stamps `receivedAt` and corrects
 * clock skew, and hands valid events to the forwarder. Every error answer is JSON a developer can
 * act on; nothing a client sends can make it throw.
 */
import { formatIssues, type TouchpointEvent } from '@touchpoint/core';
import { parseBatch } from '@touchpoint/core/schema';
import { corsHeaders, preflight } from './cors.js';
import { type IngestCommonOptions, readJsonBody, setUpIngest } from './ingest-setup.js';
import { jsonResponse as json } from './json-response.js';
import { requestUrl } from './read-body.js';
import { writeKeyFromRequest } from './write-keys.js';

export interface IngestHandlerOptions extends IngestCommonOptions {
  /** Record the client's IP (from `toNodeHandler` or your platform) in `context.ip` (default true). */
  recordIp?: boolean;
  /**
   * Prompts for the page, merged into the 200 answer as `prompts` (only when there are some), e.g.
   * `surveys.prompts` from `@touchpoint/node/surveys`: a survey the server queued, shown on the
   * customer's next page view. Given the batch's accepted events. Never fails the ingest: a hook that
   * throws or takes over a second means no prompts, and `onError` is told.
   */
  prompts?: (accepted: TouchpointEvent[]) => Promise<unknown[]> | unknown[];
}

/** Facts about the connection that a Fetch `Request` does not carry. */
export interface IngestRequestInfo {
  ip?: string;
}

/**
 * The second argument may be any object: Next.js passes a route's `{ params }` there, so the handler
 * itself is a valid App Router export (`export const POST = createIngestHandler({…})`). Only `ip` is read.
 */
export type IngestHandler = (request: Request, info?: IngestRequestInfo | object) => Promise<Response>;

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

function failure(
  status: number,
  error: ErrorCode,
  message: string,
  headers: Record<string, string>,
  extra: object = {},
): Response {
  return json(status, { error, message, ...extra }, headers);
}

/**
 * @example
 * const handler = createIngestHandler({ forwarder, writeKeys: [process.env.TP_WRITE_KEY!], cors: { origins: ['https://shop.example'] } });
 * export const POST = handler; // a Next.js App Router route (app/api/touchpoints/route.ts); or http.createServer(toNodeHandler(handler))
 */
export function createIngestHandler(options: IngestHandlerOptions): IngestHandler {
  const { maxBodyBytes, isValidKey, store } = setUpIngest(options, 'ingest');

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
    const url = requestUrl(request);
    // A key in a header or the query is checked before reading the body.
    const headerKey = writeKeyFromRequest(request, url);
    if (headerKey !== undefined && !(await isValidKey(headerKey)))
      return failure(401, 'invalid_write_key', 'write key is not valid for this endpoint', headers);

    const body = await readJsonBody(request, maxBodyBytes, headers);
    if (!body.ok) return body.response;
    const input = body.input;
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

    const stored = await store(
      batch,
      sentAt,
      options.recordIp === false ? undefined : (info as IngestRequestInfo | undefined)?.ip,
    );
    if (!stored.ok) {
      return failure(503, 'overloaded', `the server cannot store events right now (${stored.reason}); retry later`, {
        ...headers,
        'retry-after': String(Math.max(1, Math.ceil(stored.retryAfterMs / 1000))),
      });
    }
    const answer: Record<string, unknown> = { accepted: batch.length, rejected, duplicates: stored.duplicates };
    if (options.prompts && batch.length > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        const prompts = await Promise.race([
          options.prompts(batch),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error('no answer within 1 s')), 1000);
          }),
        ]);
        if (Array.isArray(prompts) && prompts.length > 0) answer.prompts = prompts;
      } catch (error) {
        (options.onError ?? ((e) => console.warn(`[touchpoint] ingest ${e.source}: ${e.message}`)))({
          source: 'prompts',
          message: `the prompts hook failed; answering without prompts: ${String(error)}`,
          error,
        });
      } finally {
        clearTimeout(timer);
      }
    }
    return json(200, answer, headers);
  };
}
