/**
 * The shapes the forwarder, its destinations and its rules agree on. Types only: a destination
 * or rule written elsewhere needs nothing from this package at runtime.
 */
import type { TouchpointEvent } from '@touchpoint/core';
import type { ErasureRequest } from './privacy/subject.js';

/**
 * What a destination reports about one delivery attempt. Resolving with nothing (or
 * `{ ok: true }`) means delivered; throwing means a network-level failure, which is retried.
 */
export interface DeliveryResult {
  ok: boolean;
  /** HTTP status (or the closest equivalent); decides retrying with core's `retryable()`. */
  status?: number;
  /** The answer's `Retry-After` header, honoured as the least delay before the next attempt. */
  retryAfter?: string | null;
  /** Overrides the status-based decision: `true` always retries, `false` drops at once. */
  retryable?: boolean;
  /** What went wrong, for `onError` and dead-letter records. */
  message?: string;
}

/** Fields to remove or hash before a destination sees an event. Paths are dotted: `traits.email`. */
export interface DataPolicy {
  /** Removed from the event, e.g. `context.ip`, `traits.phone`, `properties.address`. */
  drop?: string[];
  /**
   * Replaced by the SHA-256 hex of their normalised value (emails trimmed and lower-cased, phones
   * to `+digits`). `identities` hashes every identity's value the way `hashIdentity` does.
   */
  hash?: string[];
}

/** Per-destination batching; each field falls back to the forwarder's `batch` option. */
export interface BatchOptions {
  /** Most events in one delivery (default 500). */
  maxEvents: number;
  /** Most bytes of event JSON in one delivery (default 500 KB). */
  maxBytes: number;
  /** Longest an event waits for its batch to fill, in ms (default 1000). */
  maxWaitMs: number;
}

/**
 * A backend the forwarder delivers to: a plain object. Every destination gets its own queue, so a
 * slow or failing one never holds the others back.
 *
 * @example
 * const crm: Destination = {
 *   name: 'crm',
 *   async send(events, signal) {
 *     const res = await fetch(crmUrl, { method: 'POST', body: JSON.stringify(events), signal });
 *     return { ok: res.ok, status: res.status, retryAfter: res.headers.get('retry-after') };
 *   },
 * };
 */
export interface Destination {
  /** Unique among the forwarder's destinations; names queues, errors and dead-letter records. */
  name: string;
  /** Delivers one batch. `signal` aborts on the per-attempt timeout and at the close deadline. */
  // biome-ignore lint/suspicious/noConfusingVoidType: `async (events) => {}` must fit, and it returns Promise<void>.
  send(events: TouchpointEvent[], signal?: AbortSignal): Promise<void | DeliveryResult>;
  /**
   * Optional fast path: the same batch as the log holds it, each event's JSON text in order. When
   * present the forwarder calls this instead of `send` and parses nothing (with a data policy, it
   * passes the policy's output re-serialised). The built-in destinations all have it.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: as for `send`.
  sendSerialized?(jsons: readonly string[], signal?: AbortSignal): Promise<void | DeliveryResult>;
  /** Fields this destination must not see in the clear. */
  policy?: DataPolicy;
  /** Batching for this destination only. */
  batch?: Partial<BatchOptions>;
  /** Deliveries in flight at once (default: the forwarder's `concurrency`). */
  concurrency?: number;
  /**
   * Erases a customer in this destination's own store (`createPrivacy().erase()` fans out to it):
   * a signed `identity.erased` webhook, a deletion request, a rewrite of a local file. Answers
   * like `send`: resolving (or `{ ok: true }`) is done, a retryable failure is retried like a
   * delivery, a permanent one is recorded as failed with its message. Without it the erasure
   * records this destination as `unsupported`.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: as for `send`.
  erase?(request: ErasureRequest, signal?: AbortSignal): Promise<void | DeliveryResult>;
  /** Releases connections and file handles; called by `forwarder.close()`. */
  close?(): Promise<void>;
}

/** Why events were not delivered. */
export type DropReason =
  /** Failed validation at `enqueue` (never retried). */
  | 'invalid'
  /** The log could not take the event: 10 × `maxQueueEvents` were already waiting for it. */
  | 'log_full'
  /** The destination answered with a status that will not change on retry (e.g. 400): dead-lettered. */
  | 'not_retryable'
  /** `retry.maxAttempts` attempts failed: dead-lettered. */
  | 'attempts_exhausted'
  /** Older than `maxAgeMs` before the destination took it: dead-lettered. */
  | 'expired'
  /** `close()` reached its deadline first with a log that keeps nothing (`memoryLog`). */
  | 'deadline'
  /** `enqueue` after `close()`. */
  | 'closed';

export interface DropReport {
  reason: DropReason;
  /** The destination that gave up; absent for drops before any queue (`invalid`, `closed`). */
  destination?: string;
  events: TouchpointEvent[];
  /** What went wrong: the validation issues or the last delivery error. */
  message: string;
  /** `true` when the events are durable in the destination's dead-letter log (see `forwarder.deadLetters`). */
  deadLettered: boolean;
}

/** A run-time failure that did not crash anything: a failed attempt, a rule or file error. */
export interface ForwarderError {
  /** Where: a destination name, `rule:<name>`, `log`, `dead-letter`, `dedupe`. */
  source: string;
  message: string;
  error?: unknown;
  /** For delivery failures: the attempt that failed, and whether it will be retried. */
  attempt?: number;
  willRetry?: boolean;
}

/** What a rule may use besides the event. */
export interface RuleContext {
  now(): number;
  onError(error: ForwarderError): void;
}

/**
 * A rule sees every event the forwarder accepts, synchronously and before batching, so it can act
 * at once (see `feedbackAlert`). Returned promises are awaited by `flush()` and `close()`.
 */
export interface Rule {
  name: string;
  onEvent(event: TouchpointEvent, context: RuleContext): void | Promise<void>;
}
