/**
 * One destination's queue: batching by count, bytes and time (core's batcher), a bounded number
 * of deliveries in flight, retries with backoff, jitter and `Retry-After` (core's retry policy),
 * splitting on 413, and a hard bound on the events it holds. Each destination gets its own, so a
 * slow or failing backend only ever fills its own queue.
 */
import {
  type Clock,
  createBatcher,
  createRetryPolicy,
  type RetryPolicyOptions,
  type TouchpointEvent,
} from '@touchpoint/core';
import { applyDataPolicyToBatch, isEmptyPolicy } from './data-policy.js';
import { rememberBatchJson } from './event-json.js';
import type { BatchOptions, Destination, DropReason, ForwarderError } from './types.js';

export interface DestinationQueueOptions {
  destination: Destination;
  batch: BatchOptions;
  retry: RetryPolicyOptions;
  concurrency: number;
  maxQueueEvents: number;
  /** Longest one delivery attempt may take before it is aborted and retried. */
  timeoutMs: number;
  clock: Clock;
  onError(error: ForwarderError): void;
  /** Events this queue stops trying to deliver (the forwarder reports and dead-letters them). */
  onGiveUp(events: TouchpointEvent[], reason: DropReason, message: string): void;
}

export interface DestinationStats {
  name: string;
  /** Events held: waiting for a batch, for a delivery slot, for a retry, or in flight. */
  queued: number;
  inFlight: number;
  delivered: number;
  failedAttempts: number;
  gaveUp: number;
}

/** An event with its JSON text, serialised once by the forwarder and shared by every queue. */
export interface QueuedEvent {
  event: TouchpointEvent;
  json: string;
}

interface Batch {
  events: TouchpointEvent[];
  /** `jsons[i]` is the JSON of `events[i]`. */
  jsons: string[];
  attempts: number;
  settled: boolean;
  timer?: unknown;
  dueAt?: number;
  controller?: AbortController;
}

export interface DestinationQueue {
  readonly name: string;
  /** Adds one event of `bytes` JSON size; `false` (and nothing added) when the queue is full. */
  add(item: QueuedEvent, bytes: number): boolean;
  hasCapacity(n: number): boolean;
  waitForCapacity(n: number): Promise<void>;
  /** Sends what is batched now and resolves when the queue is empty. */
  flush(): Promise<void>;
  /** Drains until `deadlineAt`; then gives up on what is left with reason `deadline`. */
  close(deadlineAt: number): Promise<void>;
  stats(): DestinationStats;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
  }
  return String(error);
}

function toBatch(items: QueuedEvent[]): Batch {
  const events: TouchpointEvent[] = new Array(items.length);
  const jsons: string[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    events[i] = items[i]!.event;
    jsons[i] = items[i]!.json;
  }
  return { events, jsons, attempts: 0, settled: false };
}

export function createDestinationQueue(options: DestinationQueueOptions): DestinationQueue {
  const { destination, clock, concurrency, maxQueueEvents, timeoutMs } = options;
  const name = destination.name;
  const policy = createRetryPolicy(options.retry);
  const ready: Batch[] = [];
  const waiting = new Set<Batch>();
  const flying = new Set<Batch>();
  let queued = 0;
  let delivered = 0;
  let failedAttempts = 0;
  let gaveUp = 0;
  let deadlineAt: number | undefined;
  let idleWaiters: (() => void)[] = [];
  let capacityWaiters: { n: number; resolve: () => void }[] = [];

  const batcher = createBatcher<QueuedEvent>({
    ...options.batch,
    clock,
    overheadBytes: 64,
    onBatch(items) {
      ready.push(toBatch(items));
      pump();
    },
  });

  function notify(): void {
    if (capacityWaiters.length > 0) {
      const still: typeof capacityWaiters = [];
      for (const w of capacityWaiters) queued + w.n <= maxQueueEvents ? w.resolve() : still.push(w);
      capacityWaiters = still;
    }
    if (queued === 0 && idleWaiters.length > 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  function settle(batch: Batch): void {
    batch.settled = true;
    queued -= batch.events.length;
    notify();
  }

  function giveUp(batch: Batch, reason: DropReason, message: string): void {
    if (batch.settled) return;
    if (batch.timer !== undefined) clock.clearTimeout(batch.timer);
    waiting.delete(batch);
    gaveUp += batch.events.length;
    settle(batch);
    options.onGiveUp(batch.events, reason, message);
  }

  function pump(): void {
    while (flying.size < concurrency && ready.length > 0) void attempt(ready.shift()!);
  }

  function scheduleRetry(batch: Batch, delayMs: number): void {
    batch.dueAt = clock.now() + delayMs;
    waiting.add(batch);
    batch.timer = clock.setTimeout(() => {
      batch.timer = undefined;
      waiting.delete(batch);
      if (batch.settled) return;
      ready.push(batch);
      pump();
    }, delayMs);
  }

  function onFailure(
    batch: Batch,
    failure: { status?: number; retryAfter?: string | null; retryable?: boolean; message: string },
  ): void {
    failedAttempts++;
    if (failure.status === 413 && batch.events.length > 1) {
      // Too large for this backend: halve and resend both parts at once.
      const mid = batch.events.length >> 1;
      batch.settled = true;
      ready.unshift(
        { events: batch.events.slice(0, mid), jsons: batch.jsons.slice(0, mid), attempts: 0, settled: false },
        { events: batch.events.slice(mid), jsons: batch.jsons.slice(mid), attempts: 0, settled: false },
      );
      options.onError({
        source: name,
        message: `${failure.message}; split into two batches of ${mid} and ${batch.events.length - mid}`,
        attempt: batch.attempts,
        willRetry: true,
      });
      return;
    }
    const decision =
      failure.retryable === false
        ? ({ retry: false, reason: 'not_retryable' } as const)
        : policy.next(batch.attempts, {
            status: failure.retryable === true ? undefined : failure.status,
            retryAfter: failure.retryAfter ?? null,
            nowMs: clock.now(),
          });
    const late = decision.retry && deadlineAt !== undefined && clock.now() + decision.delayMs > deadlineAt;
    options.onError({
      source: name,
      message: failure.message,
      attempt: batch.attempts,
      willRetry: decision.retry && !late,
    });
    if (!decision.retry) giveUp(batch, decision.reason, failure.message);
    else if (late) giveUp(batch, 'deadline', `${failure.message}; next attempt would be after the close deadline`);
    else scheduleRetry(batch, decision.delayMs);
  }

  async function attempt(batch: Batch): Promise<void> {
    batch.attempts++;
    const controller = new AbortController();
    batch.controller = controller;
    flying.add(batch);
    const timer = clock.setTimeout(
      () => controller.abort(new Error(`delivery to ${name} timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
    let failure: { status?: number; retryAfter?: string | null; retryable?: boolean; message: string } | undefined;
    try {
      // Without a policy the events go out as serialised at enqueue; a policy changes them.
      if (isEmptyPolicy(destination.policy)) rememberBatchJson(batch.events, batch.jsons);
      const events = await applyDataPolicyToBatch(batch.events, destination.policy);
      const result = await destination.send(events, controller.signal);
      if (result && !result.ok) {
        failure = {
          ...(result.status !== undefined && { status: result.status }),
          ...(result.retryable !== undefined && { retryable: result.retryable }),
          retryAfter: result.retryAfter ?? null,
          message: result.message ?? `${name} answered ${result.status ?? 'with a failure'}`,
        };
      }
    } catch (error) {
      failure = { message: controller.signal.aborted ? describe(controller.signal.reason) : describe(error) };
    }
    clock.clearTimeout(timer);
    flying.delete(batch);
    if (!batch.settled) {
      if (failure) onFailure(batch, failure);
      else {
        delivered += batch.events.length;
        settle(batch);
      }
    }
    pump();
  }

  function waitIdle(): Promise<void> {
    if (queued === 0) return Promise.resolve();
    return new Promise((resolve) => idleWaiters.push(resolve));
  }

  return {
    name,
    add(item, bytes) {
      if (queued >= maxQueueEvents) return false;
      queued++;
      batcher.add(item, bytes);
      return true;
    },
    hasCapacity: (n) => queued + n <= maxQueueEvents,
    waitForCapacity(n) {
      if (queued + n <= maxQueueEvents) return Promise.resolve();
      return new Promise((resolve) => capacityWaiters.push({ n: Math.min(n, maxQueueEvents), resolve }));
    },
    flush() {
      batcher.flush();
      return waitIdle();
    },
    async close(deadline) {
      deadlineAt = deadline;
      batcher.flush();
      for (const batch of [...waiting]) {
        if (batch.dueAt !== undefined && batch.dueAt > deadline)
          giveUp(batch, 'deadline', 'next attempt would be after the close deadline');
      }
      let timer: unknown;
      const timedOut = new Promise<'deadline'>((resolve) => {
        timer = clock.setTimeout(() => resolve('deadline'), Math.max(0, deadline - clock.now()));
      });
      const outcome = await Promise.race([waitIdle().then(() => 'idle' as const), timedOut]);
      clock.clearTimeout(timer);
      if (outcome === 'deadline') {
        const message = 'close() deadline reached before delivery';
        for (const batch of [...flying]) {
          batch.controller?.abort(new Error(message));
          giveUp(batch, 'deadline', message);
        }
        for (const batch of ready.splice(0)) giveUp(batch, 'deadline', message);
        for (const batch of [...waiting]) giveUp(batch, 'deadline', message);
        const left = batcher.dispose();
        if (left.length > 0) giveUp(toBatch(left), 'deadline', message);
      }
      try {
        await destination.close?.();
      } catch (error) {
        options.onError({ source: name, message: `closing ${name} failed: ${describe(error)}`, error });
      }
    },
    stats: () => ({ name, queued, inFlight: flying.size, delivered, failedAttempts, gaveUp }),
  };
}
