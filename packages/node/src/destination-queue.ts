/**
 * One destination's delivery loop: it reads batches from the destination's own `LogReader`,
 * delivers them with a bounded number in flight, and only then tells the log it may forget them.
 * A retryable failure hands the batch back to the log with a backoff delay (full jitter, at least
 * the `Retry-After` asked for), so a destination that is down for an hour keeps its backlog in the
 * log — on disk with `fileLog` — and gets it in order when it is back, without holding the other
 * destinations back. Permanent refusals (4xx other than 408/429), events older than `maxAgeMs`
 * and, when set, events past `maxAttempts` go to the destination's dead-letter log first and are
 * acked after that write is durable. A 413 halves the batch and sends both halves.
 */
import { type Clock, createRetryPolicy, type RetryPolicyOptions, type TouchpointEvent } from '@touchpoint/core';
import { applyDataPolicyToBatch, isEmptyPolicy } from './data-policy.js';
import type { DeadLetterRecord } from './dead-letter.js';
import type { EventLog, LogMessage, LogReader } from './log/types.js';
import type { BatchOptions, DeliveryResult, Destination, DropReason, ForwarderError } from './types.js';

export interface DestinationQueueOptions {
  destination: Destination;
  reader: LogReader;
  /** Where this destination's dead letters go (opened on first use). */
  deadLetters: () => Promise<EventLog>;
  batch: BatchOptions;
  retry: RetryPolicyOptions;
  concurrency: number;
  /** Longest one delivery attempt may take before it is aborted and retried. */
  timeoutMs: number;
  /** Events older than this (since they were appended) are dead-lettered instead of sent. */
  maxAgeMs: number;
  clock: Clock;
  onError(error: ForwarderError): void;
  /** Events now durable in the dead-letter log (a failed dead-letter write is an error, not a drop). */
  onDeadLetter(events: TouchpointEvent[], reason: DropReason, message: string): void;
}

export interface DestinationStats {
  name: string;
  /** Events in the log this destination has not acknowledged yet (its backlog). */
  queued: number;
  /** Batches being delivered now. */
  inFlight: number;
  delivered: number;
  failedAttempts: number;
  /** Events moved to the dead-letter log. */
  deadLettered: number;
  /** @deprecated same as `deadLettered` (kept for code written against 0.1). */
  gaveUp: number;
}

export interface DestinationQueue {
  readonly name: string;
  /** Resolves when everything appended so far was delivered or dead-lettered. */
  flush(): Promise<void>;
  /** Stops reading; waits for deliveries in flight until `deadlineAt`, then aborts them (they stay in the log). */
  close(deadlineAt: number): Promise<void>;
  stats(): DestinationStats;
}

interface Failure {
  status?: number;
  retryAfter?: string | null;
  retryable?: boolean;
  message: string;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
  }
  return String(error);
}

function parseAll(messages: readonly LogMessage[]): TouchpointEvent[] {
  const events: TouchpointEvent[] = new Array(messages.length);
  for (let i = 0; i < messages.length; i++) events[i] = JSON.parse(messages[i]!.json) as TouchpointEvent;
  return events;
}

function toFailure(result: DeliveryResult, name: string): Failure {
  return {
    ...(result.status !== undefined && { status: result.status }),
    ...(result.retryable !== undefined && { retryable: result.retryable }),
    retryAfter: result.retryAfter ?? null,
    message: result.message ?? `${name} answered ${result.status ?? 'with a failure'}`,
  };
}

export function createDestinationQueue(options: DestinationQueueOptions): DestinationQueue {
  const { destination, reader, clock, concurrency, timeoutMs, maxAgeMs } = options;
  const name = destination.name;
  const policy = createRetryPolicy(options.retry);
  const direct = destination.sendSerialized !== undefined && isEmptyPolicy(destination.policy);
  const flying = new Set<AbortController>();
  let delivered = 0;
  let failedAttempts = 0;
  let deadLettered = 0;
  let stopping = false;
  // `flush()` waits for no linger: partial batches go out at once while someone waits.
  let flushers = 0;
  let slotWaiters: (() => void)[] = [];
  let loop: Promise<void> | undefined;
  const inFlight = new Set<Promise<void>>();

  async function send(messages: readonly LogMessage[], signal: AbortSignal): Promise<Failure | undefined> {
    // `void` too: a destination written as `async (events) => {}` resolves with nothing.
    // biome-ignore lint/suspicious/noConfusingVoidType: see above.
    let result: DeliveryResult | void;
    if (direct) {
      const jsons: string[] = new Array(messages.length);
      for (let i = 0; i < messages.length; i++) jsons[i] = messages[i]!.json;
      result = await destination.sendSerialized!(jsons, signal);
    } else {
      const events = await applyDataPolicyToBatch(parseAll(messages), destination.policy);
      result = destination.sendSerialized
        ? await destination.sendSerialized(
            events.map((e) => JSON.stringify(e)),
            signal,
          )
        : await destination.send(events, signal);
    }
    return result && !result.ok ? toFailure(result, name) : undefined;
  }

  async function deadLetter(messages: readonly LogMessage[], reason: DropReason, message: string): Promise<void> {
    const events = parseAll(messages);
    const at = new Date(clock.now()).toISOString();
    let saved = false;
    try {
      const log = await options.deadLetters();
      const records = events.map((event) =>
        JSON.stringify({ destination: name, reason, message, at, event } satisfies DeadLetterRecord),
      );
      const result = await log.append(records);
      if (!result.ok) throw new Error(result.message);
      saved = true;
    } catch (error) {
      options.onError({
        source: 'dead-letter',
        message: `could not write ${messages.length} dead letter(s) for ${name}; they stay in the log: ${describe(error)}`,
        error,
      });
    }
    if (saved) {
      deadLettered += messages.length;
      await reader.ack(messages);
      options.onDeadLetter(events, reason, message);
    } else {
      // Not a drop: the events stay in the log (onError said why) and come back after the delay.
      reader.retry(messages, policy.options.maxMs);
    }
  }

  async function deliver(messages: readonly LogMessage[]): Promise<void> {
    const now = clock.now();
    const expired = messages.filter((m) => now - m.appendedAt > maxAgeMs);
    if (expired.length > 0) {
      await deadLetter(expired, 'expired', `older than maxAgeMs (${maxAgeMs} ms) before ${name} took it`);
      messages = messages.filter((m) => now - m.appendedAt <= maxAgeMs);
      if (messages.length === 0) return;
    }
    const controller = new AbortController();
    flying.add(controller);
    const timer = clock.setTimeout(
      () => controller.abort(new Error(`delivery to ${name} timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
    let failure: Failure | undefined;
    try {
      failure = await send(messages, controller.signal);
    } catch (error) {
      failure = { message: controller.signal.aborted ? describe(controller.signal.reason) : describe(error) };
    }
    clock.clearTimeout(timer);
    flying.delete(controller);
    if (!failure) {
      delivered += messages.length;
      await reader.ack(messages);
      return;
    }
    failedAttempts++;
    if (failure.status === 413 && messages.length > 1) {
      const mid = messages.length >> 1;
      options.onError({
        source: name,
        message: `${failure.message}; split into two batches of ${mid} and ${messages.length - mid}`,
        attempt: messages[0]!.attempts + 1,
        willRetry: true,
      });
      await Promise.all([deliver(messages.slice(0, mid)), deliver(messages.slice(mid))]);
      return;
    }
    const attempts = messages.reduce((n, m) => Math.max(n, m.attempts), 0) + 1;
    const decision =
      failure.retryable === false
        ? ({ retry: false, reason: 'not_retryable' } as const)
        : policy.next(attempts, {
            status: failure.retryable === true ? undefined : failure.status,
            retryAfter: failure.retryAfter ?? null,
            nowMs: clock.now(),
          });
    const retrying = decision.retry && !stopping;
    options.onError({ source: name, message: failure.message, attempt: attempts, willRetry: decision.retry });
    if (decision.retry) {
      // When stopping, a delay does not matter: the log keeps them for the next start.
      reader.retry(messages, retrying ? decision.delayMs : 0);
    } else await deadLetter(messages, decision.reason, failure.message);
  }

  let cutLinger: (() => void) | undefined;
  function lingerFor(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = clock.setTimeout(() => {
        cutLinger = undefined;
        resolve();
      }, ms);
      cutLinger = () => {
        clock.clearTimeout(timer);
        cutLinger = undefined;
        resolve();
      };
    });
  }

  function freeSlot(): Promise<void> {
    if (inFlight.size < concurrency) return Promise.resolve();
    return new Promise((resolve) => slotWaiters.push(resolve));
  }

  function releaseSlot(): void {
    const waiters = slotWaiters;
    slotWaiters = [];
    for (const resolve of waiters) resolve();
  }

  async function run(): Promise<void> {
    const { maxEvents, maxBytes, maxWaitMs } = options.batch;
    while (!stopping) {
      await freeSlot();
      if (stopping) break;
      let messages = await reader.next({ maxEvents, maxBytes, waitMs: 1000 });
      // Linger: a partial batch waits up to maxWaitMs (since its oldest event was appended) to fill,
      // topping up every few ms; `flush()` and `close()` cut the wait short.
      while (!stopping && flushers === 0 && messages.length > 0 && messages.length < maxEvents) {
        const left = maxWaitMs - (clock.now() - messages[0]!.appendedAt);
        if (left <= 0) break;
        await lingerFor(Math.min(left, 25));
        let bytes = 0;
        for (const m of messages) bytes += m.json.length;
        if (bytes >= maxBytes) break;
        const more = await reader.next({
          maxEvents: maxEvents - messages.length,
          maxBytes: maxBytes - bytes,
          waitMs: 0,
        });
        messages = messages.concat(more);
      }
      if (messages.length === 0) {
        releaseIdle();
        continue;
      }
      const task = deliver(messages)
        .catch((error) => options.onError({ source: name, message: `delivery failed: ${describe(error)}`, error }))
        .finally(() => {
          inFlight.delete(task);
          releaseSlot();
          releaseIdle();
        });
      inFlight.add(task);
    }
  }

  let idleWaiters: (() => void)[] = [];
  function releaseIdle(): void {
    if (idleWaiters.length === 0 || reader.lag() > 0 || inFlight.size > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  loop = run().catch((error) =>
    options.onError({ source: name, message: `reader stopped: ${describe(error)}`, error }),
  );

  return {
    name,
    async flush() {
      if (reader.lag() === 0 && inFlight.size === 0) return;
      flushers++;
      cutLinger?.();
      try {
        await new Promise<void>((resolve) => {
          idleWaiters.push(resolve);
          releaseIdle();
        });
      } finally {
        flushers--;
      }
    },
    async close(deadlineAt) {
      stopping = true;
      cutLinger?.();
      await reader.close();
      releaseSlot();
      let timer: unknown;
      const deadline = new Promise<void>((resolve) => {
        timer = clock.setTimeout(resolve, Math.max(0, deadlineAt - clock.now()));
      });
      await Promise.race([Promise.all([...inFlight]), deadline]);
      clock.clearTimeout(timer);
      for (const controller of flying)
        controller.abort(new Error('close() deadline reached; the events stay in the log'));
      // A destination that ignores its abort signal must not hold close() forever.
      await Promise.race([Promise.all([...inFlight]), new Promise((resolve) => setTimeout(resolve, 100).unref())]);
      await loop;
      try {
        await destination.close?.();
      } catch (error) {
        options.onError({ source: name, message: `closing ${name} failed: ${describe(error)}`, error });
      }
    },
    stats: () => ({
      name,
      queued: reader.lag(),
      inFlight: flying.size,
      delivered,
      failedAttempts,
      deadLettered,
      gaveUp: deadLettered,
    }),
  };
}
