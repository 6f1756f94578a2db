/**
 * The forwarder's defaults, written in one place, and the checks that make a bad configuration
 * fail at creation time with a `TouchpointConfigError` naming the field.
 */
import {
  type Clock,
  MAX_BATCH_BYTES,
  MAX_BATCH_EVENTS,
  TouchpointConfigError,
  type TouchpointDefinitions,
} from '@touchpoint/core';
import { checkDataPolicy } from './data-policy.js';
import type { EventLog } from './log/types.js';
import { checkRetentionDays } from './retention-days.js';
import type { BatchOptions, Destination, DropReport, ForwarderError, Rule } from './types.js';

export interface ForwarderOptions<C extends TouchpointDefinitions | undefined = undefined> {
  destinations: Destination[];
  /**
   * Where accepted events wait for their destinations: `fileLog({ dir })` (durable, one machine),
   * `jetStreamLog({ servers })` (durable, many machines) or `memoryLog()` (the default: a crash
   * loses what is not delivered yet, and the forwarder says so once at start-up).
   */
  log?: EventLog;
  /** `false`: only append to the log (ingest instances in front of separate delivery workers). Default true. */
  deliver?: boolean;
  /** Batching defaults for every destination (500 events, 500 KB, 1000 ms). */
  batch?: Partial<BatchOptions>;
  /**
   * Backoff between attempts: first ceiling and largest delay in ms. Retries go on until the
   * destination takes the events or they pass `maxAgeMs`; `maxAttempts` (default unlimited)
   * dead-letters sooner.
   */
  retry?: { maxAttempts?: number; baseMs?: number; maxMs?: number };
  /** Events older than this when a destination would get them are dead-lettered (default 7 days). */
  maxAgeMs?: number;
  /**
   * Deletes what the log and the dead-letter logs hold that is older than `days`, every hour
   * (`forwarder.applyRetention`). Undelivered events are deleted too, so `days` must be longer
   * than `maxAgeMs` (which dead-letters them first); failures reach `onError`.
   */
  retention?: { days: number };
  /** Deliveries in flight per destination (default 4). */
  concurrency?: number;
  /** Longest one delivery attempt may take, in ms (default 15 000). */
  timeoutMs?: number;
  /**
   * Events `track()`/`enqueue()` hold in memory on their way into the log; past it they return
   * `false` ("slow down", the event is kept). Ten times this, the log is clearly not keeping up
   * (down, or full) and events are refused through `onDrop` (default 10 000).
   */
  maxQueueEvents?: number;
  /**
   * JSON bytes `track()`/`enqueue()` hold on their way into the log before they say "slow down"
   * (`false`, the event is kept), whichever of this and `maxQueueEvents` comes first (default 512 KiB).
   * A producer that waits hands the log batches of about this size, and between two of them the
   * event loop runs the deliveries. Measured with a tight `track()` loop (`pnpm bench`): at 1 MiB
   * the loop starved its deliveries (a third of the events delivered when it ended, the rest read
   * back from disk afterwards); at 64–128 KiB every append waited on its own fsync; 256 KiB was the
   * fastest but held a backlog's peak RSS near 200 MB, 512 KiB well under it. Refusal is still at
   * 10 × `maxQueueEvents` events.
   */
  maxQueueBytes?: number;
  /** Rules that act on events as they arrive, e.g. `feedbackAlert`. */
  rules?: Rule[];
  /** Catalog used by `track()` to stamp stage and channel. */
  catalog?: C;
  /** Drop repeated message ids within a bounded window (default `{ ttlMs: 1 h, maxIds: 100 000 }`); `false` to keep all. */
  dedupe?: { ttlMs?: number; maxIds?: number } | false;
  /** Failed attempts and other run-time problems (default: one `console.warn` line each). */
  onError?: (error: ForwarderError) => void;
  /** Events refused or dead-lettered, with the reason (default: one `console.warn` line each). */
  onDrop?: (drop: DropReport) => void;
  clock?: Clock;
  /** Source of jitter (tests pass a seeded one). */
  random?: () => number;
}

export const FORWARDER_DEFAULTS = {
  batch: { maxEvents: MAX_BATCH_EVENTS, maxBytes: MAX_BATCH_BYTES, maxWaitMs: 1000 },
  retry: { maxAttempts: Number.POSITIVE_INFINITY, baseMs: 500, maxMs: 30_000 },
  maxAgeMs: 7 * 24 * 3_600_000,
  concurrency: 4,
  timeoutMs: 15_000,
  maxQueueEvents: 10_000,
  maxQueueBytes: 512 * 1024,
} as const;

function positive(value: unknown, field: string, integer = true): void {
  if (value === undefined) return;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < (integer ? 1 : 0) ||
    (integer && !Number.isInteger(value))
  ) {
    throw new TouchpointConfigError(
      field,
      `must be a ${integer ? 'positive integer' : 'non-negative number'}, got ${JSON.stringify(value)}`,
    );
  }
}

function checkBatch(batch: Partial<BatchOptions> | undefined, field: string): void {
  if (batch === undefined) return;
  positive(batch.maxEvents, `${field}.maxEvents`);
  positive(batch.maxBytes, `${field}.maxBytes`);
  positive(batch.maxWaitMs, `${field}.maxWaitMs`, false);
}

const DAY_MS = 24 * 3_600_000;

/**
 * Retention deletes events whether delivered or not: it must not cut in before `maxAgeMs` has
 * dead-lettered what a destination never took, or undelivered events would vanish without a trace.
 */
export function checkRetention(retention: unknown, maxAgeMs: number, field = 'retention'): number {
  const days = checkRetentionDays((retention as { days?: unknown } | null | undefined)?.days, `${field}.days`);
  const ms = days * DAY_MS;
  if (ms <= maxAgeMs)
    throw new TouchpointConfigError(
      `${field}.days`,
      `must be longer than maxAgeMs (${maxAgeMs} ms = ${(maxAgeMs / DAY_MS).toFixed(2)} days): retention deletes undelivered events too, so they must be dead-lettered (at maxAgeMs) first`,
    );
  return ms;
}

export function resolveForwarderConfig(options: ForwarderOptions<TouchpointDefinitions | undefined>) {
  if (typeof options !== 'object' || options === null)
    throw new TouchpointConfigError('options', 'createForwarder needs an options object');
  if (!Array.isArray(options.destinations))
    throw new TouchpointConfigError(
      'destinations',
      'must be an array of destinations, e.g. [destinations.jsonl({ path })]',
    );
  const names = new Set<string>();
  options.destinations.forEach((d, i) => {
    const at = `destinations[${i}]`;
    if (typeof d !== 'object' || d === null || (typeof d.send !== 'function' && typeof d.sendSerialized !== 'function'))
      throw new TouchpointConfigError(at, 'must be an object with name and send(events)');
    if (typeof d.name !== 'string' || d.name === '')
      throw new TouchpointConfigError(`${at}.name`, 'must be a non-empty string');
    if (names.has(d.name))
      throw new TouchpointConfigError(`${at}.name`, `"${d.name}" is used twice; give each destination its own name`);
    names.add(d.name);
    checkBatch(d.batch, `${at}.batch`);
    positive(d.concurrency, `${at}.concurrency`);
    checkDataPolicy(d.policy, `${at}.policy`);
  });
  checkBatch(options.batch, 'batch');
  positive(options.retry?.maxAttempts, 'retry.maxAttempts');
  positive(options.retry?.baseMs, 'retry.baseMs', false);
  positive(options.retry?.maxMs, 'retry.maxMs', false);
  positive(options.concurrency, 'concurrency');
  positive(options.timeoutMs, 'timeoutMs');
  positive(options.maxQueueEvents, 'maxQueueEvents');
  positive(options.maxQueueBytes, 'maxQueueBytes');
  positive(options.maxAgeMs, 'maxAgeMs');
  if ((options as { deadLetter?: unknown }).deadLetter !== undefined)
    throw new TouchpointConfigError(
      'deadLetter',
      'dead letters now live in the log: use log: fileLog({ dir }) and forwarder.deadLetters(name) / replay(name)',
    );
  const log = options.log as Partial<EventLog> | undefined;
  if (log !== undefined && (typeof log?.append !== 'function' || typeof log.reader !== 'function'))
    throw new TouchpointConfigError('log', 'must be a log: memoryLog(), fileLog({ dir }) or jetStreamLog({ servers })');
  if (options.deliver !== undefined && typeof options.deliver !== 'boolean')
    throw new TouchpointConfigError('deliver', 'must be true or false');
  if (options.rules !== undefined && !Array.isArray(options.rules))
    throw new TouchpointConfigError('rules', 'must be an array of rules, e.g. [feedbackAlert({ notify })]');
  const maxAgeMs = options.maxAgeMs ?? FORWARDER_DEFAULTS.maxAgeMs;
  const retentionMs = options.retention === undefined ? undefined : checkRetention(options.retention, maxAgeMs);
  return {
    retentionMs,
    batch: { ...FORWARDER_DEFAULTS.batch, ...options.batch },
    retry: { ...FORWARDER_DEFAULTS.retry, ...options.retry },
    concurrency: options.concurrency ?? FORWARDER_DEFAULTS.concurrency,
    timeoutMs: options.timeoutMs ?? FORWARDER_DEFAULTS.timeoutMs,
    maxQueueEvents: options.maxQueueEvents ?? FORWARDER_DEFAULTS.maxQueueEvents,
    maxQueueBytes: options.maxQueueBytes ?? FORWARDER_DEFAULTS.maxQueueBytes,
    maxAgeMs,
  };
}
