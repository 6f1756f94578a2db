/**
 * The forwarder: takes events from the ingest (`accept`, already validated) and from the shop's
 * own server code (`track`, `identify`, `feedback`, `enqueue`: validated, deduped and stamped
 * here), runs the rules, and appends each event's JSON once to the log. Every destination has its
 * own reader of that log and its own delivery loop (destination-queue.ts), so an event leaves the
 * log only after each destination took it or it was dead-lettered. `accept` resolves when the
 * events are durable — what the ingest waits for before it answers 200.
 *
 * Personal data: `erase(subject)` removes a customer's events from the log, from every
 * destination's dead letters and from what waits in memory, and makes sure no batch sends them
 * after it resolves; `eraseAt` asks one destination to erase in its own store; `applyRetention`
 * (and the `retention` option, hourly) deletes what is older than the retention period.
 */
import {
  type Clock,
  createMessageId,
  createRetryPolicy,
  type FeedbackInput,
  formatIssues,
  getTouchpoint,
  type Identity,
  type JsonObject,
  systemClock,
  TouchpointConfigError,
  type TouchpointDefinitions,
  type TouchpointEvent,
  type TouchpointName,
  type TouchpointProperties,
  validateFeedback,
} from '@touchpoint/core';
import { parseEvent } from '@touchpoint/core/schema';
import type { DeadLetterRecord } from './dead-letter.js';
import { createMemoryDedupeStore } from './dedupe-store.js';
import {
  createDestinationQueue,
  type DestinationQueue,
  type DestinationStats,
  decideAfterFailure,
  describe,
  type Failure,
  toFailure,
} from './destination-queue.js';
import { isoAt } from './event-json.js';
import { checkRetention, type ForwarderOptions, resolveForwarderConfig } from './forwarder-config.js';
import { memoryLog } from './log/memory-log.js';
import type { AppendResult, LogMessage, LogReader, LogStats } from './log/types.js';
import type { ErasureRequest, ErasureSubject, ErasureTargetResult } from './privacy/subject.js';
import { buildTrack } from './server-track.js';
import type { Destination, DropReason, DropReport, ForwarderError, RuleContext } from './types.js';
import { createWarn } from './warn.js';

export type { ForwarderOptions } from './forwarder-config.js';

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
  /** Events still in the log at close: a durable log delivers them after the next start. */
  left: number;
  /** Events lost at close: only with `memoryLog` (each also reported through `onDrop`). */
  gaveUp: number;
}

export interface ReplaySummary {
  /** Dead letters delivered to the destination (or dead-lettered again, if it refused them again). */
  replayed: number;
  /** Dead letters still waiting when `timeoutMs` ran out (they stay in the dead-letter log). */
  remaining: number;
}

/** What one destination answered an erasure request. */
export type DestinationEraseResult =
  | { status: 'done' }
  /** The destination has no `erase`. */
  | { status: 'unsupported' }
  /** A retryable failure: ask again after `retryAfterMs` (backoff, at least its Retry-After). */
  | { status: 'retry'; message: string; retryAfterMs: number }
  | { status: 'failed'; message: string };

/** What `erase` did in one store: `log`, or `dead-letters:<destination>`. */
export type StoreErasure = ErasureTargetResult & { store: string };

/** What `accept` answers: the events are durable in the log, or why not and when to try again. */
export type AcceptResult = AppendResult;

export interface ForwarderStats {
  destinations: DestinationStats[];
  accepted: number;
  duplicates: number;
  invalid: number;
  /** Events `track()`/`enqueue()` hold in memory on their way into the log. */
  pending: number;
  log: LogStats;
}

export interface Forwarder<C extends TouchpointDefinitions | undefined = undefined> {
  /**
   * For the ingest and other callers that must know: appends events that are already valid,
   * deduped and stamped, and resolves once they are durable in the log (`{ ok: true }`) or with
   * the reason they were not (`full`, `unavailable`, `closed`) and a `retryAfterMs`.
   */
  accept(events: readonly TouchpointEvent[]): Promise<AcceptResult>;
  /**
   * Validates, dedupes and appends an event. Like a stream's `write()`: `false` means "slow down"
   * (the event is kept — wait for `waitForCapacity()`); refusals and invalid events reach `onDrop`.
   */
  enqueue(event: unknown): boolean;
  track<N extends TouchpointName<C>>(input: ServerTrack<N, TouchpointProperties<C, N>>): boolean;
  identify(input: ServerIdentify): boolean;
  feedback(input: ServerFeedback): boolean;
  /** `true` while `n` more events can be taken without slowing down. */
  hasCapacity(n?: number): boolean;
  /** Resolves when `n` more events can be taken: the backpressure signal. */
  waitForCapacity(n?: number): Promise<void>;
  /** Resolves when everything taken so far is in the log and, when delivering, at every destination (or dead-lettered). */
  flush(): Promise<void>;
  /** Stops accepting, appends what is held, delivers until `timeoutMs`, closes destinations and the log. */
  close(options?: { timeoutMs?: number }): Promise<CloseSummary>;
  /** The dead letters of one destination, oldest first. */
  deadLetters(destination: string, options?: { max?: number }): Promise<DeadLetterRecord[]>;
  /** Sends one destination's dead letters to it again; resolves when they are through or `timeoutMs` passed. */
  replay(destination: string, options?: { timeoutMs?: number }): Promise<ReplaySummary>;
  stats(): ForwarderStats;
  /**
   * Erases the subject's events from the log, from every destination's dead letters and from
   * what waits in memory to be appended; once it resolves no batch of any destination sends or
   * re-sends them (one in the middle of a send may have finished it). One result per store.
   *
   * @example
   * const results = await forwarder.erase(createErasureSubject({ erasureId: 'er_1', userIds: ['u-1'] }));
   * // [{ store: 'log', erased: 12, messageIds: [...] }, { store: 'dead-letters:crm', erased: 1, ... }]
   */
  erase(subject: ErasureSubject): Promise<StoreErasure[]>;
  /**
   * Asks one destination to erase the customer in its own store (its `erase`), after its
   * deliveries in flight settled, within `timeoutMs`. `attempt` (from 1) drives the backoff.
   */
  eraseAt(
    destination: string,
    request: ErasureRequest,
    options?: { attempt?: number },
  ): Promise<DestinationEraseResult>;
  /** The destinations' names, in the order they were given. */
  destinationNames(): string[];
  /**
   * Deletes what the log and the dead-letter logs hold that was appended more than `days` ago,
   * delivered or not (`days` must be longer than `maxAgeMs`, so undelivered events were
   * dead-lettered first). One result per store.
   */
  applyRetention(options: { days: number }): Promise<{ store: string; removed: number }[]>;
}

function toIso(value: Date | string | undefined, now: number): string {
  if (value === undefined) return new Date(now).toISOString();
  return value instanceof Date ? value.toISOString() : value;
}

let warnedMemoryLog = false;

/**
 * A reader of a dead-letter log that hands out the events inside the records, for `replay`. A
 * replay restarts an event's age (`appendedAt` is now), so `maxAgeMs` does not dead-letter it again.
 */
function unwrapDeadLetters(reader: LogReader, clock: Clock): LogReader {
  const originals = new Map<number, LogMessage>();
  return {
    name: reader.name,
    async next(limits) {
      const messages = await reader.next(limits);
      return messages.map((m) => {
        originals.set(m.seq, m);
        const record = JSON.parse(m.json) as DeadLetterRecord;
        return { seq: m.seq, json: JSON.stringify(record.event), attempts: m.attempts, appendedAt: clock.now() };
      });
    },
    async ack(messages) {
      const back = messages.map((m) => originals.get(m.seq)!).filter(Boolean);
      for (const m of messages) originals.delete(m.seq);
      await reader.ack(back);
    },
    retry(messages, delayMs) {
      reader.retry(messages.map((m) => originals.get(m.seq)!).filter(Boolean), delayMs);
    },
    lag: () => reader.lag(),
    close: () => reader.close(),
  };
}

/**
 * @example
 * const forwarder = createForwarder({
 *   log: fileLog({ dir: './data/touchpoint-log' }),
 *   destinations: [destinations.http({ url: 'https://crm.example/ingest' }), destinations.jsonl({ path: 'events.jsonl' })],
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
        `${d.deadLettered ? 'dead-lettered' : 'dropped'} ${d.events.length} event(s)${d.destination ? ` for ${d.destination}` : ''} (${d.reason}): ${d.message}`,
      ));
  const log = options.log ?? memoryLog({ clock });
  if (!log.durable && !warnedMemoryLog) {
    warnedMemoryLog = true;
    console.warn(
      '[touchpoint] the forwarder keeps its queue in memory (memoryLog): a crash loses every event not yet delivered. Use fileLog({ dir }) or jetStreamLog({ servers }) to acknowledge only what is durable.',
    );
  }
  const dedupe =
    options.dedupe === false
      ? undefined
      : createMemoryDedupeStore({ maxIds: options.dedupe?.maxIds ?? 100_000, now: () => clock.now() });
  const dedupeTtlMs = (options.dedupe || undefined)?.ttlMs ?? 3_600_000;
  const rules = options.rules ?? [];
  const pendingRules = new Set<Promise<void>>();
  const ruleContext: RuleContext = { now: () => clock.now(), onError };
  const highWater = config.maxQueueEvents;
  const highWaterBytes = config.maxQueueBytes;
  let closed = false;
  let accepted = 0;
  let duplicates = 0;
  let invalid = 0;

  function report(
    reason: DropReason,
    events: TouchpointEvent[],
    message: string,
    destination?: string,
    deadLettered = false,
  ): void {
    try {
      onDrop({ reason, events, message, deadLettered, ...(destination !== undefined && { destination }) });
    } catch (error) {
      onError({ source: 'onDrop', message: `onDrop threw: ${String(error)}`, error });
    }
  }

  function queueFor(destination: Destination, reader: Promise<LogReader>): Promise<DestinationQueue> {
    return reader.then((r) =>
      createDestinationQueue({
        destination,
        reader: r,
        deadLetters: () => log.deadLetters(destination.name),
        batch: { ...config.batch, ...destination.batch },
        retry: { ...config.retry, ...(options.random && { random: options.random }) },
        concurrency: destination.concurrency ?? config.concurrency,
        timeoutMs: config.timeoutMs,
        maxAgeMs: config.maxAgeMs,
        clock,
        onError,
        onDeadLetter: (events, reason, message) => report(reason, events, message, destination.name, true),
      }),
    );
  }

  // Readers open in the background; a failure to open one is reported, never thrown at the caller.
  const queues: Promise<DestinationQueue | undefined>[] =
    options.deliver === false
      ? []
      : options.destinations.map((destination) =>
          queueFor(destination, log.reader(destination.name)).catch((error) => {
            onError({ source: destination.name, message: `could not open its log reader: ${String(error)}`, error });
            return undefined;
          }),
        );
  const byName = new Map(options.destinations.map((d) => [d.name, d]));
  const allQueues = async () => (await Promise.all(queues)).filter((q): q is DestinationQueue => q !== undefined);
  // Filled once the readers are open, so `stats()` can stay synchronous.
  let openQueues: DestinationQueue[] = [];
  void allQueues().then((list) => {
    openQueues = list;
  });

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

  // What `track()`/`enqueue()` took and the log has not made durable yet: appended as one batch
  // per turn of the event loop, and kept (retried after the log's retryAfterMs) when it fails.
  // `held` waits for the next append; `sending` is the chunk being appended now, so callers can
  // fill the next chunk while the log syncs this one. Only the JSON is held (an erase matches it
  // with `matchesJson`, a drop report parses it): keeping the event objects too doubled what a
  // backlog costs in heap, and V8 grows the heap a few times past what is live.
  let held: string[] = [];
  // JSON length (UTF-16 units, close enough to bytes for a watermark) of what `held` holds.
  let heldBytes = 0;
  const lengthOf = (jsons: readonly string[]): number => {
    let n = 0;
    for (const json of jsons) n += json.length;
    return n;
  };
  let sending: string[] = [];
  let appending: Promise<void> | undefined;
  // The chunk being appended now (an erase waits for it, then erases it from the log).
  let currentAppend: Promise<AppendResult> | undefined;
  let capacityWaiters: { n: number; resolve: () => void }[] = [];
  let drainWaiters: (() => void)[] = [];

  function notifyCapacity(): void {
    if (capacityWaiters.length > 0) {
      const still: typeof capacityWaiters = [];
      for (const w of capacityWaiters) hasCapacity(w.n) ? w.resolve() : still.push(w);
      capacityWaiters = still;
    }
    if (held.length === 0 && !appending) {
      const waiters = drainWaiters;
      drainWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  // Appends go in chunks; a chunk the log calls `full` is halved, so a small budget still takes
  // what fits instead of waiting for room for everything at once.
  let chunk = 10_000;
  async function appendHeld(): Promise<void> {
    // Let the rest of this synchronous run of track() calls join the batch.
    await Promise.resolve();
    while (held.length > 0) {
      const count = Math.min(chunk, held.length);
      sending = held.slice(0, count);
      held = held.slice(count);
      heldBytes -= lengthOf(sending);
      notifyCapacity();
      const jsons = sending;
      currentAppend = log.append(jsons);
      const result = await currentAppend;
      currentAppend = undefined;
      if (result.ok) {
        sending = [];
        chunk = Math.min(10_000, chunk * 2);
        notifyCapacity();
        continue;
      }
      // Not taken: back in front of anything newer.
      held = sending.concat(held);
      heldBytes += lengthOf(sending);
      sending = [];
      if (result.reason === 'full' && count > 1) {
        chunk = Math.max(1, count >> 1);
        continue;
      }
      // Not durable: they stay in front of anything newer, and are tried again after the log's delay.
      onError({
        source: 'log',
        message: `append failed (${result.reason}), retrying in ${result.retryAfterMs} ms: ${result.message}`,
        error: result.error,
      });
      if (closed && closeDeadline !== undefined && clock.now() >= closeDeadline) return;
      // A full log frees room as destinations catch up; anything else is worth another try only later.
      if (result.reason === 'full') await waitForRoom(jsons[0]!.length + 64, result.retryAfterMs);
      else await new Promise<void>((resolve) => clock.setTimeout(resolve, result.retryAfterMs));
    }
  }

  /** Until the log has room again (destinations caught up) or `ms` passed, whichever is first. */
  function waitForRoom(bytes: number, ms: number): Promise<void> {
    const until = clock.now() + ms;
    return new Promise((resolve) => {
      const check = (): void => {
        if (log.hasRoom(bytes) || clock.now() >= until || (closed && clock.now() >= (closeDeadline ?? 0))) resolve();
        else clock.setTimeout(check, 50);
      };
      clock.setTimeout(check, 50);
    });
  }

  function startAppending(): void {
    appending ??= appendHeld()
      .catch((error) => onError({ source: 'log', message: `append failed: ${String(error)}`, error }))
      .finally(() => {
        appending = undefined;
        if (held.length > 0 && !closed) startAppending();
        notifyCapacity();
      });
  }

  function take(event: TouchpointEvent, json: string): boolean {
    if (held.length + sending.length >= highWater * 10) {
      report(
        'log_full',
        [event],
        `${held.length + sending.length} events are waiting for the log (10 × maxQueueEvents): it is down or full`,
      );
      return false;
    }
    runRules(event);
    accepted++;
    held.push(json);
    heldBytes += json.length;
    startAppending();
    return held.length < highWater && heldBytes < highWaterBytes;
  }

  let closeDeadline: number | undefined;

  function hasCapacity(n = 1): boolean {
    return !closed && held.length + n <= highWater && heldBytes < highWaterBytes && log.hasRoom(n * 512);
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
    return take(event, JSON.stringify(event));
  }

  function envelope(input: Common) {
    const now = clock.now();
    return {
      messageId: input.messageId ?? createMessageId(),
      timestamp: toIso(input.timestamp, now),
      // Servers often know only the user: a userId alone identifies the customer (no made-up anonymousId).
      ...(input.anonymousId !== undefined && { anonymousId: input.anonymousId }),
      ...(input.userId !== undefined && { userId: input.userId }),
      ...(input.sessionId !== undefined && { sessionId: input.sessionId }),
      context: { channel: 'server', ...input.context },
    };
  }

  /** The events held for the log, for a drop report (rare: parsed only then). */
  function parseHeld(): TouchpointEvent[] {
    return held.map((json) => JSON.parse(json) as TouchpointEvent);
  }

  async function settleHeld(): Promise<void> {
    while (appending || held.length > 0) {
      if (!appending) startAppending();
      await new Promise<void>((resolve) => drainWaiters.push(resolve));
      if (closed && closeDeadline !== undefined && clock.now() >= closeDeadline) return;
    }
  }

  const erasePolicy = createRetryPolicy({ ...config.retry, ...(options.random && { random: options.random }) });

  /** What `track()`/`enqueue()` hold for the log and `subject` matches: dropped before they reach it. */
  function eraseHeld(subject: ErasureSubject): { erased: number; messageIds: string[] } {
    const messageIds: string[] = [];
    const keep: string[] = [];
    for (const json of held) {
      if (subject.matchesJson(json)) messageIds.push((JSON.parse(json) as TouchpointEvent).messageId);
      else keep.push(json);
    }
    if (messageIds.length > 0) {
      held = keep;
      heldBytes = lengthOf(keep);
      notifyCapacity();
    }
    return { erased: messageIds.length, messageIds };
  }

  async function applyRetention(retention: { days: number }): Promise<{ store: string; removed: number }[]> {
    const before = clock.now() - checkRetention(retention, config.maxAgeMs, 'applyRetention');
    const results = [{ store: 'log', removed: (await log.expire(before)).removed }];
    for (const destination of options.destinations) {
      const dead = await log.deadLetters(destination.name);
      results.push({ store: `dead-letters:${destination.name}`, removed: (await dead.expire(before)).removed });
    }
    return results;
  }

  // Retention on a schedule: a minute after start (a process restarted often still gets it), then hourly.
  let retentionTimer: unknown;
  if (config.retentionMs !== undefined) {
    const days = config.retentionMs / (24 * 3_600_000);
    const tick = (): void => {
      retentionTimer = undefined;
      if (closed) return;
      applyRetention({ days })
        .catch((error) =>
          onError({ source: 'retention', message: `applying ${days}-day retention failed: ${describe(error)}`, error }),
        )
        .finally(() => {
          if (!closed) retentionTimer = clock.setTimeout(tick, 3_600_000);
        });
    };
    retentionTimer = clock.setTimeout(tick, 60_000);
  }

  const forwarder: Forwarder<C> = {
    async erase(subject) {
      const list = await allQueues();
      for (const queue of list) queue.holdBack(subject);
      try {
        const fromMemory = eraseHeld(subject);
        // A chunk on its way into the log lands there first, so the log's erase covers it; one
        // the log refused went back to `held`, so that is filtered again.
        await currentAppend?.catch(() => {});
        const refused = eraseHeld(subject);
        fromMemory.erased += refused.erased;
        fromMemory.messageIds.push(...refused.messageIds);
        const main = await log.erase(subject);
        const results: StoreErasure[] = [
          {
            ...main,
            store: 'log',
            erased: main.erased + fromMemory.erased,
            messageIds: [...fromMemory.messageIds, ...(main.messageIds ?? [])],
          },
        ];
        for (const destination of options.destinations) {
          const dead = await log.deadLetters(destination.name);
          results.push({ ...(await dead.erase(subject)), store: `dead-letters:${destination.name}` });
        }
        // Batches read before the erase (gathering, or in flight) end before it resolves; while
        // they do, each drops the subject's events before a retry or a dead-letter write.
        await Promise.all(list.map((queue) => queue.release(subject)));
        return results;
      } catch (error) {
        for (const queue of list) void queue.release(subject);
        throw error;
      }
    },
    async eraseAt(name, request, eraseOptions = {}) {
      const destination = byName.get(name);
      if (!destination) throw new TouchpointConfigError('destination', `no destination named ${JSON.stringify(name)}`);
      if (typeof destination.erase !== 'function') return { status: 'unsupported' };
      // Events sent before the request must not land after the destination erased.
      await (await allQueues()).find((q) => q.name === name)?.settle();
      const controller = new AbortController();
      const timer = clock.setTimeout(
        () => controller.abort(new Error(`erasure at ${name} timed out after ${config.timeoutMs} ms`)),
        config.timeoutMs,
      );
      let failure: Failure | undefined;
      try {
        const result = await destination.erase(request, controller.signal);
        if (result && !result.ok) failure = toFailure(result, name);
      } catch (error) {
        failure = { message: controller.signal.aborted ? describe(controller.signal.reason) : describe(error) };
      } finally {
        clock.clearTimeout(timer);
      }
      if (!failure) return { status: 'done' };
      const decision = decideAfterFailure(erasePolicy, eraseOptions.attempt ?? 1, failure, clock.now());
      return decision.retry
        ? { status: 'retry', message: failure.message, retryAfterMs: decision.delayMs }
        : { status: 'failed', message: failure.message };
    },
    destinationNames: () => options.destinations.map((d) => d.name),
    applyRetention,
    async accept(events) {
      if (closed) return { ok: false, reason: 'closed', message: 'the forwarder is closed', retryAfterMs: 1000 };
      const jsons: string[] = new Array(events.length);
      for (let i = 0; i < events.length; i++) jsons[i] = JSON.stringify(events[i]);
      const result = await log.append(jsons);
      if (result.ok) {
        accepted += events.length;
        for (const event of events) runRules(event);
      }
      return result;
    },
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
      return take(built.event, built.json);
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
    hasCapacity,
    waitForCapacity(n = 1) {
      // Resolved through setImmediate, never as a bare microtask: a producer that loops on
      // track() + waitForCapacity() must give the event loop a turn, or the deliveries' sockets
      // (and so the destinations) would wait for the whole loop.
      const wait = new Promise<void>((resolve) => {
        if (hasCapacity(n) || closed) {
          resolve();
          return;
        }
        capacityWaiters.push({ n: Math.min(n, highWater), resolve });
        // The log's room changes as destinations catch up, which no append tells us about.
        const poll = (): void => {
          if (!capacityWaiters.some((w) => w.resolve === resolve)) return;
          if (hasCapacity(Math.min(n, highWater)) || closed) {
            capacityWaiters = capacityWaiters.filter((w) => w.resolve !== resolve);
            resolve();
          } else clock.setTimeout(poll, 50);
        };
        clock.setTimeout(poll, 50);
      });
      return wait.then(() => new Promise<void>((resolve) => setImmediate(resolve)));
    },
    async flush() {
      // As in close(): the batch and retry timers are unref'd, and a caller awaiting flush() (a
      // script, a job) must not see its process exit while every event waits for a retry.
      const keepAlive = setInterval(() => {}, 1 << 30);
      try {
        await Promise.all([...pendingRules]);
        await settleHeld();
        await Promise.all((await allQueues()).map((q) => q.flush()));
      } finally {
        clearInterval(keepAlive);
      }
    },
    async close(closeOptions = {}) {
      const timeoutMs = closeOptions.timeoutMs ?? 10_000;
      closed = true;
      if (retentionTimer !== undefined) clock.clearTimeout(retentionTimer);
      closeDeadline = clock.now() + timeoutMs;
      // Unref'd batch and retry timers must not let the process exit while we drain.
      const keepAlive = setInterval(() => {}, 1 << 30);
      try {
        const deadline = new Promise<void>((resolve) => clock.setTimeout(resolve, timeoutMs));
        await Promise.race([Promise.all([...pendingRules]).then(() => settleHeld()), deadline]);
        const list = await allQueues();
        await Promise.race([Promise.all(list.map((q) => q.flush())), deadline]);
        await Promise.all(list.map((q) => q.close(closeDeadline!)));
        const stats = list.map((q) => q.stats());
        const left = stats.reduce((n, s) => Math.max(n, s.queued), 0) + held.length;
        let gaveUp = 0;
        if (!log.durable) {
          const lost = await log.list({ max: 100_000 });
          if (lost.length > 0 || held.length > 0) {
            const events = [...lost.map((m) => JSON.parse(m.json) as TouchpointEvent), ...parseHeld()];
            gaveUp = events.length;
            report(
              'deadline',
              events,
              'close(): not delivered before the deadline, and memoryLog keeps nothing after the process ends',
            );
          }
        } else if (held.length > 0) {
          gaveUp = held.length;
          report('deadline', parseHeld(), 'close(): the log did not take these before the deadline');
        }
        await log.close();
        return { delivered: stats.reduce((n, s) => n + s.delivered, 0), left, gaveUp };
      } finally {
        clearInterval(keepAlive);
      }
    },
    async deadLetters(destination, listOptions = {}) {
      const dead = await log.deadLetters(destination);
      const messages = await dead.list({ max: listOptions.max ?? 1000 });
      return messages.map((m) => JSON.parse(m.json) as DeadLetterRecord);
    },
    async replay(destination, replayOptions = {}) {
      const target = byName.get(destination);
      if (!target)
        throw new TouchpointConfigError('destination', `no destination named ${JSON.stringify(destination)}`);
      const dead = await log.deadLetters(destination);
      const reader = unwrapDeadLetters(await dead.reader('replay'), clock);
      const before = reader.lag();
      const queue = await queueFor({ ...target, close: undefined } as Destination, Promise.resolve(reader));
      const deadline = clock.now() + (replayOptions.timeoutMs ?? 60_000);
      let timer: unknown;
      await Promise.race([
        queue.flush(),
        new Promise<void>((resolve) => {
          timer = clock.setTimeout(resolve, replayOptions.timeoutMs ?? 60_000);
        }),
      ]);
      clock.clearTimeout(timer);
      const remaining = reader.lag();
      await queue.close(deadline);
      return { replayed: Math.max(0, before - remaining), remaining };
    },
    stats: () => ({
      destinations: openQueues.map((q) => q.stats()),
      accepted,
      duplicates,
      invalid,
      pending: held.length + sending.length,
      log: log.stats(),
    }),
  };
  return forwarder;
}
