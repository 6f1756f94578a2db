/**
 * `parseEvent` and `parseBatch`: validation of hostile network input that never throws and
 * names every problem precisely (`batch[3].feedback.score: nps score must be …`).
 */
import type * as z from 'zod';
import type { EventBatch, TouchpointEvent } from '../event.js';
import { EVENT_TYPES } from '../event.js';
import { MAX_BATCH_EVENTS, MAX_EVENT_BYTES, utf8Length } from '../limits.js';
import type { Issue, Result } from '../result.js';
import { batchEnvelopeSchema, eventSchema } from './events.js';
import { describe } from './json-value.js';

/** Formats a zod-style path as a developer would write it: `batch[3].feedback.score`. */
export function formatPath(base: string, path: readonly PropertyKey[]): string {
  let out = base;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += out ? `.${key}` : key;
    else if (typeof key === 'string' && /^[\w$]+(\[\d+\])+$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

function zodIssues(error: z.ZodError, base: string): Issue[] {
  return error.issues.map((issue) => ({ path: formatPath(base, issue.path), message: issue.message }));
}

export interface ParseEventOptions {
  /** Largest accepted event in UTF-8 bytes of its JSON (default 32 KB). */
  maxEventBytes?: number;
  /** Prefix for issue paths, e.g. `batch[3]`. */
  path?: string;
}

/**
 * Validates one event from untrusted input. Unknown envelope keys are stripped; the value returned
 * is a fresh object, never the input.
 *
 * @example
 * const r = parseEvent(JSON.parse(body));
 * if (!r.ok) console.warn(r.issues); // [{ path: 'feedback.score', message: 'nps score must be …' }]
 */
export function parseEvent(input: unknown, options: ParseEventOptions = {}): Result<TouchpointEvent> {
  const base = options.path ?? '';
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, issues: [{ path: base, message: `an event must be an object, got ${describe(input)}` }] };
  }
  const type = (input as { type?: unknown }).type;
  if (!(EVENT_TYPES as readonly unknown[]).includes(type)) {
    return {
      ok: false,
      issues: [
        {
          path: formatPath(base, ['type']),
          message: `type must be one of ${EVENT_TYPES.join(', ')}, got ${JSON.stringify(type) ?? 'undefined'}`,
        },
      ],
    };
  }
  const parsed = eventSchema.safeParse(input);
  if (!parsed.success) return { ok: false, issues: zodIssues(parsed.error, base) };
  const value = parsed.data as TouchpointEvent;
  const max = options.maxEventBytes ?? MAX_EVENT_BYTES;
  // Measured on the cleaned value: bounded depth, so stringify cannot blow the stack.
  const bytes = utf8Length(JSON.stringify(value));
  if (bytes > max) {
    return {
      ok: false,
      issues: [{ path: base, message: `event is ${bytes} bytes of JSON; at most ${max} are allowed` }],
    };
  }
  return { ok: true, value };
}

export interface RejectedEvent {
  index: number;
  messageId?: string;
  issues: Issue[];
}

export interface ParsedBatch extends EventBatch {
  /** Events that failed validation; the valid ones are in `batch`, in their original order. */
  rejected: RejectedEvent[];
}

export interface ParseBatchOptions extends ParseEventOptions {
  /** Most events in one batch (default 500). */
  maxEvents?: number;
}

/**
 * Validates a batch. The batch fails as a whole only when its envelope is wrong (not an object,
 * no `batch` array, too many events); otherwise valid events are kept and each invalid one is
 * listed in `rejected` with its index and issues, so one bad event never costs the others.
 *
 * @example
 * const r = parseBatch(JSON.parse(body));
 * if (r.ok) { forward(r.value.batch); report(r.value.rejected); }
 */
export function parseBatch(input: unknown, options: ParseBatchOptions = {}): Result<ParsedBatch> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return {
      ok: false,
      issues: [
        {
          path: '',
          message: `a batch must be an object like { "batch": [...], "sentAt": "…" }, got ${describe(input)}`,
        },
      ],
    };
  }
  const maxEvents = options.maxEvents ?? MAX_BATCH_EVENTS;
  const raw = (input as { batch?: unknown }).batch;
  if (Array.isArray(raw) && raw.length > maxEvents) {
    return {
      ok: false,
      issues: [{ path: 'batch', message: `batch has ${raw.length} events; at most ${maxEvents} are allowed` }],
    };
  }
  const envelope = batchEnvelopeSchema.safeParse(input);
  if (!envelope.success) return { ok: false, issues: zodIssues(envelope.error, '') };

  const batch: TouchpointEvent[] = [];
  const rejected: RejectedEvent[] = [];
  const items = envelope.data.batch;
  for (let i = 0; i < items.length; i++) {
    const path = `batch[${i}]`;
    const result = parseEvent(items[i], { ...options, path });
    if (result.ok) batch.push(result.value);
    else {
      const messageId = (items[i] as { messageId?: unknown } | null)?.messageId;
      const entry: RejectedEvent = { index: i, issues: result.issues };
      if (typeof messageId === 'string' && messageId.length <= 128) entry.messageId = messageId;
      rejected.push(entry);
    }
  }
  const value: ParsedBatch = { batch, sentAt: envelope.data.sentAt, rejected };
  if (envelope.data.v !== undefined) value.v = envelope.data.v;
  if (envelope.data.writeKey !== undefined) value.writeKey = envelope.data.writeKey;
  return { ok: true, value };
}
