/**
 * The durable log between the ingest and every destination: one interface, three engines
 * (`memoryLog`, `fileLog`, `jetStreamLog`). The forwarder appends each accepted event's JSON once;
 * each destination has its own reader whose position advances only after that destination said
 * yes (or the event was dead-lettered), so a crash, an outage or a slow backend costs time, never
 * events. Types only: an engine written elsewhere needs nothing else from this package.
 *
 * Who calls what:
 *   forwarder.accept()/track() ── append() ──▶ EventLog ──▶ reader(name).next() ──▶ destination queue
 *   destination queue ── ack() after delivery / retry(delay) after a retryable failure ──▶ LogReader
 */

import type { ErasureSubject, ErasureTargetResult } from '../privacy/subject.js';

/** One event as the log holds it: its JSON text and where it sits. */
export interface LogMessage {
  /** Position in the log, increasing in append order (file: byte offset; JetStream: stream sequence). */
  readonly seq: number;
  /** The event's JSON, exactly as appended. */
  readonly json: string;
  /** Deliveries attempted before this one (0 the first time; JetStream counts across workers). */
  readonly attempts: number;
  /** When the event was appended, ms since the epoch (drives `maxAgeMs` dead-lettering). */
  readonly appendedAt: number;
}

/** What `append` answers: durable, or refused with a reason the caller can act on. */
export type AppendResult =
  | { ok: true }
  | {
      ok: false;
      /** `full`: over the disk or memory budget; `unavailable`: the disk or the cluster failed; `closed`. */
      reason: 'full' | 'unavailable' | 'closed';
      message: string;
      /** How long to wait before trying again (what the ingest sends as `Retry-After`). */
      retryAfterMs: number;
      error?: unknown;
    };

/** Limits for one `next()` call. */
export interface ReadLimits {
  maxEvents: number;
  maxBytes: number;
  /** Longest to wait for the first message when none is ready; `[]` after that. */
  waitMs: number;
}

/** One destination's position in the log. Several workers may hold readers of the same name (JetStream). */
export interface LogReader {
  readonly name: string;
  /**
   * The next messages not yet handed out (retried ones first, oldest first). Resolves with `[]`
   * when `waitMs` passes with nothing to read, or when the reader is closed. The engine bounds the
   * messages handed out but not yet acked, so a destination that is down holds its backlog on
   * disk, not in memory.
   */
  next(limits: ReadLimits): Promise<LogMessage[]>;
  /** Done with these for good (delivered, or dead-lettered): they are never handed out again. */
  ack(messages: readonly LogMessage[]): Promise<void>;
  /** Hand these out again after `delayMs` (a retryable failure), to this worker or another. */
  retry(messages: readonly LogMessage[], delayMs: number): void;
  /** Messages appended but not yet acked by this reader (an estimate for JetStream). */
  lag(): number;
  close(): Promise<void>;
}

export interface LogStats {
  kind: EventLog['kind'];
  /** Events appended since start (this process). */
  appended: number;
  /** Bytes the log holds now (file: on disk; memory: in memory; JetStream: the stream's). */
  bytes: number;
  /** The budget `bytes` may not pass (append answers `full` past it). */
  maxBytes: number;
  /** Appends refused since start, by reason. */
  refused: { full: number; unavailable: number; closed: number };
}

/** What `expire` answers. */
export interface ExpireResult {
  /** Records deleted (whole segments for the file log: a count of the records they held). */
  removed: number;
}

/** A log engine. Create one with `memoryLog()`, `fileLog({ dir })` or `jetStreamLog({ servers })`. */
export interface EventLog {
  readonly kind: 'memory' | 'file' | 'jetstream';
  /** `true` when a crash right after `append` resolves `{ ok: true }` keeps the events. */
  readonly durable: boolean;
  /** Appends events' JSON in order; resolves once they are durable (fsync'd / acknowledged by JetStream). */
  append(jsons: readonly string[]): Promise<AppendResult>;
  /** The reader for one destination, resuming where the last reader of that name acked. */
  reader(name: string): Promise<LogReader>;
  /**
   * The dead letters of one destination: a log of its own (records are `DeadLetterRecord` JSON),
   * listed with a reader that never acks, replayed with one that does.
   */
  deadLetters(destination: string): Promise<EventLog>;
  /**
   * Messages the log still holds that some reader has not acked, oldest first, after `afterSeq`,
   * without moving any reader (to list dead letters).
   */
  list(options: { afterSeq?: number; max: number }): Promise<LogMessage[]>;
  /**
   * Erases every record `subject.matches` (events, or dead-letter records holding one) so that
   * no byte of it stays in the log's files or memory, and no reader hands it out again. Records
   * count as read for every reader. Resolves once that is durable, with the erased events'
   * `messageId`s (so a dedupe window can forget them). Messages in the middle of a delivery may
   * finish that delivery; the forwarder's `erase` sees to it that none is retried or dead-lettered.
   */
  erase(subject: ErasureSubject): Promise<ErasureTargetResult>;
  /**
   * Deletes what was appended before `beforeMs` (ms since the epoch), delivered or not; readers
   * behind it move past it. The file log deletes whole segments whose newest record is older (the
   * segment being written is kept), so a little older data may stay until its segment is done.
   */
  expire(beforeMs: number): Promise<ExpireResult>;
  /** `true` while appends of about `bytes` more would fit the budget. */
  hasRoom(bytes: number): boolean;
  stats(): LogStats;
  /** Finishes pending appends and releases files and connections. */
  close(): Promise<void>;
}
