/**
 * What both ingest endpoints (Touchpoint's `createIngestHandler` and the Segment-compatible one)
 * check once at creation — the same options, failing loudly with a typed config error — and the
 * first step they share per request: reading a JSON body within the size limit, answering the
 * client precisely when it is too large or not JSON.
 */

import type { TouchpointEvent } from '@touchpoint/core';
import { type Clock, MAX_BATCH_BYTES, systemClock, TouchpointConfigError } from '@touchpoint/core';
import { type CorsOptions, checkCors } from './cors.js';
import { createMemoryDedupeStore, type DedupeStore } from './dedupe-store.js';
import type { Forwarder } from './forwarder.js';
import { jsonResponse } from './json-response.js';
import { readBodyLimited } from './read-body.js';
import { createEventStore, type StoreResult } from './store-events.js';
import { createWarn } from './warn.js';
import { createWriteKeyCheck, type WriteKeys } from './write-keys.js';

/** The options both ingest endpoints take (`IngestHandlerOptions` adds the Touchpoint endpoint's own). */
export interface IngestCommonOptions {
  /** Where accepted events go: the ingest answers 200 only once `forwarder.accept` made them durable. */
  forwarder: Pick<Forwarder<any>, 'accept'>;
  /** Accepted write keys, or a function deciding (e.g. a lookup per shop). */
  writeKeys: WriteKeys;
  /** Browser origins allowed to send (CORS). Without it, cross-origin browsers are refused. */
  cors?: CorsOptions;
  /** Largest body accepted, in bytes (default 500 KB, core's `MAX_BATCH_BYTES`). */
  maxBodyBytes?: number;
  /** Shared dedupe window (default in-memory); use `createRedisDedupeStore` behind a load balancer. */
  dedupe?: DedupeStore;
  /** How long a message id is remembered (default 24 h). */
  dedupeTtlMs?: number;
  /** Problems that did not fail the request, e.g. the dedupe store being down. */
  onError?: (error: { source: string; message: string; error?: unknown }) => void;
  clock?: Clock;
}

export interface IngestSetup {
  maxBodyBytes: number;
  isValidKey: (key: string) => Promise<boolean>;
  store: (events: TouchpointEvent[], sentAt: string | undefined, ip: string | undefined) => Promise<StoreResult>;
}

/**
 * @example
 * const { maxBodyBytes, isValidKey, store } = setUpIngest(options, 'ingest');
 */
export function setUpIngest(options: IngestCommonOptions, label: string): IngestSetup {
  if (!options || typeof options.forwarder?.accept !== 'function')
    throw new TouchpointConfigError('forwarder', 'must be a forwarder from createForwarder()');
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BATCH_BYTES;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1024)
    throw new TouchpointConfigError('maxBodyBytes', `must be an integer of at least 1024, got ${maxBodyBytes}`);
  checkCors(options.cors);
  const warn = createWarn();
  const onError = options.onError ?? ((e) => warn(`${label}:${e.source}`, `${label} ${e.source}: ${e.message}`));
  const isValidKey = createWriteKeyCheck(options.writeKeys, onError);
  const clock = options.clock ?? systemClock;
  const store = createEventStore({
    forwarder: options.forwarder,
    dedupe: options.dedupe ?? createMemoryDedupeStore({ now: () => clock.now() }),
    dedupeTtlMs: options.dedupeTtlMs ?? 24 * 3_600_000,
    clock,
    onError,
  });
  return { maxBodyBytes, isValidKey, store };
}

/**
 * Reads the body within `maxBytes` and parses it as JSON; on failure, the answer to send
 * (`413` with `connection: close`, or `400 invalid_body` / `invalid_json`).
 *
 * @example
 * const body = await readJsonBody(request, maxBodyBytes, corsHeaders);
 * if (!body.ok) return body.response;
 */
export async function readJsonBody(
  request: Request,
  maxBytes: number,
  headers: Record<string, string>,
): Promise<{ ok: true; input: unknown } | { ok: false; response: Response }> {
  const body = await readBodyLimited(request, maxBytes);
  if (!body.ok) {
    const response =
      body.reason === 'too_large'
        ? jsonResponse(
            413,
            { error: 'payload_too_large', message: `${body.message}; split the batch` },
            { ...headers, connection: 'close' },
          )
        : jsonResponse(400, { error: 'invalid_body', message: body.message }, headers);
    return { ok: false, response };
  }
  try {
    return { ok: true, input: JSON.parse(body.text) };
  } catch (error) {
    return {
      ok: false,
      response: jsonResponse(
        400,
        { error: 'invalid_json', message: `body is not valid JSON: ${(error as Error).message}` },
        headers,
      ),
    };
  }
}
