/**
 * The forwarder: takes events from the ingest and from the shop's own server code, validates,
 * dedupes and stamps them once, runs the rules, and hands each event to every destination's own
 * queue. Memory is bounded by `maxQueueEvents` per destination; what cannot be delivered is
 * reported through `onDrop` and, with `deadLetter`, written to a file that `replay` sends again.
 */
import {
  type Clock,
  createMessageId,
  type FeedbackInput,
  formatIssues,
  getTouchpoint,
  type Identity,
  type JsonObject,
  systemClock,
  type TouchpointDefinitions,
  type TouchpointEvent,
  type TouchpointName,
  type TouchpointProperties,
  validateFeedback,
} from '@touchpoint/core';
import { parseEvent } from '@touchpoint/core/schema';
import { createDeadLetterWriter, readDeadLetter } from './dead-letter.js';
import { createMemoryDedupeStore } from './dedupe-store.js';
import { createDestinationQueue, type DestinationQueue, type DestinationStats } from './destination-queue.js';
import { isoAt } from './event-json.js';
import { resolveForwarderConfig } from './forwarder-config.js';
import { buildTrack } from './server-track.js';
import type { BatchOptions, Destination, DropReason, DropReport, ForwarderError, Rule, RuleContext } from './types.js';

export interface ForwarderOptions<C extends TouchpointDefinitions | undefined = undefined> {
  destinations: Destination[];
  /** Batching defaults for every destination (500 events, 500 KB, 1000 ms). */
  batch?: Partial<BatchOptions>;
  /** Attempts per batch including the first (default 8), first backoff ceiling and largest delay in ms. */
  retry?: { maxAttempts?: number; baseMs?: number; maxMs?: number };
  /** Deliveries in flight per destination (default 4). */
  concurrency?: number;
  /** Longest one delivery attempt may take, in ms (default 15 000). */
  timeoutMs?: number;
  /** Most events one destination's queue holds; past it `enqueue` returns false (default 10 000). */
  maxQueueEvents?: number;
  /** Rules that act on events as they arrive, e.g. `feedbackAlert`. */
  rules?: Rule[];
  /** Catalog used by `track()` to stamp stage and channel. */
  catalog?: C;
  /** Drop repeated message ids within a bounded window (default `{ ttlMs: 1 h, maxIds: 100 000 }`); `false` to keep all. */
  dedupe?: { ttlMs?: number; maxIds?: number } | false;
  /** Where undeliverable events are appended as JSON lines. */
  deadLetter?: { path: string };
  /** Failed attempts and other run-time problems (default: one `console.warn` line each). */
  onError?: (error: ForwarderError) => void;
  /** Events given up on, with the reason (default: one `console.warn` line each). */
  onDrop?: (drop: DropReport) => void;
  clock?: Clock;
  /** Source of jitter (tests pass a seeded one). */
  random?: () => number;
}

type Who = { userId: string; anonymousId?: string } | { userId?: string; anonymousId: string };
type Common = Who & {
  messageId?: string;
  timestamp?: Date | string;
  sessionId?: string;
  context?: TouchpointEvent['context'];
};

/** A server-side touchpoint: `forwarder.track({ userId, event: 'order.shipped', properties })`. */
export type ServerTrack<N extends string = string, P = Record<string, unknown>> = Common & {
  event: N;
  properties?: P;
  channel?: string;
};
export type ServerIdentify = Common & { userId: string; traits?: JsonObject; identities?: Identity[] };
export type ServerFeedback = Common & { feedback: FeedbackInput; properties?: JsonObject };

export interface CloseSummary {
  delivered: number;
  /** Events given up on during close (written to the dead-letter file when configured). */
  gaveUp: number;
}

export interface ReplaySummary {
  replayed: number;
  /** Lines that were not a record or whose event no longer validates. */
  invalid: number;
  /** Records for a destination this forwarder does not have (kept in `onDrop`). */
  unknownDestination: number;
}

export interface Forwarder<C extends TouchpointDefinitions | undefined = undefined> {
  /** Validates, dedupes and queues an event for every destination. `false` when refused or backpressured. */
  enqueue(event: unknown): boolean;
  track<N extends TouchpointName<C>>(input: ServerTrack<N, TouchpointProperties<C, N>>): boolean;
  identify(input: ServerIdentify): boolean;
  feedback(input: ServerFeedback): boolean;
  /** `true` when every destination's queue has room for `n` more events. */
  hasCapacity(n?: number): boolean;
  /** Resolves when every queue has room for `n` more events: the backpressure signal. */
  waitForCapacity(n?: number): Promise<void>;
  /** Sends what is batched now and resolves when every queue is empty (including retries). */
  flush(): Promise<void>;
  /** Stops accepting, drains until `timeoutMs`, dead-letters what is left, closes destinations. */
  close(options?: { timeoutMs?: number }): Promise<CloseSummary>;
  /** Sends the events of a dead-letter file again, each to the destination it was meant for. */
  replay(path: string): Promise<ReplaySummary>;
  stats(): { destinations: DestinationStats[]; accepted: number; duplicates: number; invalid: number };
}

/** For the ingest, which has validated, deduped and stamped its events already. */
export const trustedEnqueue = new WeakMap<object, (event: TouchpointEvent) => boolean>();

function toIso(value: Date | string | undefined, now: number): string {
  if (value === undefined) return new Date(now).toISOString();
  return value instanceof Date ? value.toISOString() : value;
}

/**
 * The default reporter: one console line per kind of problem at most every 10 s, with a count of
 * what was folded in, so an overloaded server does not also flood its logs.
 */
function createWarn(): (kind: string, message: string) => void {
  const last = new Map<string, { at: number; folded: number }>();
  return (kind, message) => {
    const now = Date.now();
    const seen = last.get(kind);
    if (seen && now - seen.at < 10_000) {
      seen.folded++;
      return;
    }
    const folded = seen?.folded ? ` (+${seen.folded} similar in the last ${Math.round((now - seen.at) / 1000)} s)` : '';
    last.set(kind, { at: now, folded: 0 });
    console.warn(`[touchpoint] ${message}${folded}`);
  };
}

/**
 * @example
 * const forwarder = createForwarder({
 *   destinations: [destinations.http({ url: 'https://crm.example/ingest' }), destinations.jsonl({ path: 'events.jsonl' })],
 *   deadLetter: { path: 'dead-letter.jsonl' },
 * });
 * forwarder.track({ userId: 'u-1', event: 'order.shipped', properties: { orderId: 'o-9' } });
 * await forwarder.close({ timeoutMs: 5000 });
 */
export function createForwarder<C extends TouchpointDefinitions | undefined = undefined>(
  options: ForwarderOptions<C>,
): Forwarder<C> {
  const config = resolveForwarderConfig(options);
  const clock = options.clock ?? systemClock;
  const warn = createWarn();
  const onError = options.onError ?? ((e: ForwarderError) => warn(`error:${e.source}`, `${e.source}: ${e.message}`));
  const onDrop =
    options.onDrop ??
    ((d: DropReport) =>
      warn(
        `drop:${d.reason}:${d.destination}`,
        `dropped ${d.events.length} event(s)${d.destination ? ` for ${d.destination}` : ''} (${d.reason}): ${d.message}`,
      ));
  const deadLetter = options.deadLetter
    ? createDeadLetterWriter(options.deadLetter.path, (error) =>
        onError({
          source: 'dead-letter',
          message: `could not write ${options.deadLetter!.path}: ${String(error)}`,
          error,
        }),
      )
    : undefined;
  const dedupe =
    options.dedupe === false
      ? undefined
      : createMemoryDedupeStore({ maxIds: options.dedupe?.maxIds ?? 100_000, now: () => clock.now() });
  const dedupeTtlMs = (options.dedupe || undefined)?.ttlMs ?? 3_600_000;
  const rules = options.rules ?? [];
  const pendingRules = new Set<Promise<void>>();
  const ruleContext: RuleContext = { now: () => clock.now(), onError };
  let closed = false;
  let accepted = 0;
  let duplicates = 0;
  let invalid = 0;

  function report(reason: DropReason, events: TouchpointEvent[], message: string, destination?: string): void {
    const deadLettered = deadLetter !== undefined && destination !== undefined && reason !== 'invalid';
    if (deadLettered) deadLetter.append(destination, reason, message, events, clock.now());
    try {
      onDrop({ reason, events, message, deadLettered, ...(destination !== undefined && { destination }) });
    } catch (error) {
      onError({ source: 'onDrop', message: `onDrop threw: ${String(error)}`, error });
    }
  }

  const queues: DestinationQueue[] = options.destinations.map((destination) =>
    createDestinationQueue({
      destination,
      batch: { ...config.batch, ...destination.batch },
      retry: { ...config.retry, ...(options.random && { random: options.random }) },
      concurrency: destination.concurrency ?? config.concurrency,
      maxQueueEvents: config.maxQueueEvents,
      timeoutMs: config.timeoutMs,
      clock,
      onError,
      onGiveUp: (events, reason, message) => report(reason, events, message, destination.name),
    }),
  );
  const byName = new Map(queues.map((q) => [q.name, q]));

  function runRules(event: TouchpointEvent): void {
    for (const rule of rules) {
      try {
        const pending = rule.onEvent(event, ruleContext);
        if (pending) {
          const tracked = pending
            .catch((error) => onError({ source: `rule:${rule.name}`, message: String(error), error }))
            .finally(() => pendingRules.delete(tracked));
          pendingRules.add(tracked);
        }
      } catch (error) {
        onError({ source: `rule:${rule.name}`, message: String(error), error });
      }
    }
  }

  function dispatch(event: TouchpointEvent, json = JSON.stringify(event)): boolean {
    runRules(event);
    accepted++;
    const bytes = Buffer.byteLength(json);
    const item = { event, json };
    let ok = true;
    for (const queue of queues) {
      if (!queue.add(item, bytes)) {
        ok = false;
        report(
          'queue_full',
          [event],
          `queue holds ${config.maxQueueEvents} events (maxQueueEvents); wait for forwarder.waitForCapacity()`,
          queue.name,
        );
      }
    }
    return ok;
  }

  function enqueue(input: unknown): boolean {
    if (closed) {
      report(
        'closed',
        typeof input === 'object' && input !== null ? [input as TouchpointEvent] : [],
        'enqueue after close()',
      );
      return false;
    }
    const parsed = parseEvent(input);
    if (!parsed.ok) {
      invalid++;
      report(
        'invalid',
        typeof input === 'object' && input !== null ? [input as TouchpointEvent] : [],
        formatIssues(parsed.issues),
      );
      return false;
    }
    const event = parsed.value;
    if (event.receivedAt === undefined) event.receivedAt = isoAt(clock.now());
    if (dedupe && !dedupe.claimOne(event.messageId, dedupeTtlMs)) {
      duplicates++;
      return true;
    }
    return dispatch(event);
  }

  function envelope(input: Common) {
    const now = clock.now();
    return {
      messageId: input.messageId ?? createMessageId(),
      timestamp: toIso(input.timestamp, now),
      // Servers often know only the user: the user id doubles as the anonymous id.
      anonymousId: input.anonymousId ?? input.userId!,
      ...(input.userId !== undefined && { userId: input.userId }),
      ...(input.sessionId !== undefined && { sessionId: input.sessionId }),
      context: { channel: 'server', ...input.context },
    };
  }

  const forwarder: Forwarder<C> = {
    enqueue,
    track(input) {
      if (input?.context !== undefined) {
        // A caller-supplied context takes the full schema walk.
        const def = getTouchpoint(options.catalog, input.event);
        return enqueue({
          type: 'track',
          ...envelope(input),
          event: input.event,
          ...(input.properties !== undefined && { properties: input.properties }),
          ...(def?.stage !== undefined && { stage: def.stage }),
          channel: input.channel ?? def?.channel ?? 'server',
        });
      }
      if (closed) return enqueue(input);
      const built = buildTrack(input, options.catalog, clock);
      if (!built.ok) {
        invalid++;
        report('invalid', [], `track(): ${formatIssues(built.issues)}`);
        return false;
      }
      // A message id we generated cannot repeat: only a caller's own id needs the dedupe window.
      if (dedupe && input.messageId !== undefined && !dedupe.claimOne(built.event.messageId, dedupeTtlMs)) {
        duplicates++;
        return true;
      }
      return dispatch(built.event, built.json);
    },
    identify(input) {
      return enqueue({
        type: 'identify',
        ...envelope(input),
        ...(input.traits !== undefined && { traits: input.traits }),
        ...(input.identities !== undefined && { identities: input.identities }),
      });
    },
    feedback(input) {
      const result = validateFeedback(input.feedback);
      return enqueue({
        type: 'feedback',
        ...envelope(input),
        feedback: result.ok ? result.value : input.feedback,
        ...(input.properties !== undefined && { properties: input.properties }),
      });
    },
    hasCapacity: (n = 1) => queues.every((q) => q.hasCapacity(n)),
    async waitForCapacity(n = 1) {
      await Promise.all(queues.map((q) => q.waitForCapacity(n)));
    },
    async flush() {
      await Promise.all([...pendingRules]);
      await Promise.all(queues.map((q) => q.flush()));
      await deadLetter?.flush();
    },
    async close(closeOptions = {}) {
      closed = true;
      const timeoutMs = closeOptions.timeoutMs ?? 10_000;
      const deadlineAt = clock.now() + timeoutMs;
      // Unref'd batch and retry timers must not let the process exit while we drain.
      const keepAlive = setInterval(() => {}, 1 << 30);
      try {
        await Promise.race([
          Promise.all([...pendingRules]),
          new Promise((resolve) => clock.setTimeout(() => resolve(undefined), timeoutMs)),
        ]);
        const before = queues.reduce((n, q) => n + q.stats().gaveUp, 0);
        await Promise.all(queues.map((q) => q.close(deadlineAt)));
        await deadLetter?.flush();
        const stats = queues.map((q) => q.stats());
        return {
          delivered: stats.reduce((n, s) => n + s.delivered, 0),
          gaveUp: stats.reduce((n, s) => n + s.gaveUp, 0) - before,
        };
      } finally {
        clearInterval(keepAlive);
      }
    },
    async replay(path) {
      const summary: ReplaySummary = { replayed: 0, invalid: 0, unknownDestination: 0 };
      await deadLetter?.flush();
      for await (const { record, line } of readDeadLetter(path)) {
        const parsed = record ? parseEvent(record.event) : undefined;
        if (!record || !parsed?.ok) {
          summary.invalid++;
          onError({
            source: 'replay',
            message: `${path}:${line}: ${parsed && !parsed.ok ? formatIssues(parsed.issues) : 'not a dead-letter record'}`,
          });
          continue;
        }
        const queue = byName.get(record.destination);
        if (!queue) {
          summary.unknownDestination++;
          report('not_retryable', [parsed.value], `replay: no destination named ${JSON.stringify(record.destination)}`);
          continue;
        }
        // Replayed events were deduped and seen by the rules the first time: straight to the queue.
        await queue.waitForCapacity(1);
        const json = JSON.stringify(parsed.value);
        if (queue.add({ event: parsed.value, json }, Buffer.byteLength(json))) summary.replayed++;
        else report('queue_full', [parsed.value], 'replay: queue filled up while replaying', queue.name);
      }
      return summary;
    },
    stats: () => ({ destinations: queues.map((q) => q.stats()), accepted, duplicates, invalid }),
  };
  trustedEnqueue.set(forwarder, (event) => {
    if (closed) {
      report('closed', [event], 'enqueue after close()');
      return false;
    }
    return dispatch(event);
  });
  return forwarder;
}
