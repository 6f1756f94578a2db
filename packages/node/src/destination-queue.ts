/**
 * One destination's delivery loop: it reads batches from the destination's own `LogReader`,
 * delivers them with a bounded number in flight, and only then tells the log it may forget them.
 * A retryable failure hands the batch back to the log with a backoff delay (full jitter, at least
 * the `Retry-After` asked for), so a destination that is down for an hour keeps its backlog in the
 * log — on disk with `fileLog` — and gets it in order when it is back, without holding the other
 * destinations back. Permanent refusals (4xx other than 408/429), events older than `maxAgeMs`
 * and, when set, events past `maxAttempts` go to the destination's dead-letter log first and are
 * acked after that write is durable. A 413 halves the batch and sends both halves.
 *
 * While an erasure runs (`holdBack` … `release`), every batch leaving for a send, a retry or the
 * dead-letter log drops the subject's events first (they are acked: the log erases them), so
 * nothing of theirs is sent or re-sent after the forwarder's `erase` resolves; a batch already in
 * the middle of a send may finish it.
 */
import {
  type Clock,
  createRetryPolicy,
  type RetryDecision,
  type RetryPolicy,
  type RetryPolicyOptions,
  type TouchpointEvent,
} from '@touchpoint/core';
import { applyDataPolicyToBatch, isEmptyPolicy } from './data-policy.js';
import type { DeadLetterRecord } from './dead-letter.js';
import type { EventLog, LogMessage, LogReader } from './log/types.js';
import type { ErasureSubject } from './privacy/subject.js';
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
  /** From now on, batches drop what `subject` matches before they are sent, retried or dead-lettered. */
  holdBack(subject: ErasureSubject): void;
  /** Waits until every batch that may hold the subject's events (in flight or gathering) is done, then stops filtering. */
  release(subject: ErasureSubject): Promise<void>;
  /** Resolves when the deliveries in flight now have settled. */
  settle(): Promise<void>;
}

export interface Failure {
  status?: number;
  retryAfter?: string | null;
  retryable?: boolean;
  message: string;
}

export function describe(error: unknown): string {
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

/** What a destination's failed answer (or a throw, or a timeout) means: retry after how long, or give up. */
export function decideAfterFailure(
  policy: RetryPolicy,
  attempts: number,
  failure: Failure,
  nowMs: number,
): RetryDecision {
  return failure.retryable === false
    ? { retry: false, reason: 'not_retryable' }
    : policy.next(attempts, {
        status: failure.retryable === true ? undefined : failure.status,
        retryAfter: failure.retryAfter ?? null,
        nowMs,
      });
}

export function toFailure(result: DeliveryResult, name: string): Failure {
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
  // Subjects being erased now; the batch being gathered (lingering) resolves `dispatched` when it leaves.
  const erasing = new Set<ErasureSubject>();
  let gathering: { dispatched: Promise<void>; resolve: () => void } | undefined;
  // A read in progress may return events the log erased after reading them.
  let reading: Promise<LogMessage[]> | undefined;

  /** Acks and drops what an erasure in progress covers; the rest goes on. */
  async function withoutErased(messages: readonly LogMessage[]): Promise<readonly LogMessage[]> {
    if (erasing.size === 0) return messages;
    const keep: LogMessage[] = [];
    const erased: LogMessage[] = [];
    for (const m of messages) {
      let hit = false;
      for (const subject of erasing) if (subject.matchesJson(m.json)) hit = true;
      (hit ? erased : keep).push(m);
    }
    if (erased.length > 0) await reader.ack(erased);
    return keep;
  }

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
    messages = await withoutErased(messages);
    if (messages.length === 0) return;
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
    messages = await withoutErased(messages);
    if (messages.length === 0) return;
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
    const decision = decideAfterFailure(policy, attempts, failure, clock.now());
    const retrying = decision.retry && !stopping;
    options.onError({ source: name, message: failure.message, attempt: attempts, willRetry: decision.retry });
    if (decision.retry) {
      messages = await withoutErased(messages);
      // When stopping, a delay does not matter: the log keeps them for the next start.
      if (messages.length > 0) reader.retry(messages, retrying ? decision.delayMs : 0);
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
      reading = reader.next({ maxEvents, maxBytes, waitMs: 1000 });
      let messages = await reading;
      reading = undefined;
      let dispatched!: () => void;
      if (messages.length > 0)
        gathering = {
          dispatched: new Promise<void>((resolve) => {
            dispatched = resolve;
          }),
          resolve: () => dispatched(),
        };
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
      const left = gathering;
      gathering = undefined;
      left?.resolve();
    }
    // A batch gathered when the loop stopped was never dispatched: nobody waits for it.
    gathering?.resolve();
    gathering = undefined;
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
    holdBack(subject) {
      erasing.add(subject);
    },
    async release(subject) {
      await reading?.catch(() => {});
      // The batch gathering now read its events before the erase: it and everything in flight must end first.
      const pending = gathering?.dispatched;
      const flying = [...inFlight];
      if (pending) {
        await pending;
        flying.push(...inFlight);
      }
      await Promise.allSettled(flying);
      erasing.delete(subject);
    },
    async settle() {
      await Promise.allSettled([...inFlight]);
    },
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
