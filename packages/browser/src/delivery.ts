/**
 * Sends the queue: batches by count and time, retries with
 * exponential backoff and full jitter (core's retry policy, honouring `Retry-After`), pauses
 * while the browser is offline, and on page exit hands what is waiting to `sendBeacon`.
 *
 * How answers are handled (the agreed ingest contract):
 * - 2xx: delivered; events listed in `rejected` are dropped as `invalid`, never retried.
 * - 400: the whole batch is dropped as `invalid`. 413: the batch is split and resent.
 * - 408, 429, 5xx, network error: kept and retried after a backoff.
 * - any other status (401 wrong key, 403, 404): kept, retried after a backoff, and reported as
 *   an `error`, since losing events to a misconfiguration would be worse than waiting.
 *
 * Names ending in `_` are internal and shortened by the build (see tsup.config.ts).
 */
import {
  backoffDelay,
  type Clock,
  MAX_BATCH_BYTES,
  MAX_BATCH_EVENTS,
  MAX_BEACON_BYTES,
  parseRetryAfter,
  retryable,
} from '@touchpoint/core';
import type { Emitter } from './emitter.js';
import { BODY_OVERHEAD, batchBody, beacon, type HttpAnswer, postBody } from './http-transport.js';
import type { EventQueue, QueueItem } from './queue.js';
import type { DeliveredNotice, FlushResult, TrackerEvents } from './types.js';

export interface Delivery {
  /** A new event is in the queue. */
  added_(): void;
  /** Sends now, skipping any backoff wait; resolves when the queue is empty or a send failed. */
  flush_(): Promise<FlushResult>;
  /** Page exit: beacons what is waiting, unless delivery is failing (then it stays stored). */
  exit_(): void;
  /** The browser is back online: try again now. */
  resume_(): void;
  dispose_(): void;
}

export interface DeliveryOptions {
  /** What to send. */
  queue_: EventQueue;
  /** Where outcomes go: `delivered`, `dropped`, `error`. */
  events_: Emitter<TrackerEvents>;
  clock_: Clock;
  endpoint_: string;
  writeKey_: string;
  /** Send once this many events wait… */
  maxEvents_: number;
  /** …or this long after the first one. */
  maxWaitMs_: number;
  /** Backoff between failed attempts (core's retry policy: these names are core's). */
  retry_: { baseMs: number; maxMs: number };
}

/** Delivery of a queue to an ingest endpoint, in batches, with retries; see the header. */
export function createDelivery({
  queue_: queue,
  events_: events,
  clock_: clock,
  endpoint_: endpoint,
  writeKey_: writeKey,
  maxEvents_: maxEvents,
  maxWaitMs_: maxWaitMs,
  retry_: retry,
}: DeliveryOptions): Delivery {
  const fullBatch = Math.min(maxEvents, MAX_BATCH_EVENTS);
  let limit = fullBatch;
  let failures = 0;
  let retryTimer: unknown;
  let running: Promise<boolean> | undefined;
  let disposed = false;
  // The queue already holds the events, so batching is only a question of when to send: once
  // `maxEvents` wait, or `maxWaitMs` after the first one.
  let batchTimer: unknown;
  const stopBatchTimer = () => {
    clock.clearTimeout(batchTimer);
    batchTimer = undefined;
  };
  const skipWait = () => {
    clock.clearTimeout(retryTimer);
    retryTimer = undefined;
  };

  const offline = () => globalThis.navigator?.onLine === false;
  /** The next waiting events that fit in a body of `budget` bytes, marked as sending. */
  const take = (max: number, budget: number) => queue.take_(max, budget - BODY_OVERHEAD);
  const body = (items: QueueItem[]) => batchBody(items, writeKey, new Date(clock.now()).toISOString());

  /** Applies an answer; returns whether the loop may go on. */
  function settle(
    items: QueueItem[],
    { status_: status, retryAfter_: retryAfter, body_: answer }: HttpAnswer,
    via: DeliveredNotice['via'] = 'fetch',
  ): boolean {
    const ok = status >= 200 && status < 300;
    const drop = status === 400 || (status === 413 && items.length === 1);
    queue.settle_(items, ok || drop);
    const messageIds = items.map((i) => i.messageId_);
    if (ok) {
      failures = 0;
      limit = fullBatch;
      const bad = new Set<string>();
      for (const r of answer?.rejected ?? []) {
        const id = r.messageId ?? items[r.index ?? -1]?.messageId_;
        if (!id) continue;
        bad.add(id);
        events.emit_('dropped', { reason: 'invalid', messageIds: [id], issues: r.issues ?? [] });
      }
      const delivered = messageIds.filter((id) => !bad.has(id));
      if (delivered.length) events.emit_('delivered', { messageIds: delivered, via, prompts: answer?.prompts });
      return true;
    }
    if (drop) {
      events.emit_('dropped', { reason: status === 400 ? 'invalid' : 'too_large', messageIds });
      return true;
    }
    if (status === 413) {
      limit = Math.ceil(items.length / 2);
      return true;
    }
    // Events are never given up on: they wait in storage, so attempts are not capped. Full
    // jitter, and never sooner than the server's Retry-After.
    const delayMs = Math.max(backoffDelay(failures++, retry), parseRetryAfter(retryAfter, clock.now()) ?? 0);
    if (!retryable(status))
      events.emit_('error', { code: 'delivery', status, message: `${endpoint} answered ${status}; events kept` });
    // Offline: wait for the `online` event instead of a timer. One timer at a time: a failed
    // keepalive send on page exit may land while a retry is already scheduled.
    if (!offline() && !disposed && retryTimer === undefined)
      retryTimer = clock.setTimeout(() => {
        retryTimer = undefined;
        void run();
      }, delayMs);
    return false;
  }

  async function loop(): Promise<boolean> {
    while (!disposed && retryTimer === undefined && !offline()) {
      const items = take(limit, MAX_BATCH_BYTES);
      if (!items.length) break;
      if (!settle(items, await postBody(endpoint, body(items)))) return false;
    }
    return !offline();
  }

  /** One sending loop at a time; callers during a loop share its outcome. */
  function run(): Promise<boolean> {
    running ??= loop().finally(() => {
      running = undefined;
    });
    return running;
  }

  return {
    added_() {
      if (queue.size_ >= limit) void run();
      else
        batchTimer ??= clock.setTimeout(() => {
          batchTimer = undefined;
          void run();
        }, maxWaitMs);
    },
    async flush_() {
      stopBatchTimer();
      skipWait();
      let ok = await run();
      // A send already on the wire when flush() was called may have missed newer events.
      if (ok && queue.size_) ok = await run();
      return { ok, pending: queue.size_ };
    },
    exit_() {
      stopBatchTimer();
      if (failures > 0 || offline()) return;
      // Chunks that fit the beacon budget, until every waiting event is on its way.
      for (;;) {
        const chunk = take(Infinity, MAX_BEACON_BYTES);
        if (!chunk.length) break;
        const text = body(chunk);
        // A beacon is never acknowledged: its events count as sent and leave the queue; if the
        // removal does not reach IndexedDB before the page dies, they are sent again later and
        // the server drops the duplicates by messageId.
        if (beacon(endpoint, text)) settle(chunk, { status_: 202 }, 'beacon');
        else void postBody(endpoint, text, true).then((answer) => settle(chunk, answer));
      }
    },
    resume_() {
      skipWait();
      failures = 0;
      void run();
    },
    dispose_() {
      disposed = true;
      stopBatchTimer();
      skipWait();
    },
  };
}
