/**
 * The bookkeeping every local log engine's reader needs (memory and file; JetStream keeps its own
 * on the server): which messages were handed out and not yet acked, which wait for a retry, and
 * the committed position — the start of the oldest unacked message — which is what the engine
 * may persist and trim up to. Messages are read in log order and committed in log order, so a
 * crash redelivers (never skips) whatever was handed out after the committed position.
 */
import type { Clock } from '@touchpoint/core';
import type { LogMessage, LogReader, ReadLimits } from './types.js';

/** A place in a local log: the record's sequence number and, for files, its byte offset. */
export interface Cursor {
  seq: number;
  offset: number;
}

/**
 * A message as a local engine reads it: its byte `offset` and the `end` where the next one starts
 * (plain numbers, not cursor objects: one allocation per message is what a busy log can afford).
 */
export interface LocalMessage extends LogMessage {
  readonly offset: number;
  readonly end: number;
  /** A tombstone (the event was erased): never handed out, it counts as read. */
  readonly erased?: boolean;
}

export interface ReaderSource {
  /** Durable messages from `from` on, within the limits; `[]` when there are none yet. */
  read(from: Cursor, maxEvents: number, maxBytes: number): LocalMessage[] | Promise<LocalMessage[]>;
  /** Sequence number the next append will get (for `lag()`). */
  endSeq(): number;
}

export interface ReaderStateOptions {
  name: string;
  start: Cursor;
  source: ReaderSource;
  clock: Clock;
  /** Most messages handed out and not yet acked (default 10 000). */
  maxOutstanding?: number;
  /** Called after acks move the committed position (to persist it, or to trim the log). */
  onCommit(committed: Cursor): void;
  onClose?(): void | Promise<void>;
}

export interface LocalReader extends LogReader {
  /** Wakes readers waiting in `next()`: the engine calls it after a durable append. */
  wake(): void;
  committed(): Cursor;
  /** Where the next read starts: everything before it was handed out (the tail cache may drop it). */
  readPosition(): Cursor;
  /**
   * Drops the messages handed out or waiting for a retry that `match` picks (they were erased):
   * never handed out again, counted as acked. Messages in a delivery now may finish it.
   */
  forget(match: (message: LocalMessage) => boolean): number;
  /** Moves the reader to `to` when it is behind it (the log deleted what came before). */
  skipTo(to: Cursor): void;
}

function withAttempts(message: LocalMessage, attempts: number): LocalMessage {
  return { ...message, attempts };
}

export function createReaderState(options: ReaderStateOptions): LocalReader {
  const { name, source, clock } = options;
  const maxOutstanding = options.maxOutstanding ?? 10_000;
  let position: Cursor = options.start;
  // Insertion order is log order: the first entry is the oldest message not yet acked.
  const outstanding = new Map<number, LocalMessage>();
  // Retried messages whose delay has passed, handed out before anything new (kept in log order).
  let ready: LocalMessage[] = [];
  const timers = new Set<unknown>();
  let waiters: (() => void)[] = [];
  // Bumped by every wake: a wake that comes while `next()` is reading (not yet waiting) is not lost.
  let wakes = 0;
  let closed = false;
  let lastCommitted = options.start.seq;

  function wake(): void {
    wakes++;
    const woken = waiters;
    waiters = [];
    for (const resolve of woken) resolve();
  }

  function committed(): Cursor {
    const first = outstanding.values().next();
    return first.done ? position : { seq: first.value.seq, offset: first.value.offset };
  }

  function wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = clock.setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
      waiters.push(() => {
        clock.clearTimeout(timer);
        timers.delete(timer);
        resolve();
      });
    });
  }

  function takeReady(limits: ReadLimits): LocalMessage[] {
    const out: LocalMessage[] = [];
    let bytes = 0;
    let i = 0;
    for (; i < ready.length && out.length < limits.maxEvents; i++) {
      const message = ready[i]!;
      if (out.length > 0 && bytes + message.json.length > limits.maxBytes) break;
      bytes += message.json.length;
      const again = withAttempts(message, message.attempts + 1);
      outstanding.set(again.seq, again);
      out.push(again);
    }
    ready = ready.slice(i);
    return out;
  }

  function commit(): void {
    const now = committed();
    if (now.seq !== lastCommitted) {
      lastCommitted = now.seq;
      options.onCommit(now);
    }
  }

  return {
    name,
    wake,
    committed,
    readPosition: () => position,
    forget(match) {
      let dropped = 0;
      for (const [seq, message] of outstanding)
        if (match(message)) {
          outstanding.delete(seq);
          dropped++;
        }
      if (dropped > 0) {
        ready = ready.filter((m) => outstanding.get(m.seq) === m);
        commit();
        wake();
      }
      return dropped;
    },
    skipTo(to) {
      if (to.seq <= committed().seq) return;
      for (const [seq] of outstanding) if (seq < to.seq) outstanding.delete(seq);
      ready = ready.filter((m) => outstanding.get(m.seq) === m);
      if (position.seq < to.seq) position = to;
      commit();
      wake();
    },
    async next(limits) {
      const deadline = clock.now() + limits.waitMs;
      for (;;) {
        if (closed) return [];
        if (ready.length > 0) return takeReady(limits);
        const seen = wakes;
        const room = maxOutstanding - outstanding.size;
        if (room > 0) {
          const from = position;
          const read = await source.read(from, Math.min(room, limits.maxEvents), limits.maxBytes);
          if (closed) return [];
          // skipTo() moved the reader while it read (an expire): what it read is gone.
          if (position !== from) continue;
          if (read.length > 0) {
            const last = read[read.length - 1]!;
            position = { seq: last.seq + 1, offset: last.end };
            const messages = read.some((m) => m.erased) ? read.filter((m) => !m.erased) : read;
            if (messages.length === 0) {
              // Only tombstones: they count as acked, read on.
              commit();
              continue;
            }
            for (const message of messages) outstanding.set(message.seq, message);
            return messages;
          }
        }
        if (wakes !== seen) continue;
        const left = deadline - clock.now();
        if (left <= 0) return [];
        await wait(left);
      }
    },
    async ack(messages) {
      if (messages.length === 0) return;
      for (const message of messages) outstanding.delete(message.seq);
      commit();
      // Room for more: a reader held back by maxOutstanding may read again.
      wake();
    },
    retry(messages, delayMs) {
      const due = messages.filter((m) => outstanding.has(m.seq)) as LocalMessage[];
      if (due.length === 0) return;
      const timer = clock.setTimeout(
        () => {
          timers.delete(timer);
          if (closed) return;
          // Still outstanding (not acked meanwhile): back into the ready list, in log order.
          const back = due.filter((m) => outstanding.get(m.seq) === m);
          if (back.length === 0) return;
          ready = ready.concat(back).sort((a, b) => a.seq - b.seq);
          wake();
        },
        Math.max(0, delayMs),
      );
      timers.add(timer);
    },
    lag: () => Math.max(0, source.endSeq() - committed().seq),
    async close() {
      closed = true;
      for (const timer of timers) clock.clearTimeout(timer);
      timers.clear();
      wake();
      await options.onClose?.();
    },
  };
}
