/**
 * `memoryLog()`: the log in this process's memory — what the forwarder did before there was a
 * log, for tests and for code that accepts the risk. Appends resolve at once and are NOT durable:
 * a crash loses every event not yet delivered, which the forwarder says once at start-up. Memory
 * is bounded by `maxBytes`; past it `append` answers `full` (the ingest turns that into a 503).
 * `erase` drops an erased event's JSON (its slot stays, empty, so sequence numbers hold) and
 * makes every reader forget it; `expire` drops what was appended before a time.
 */
import { type Clock, systemClock, TouchpointConfigError } from '@touchpoint/core';
import { eventMessageIdOf } from './message-id.js';
import { type Cursor, createReaderState, type LocalMessage, type LocalReader } from './reader-state.js';
import type { AppendResult, EventLog, LogStats } from './types.js';

export interface MemoryLogOptions {
  /** Most bytes of event JSON held (default 64 MiB). */
  maxBytes?: number;
  /** Most messages one reader holds handed out but not acked (default 10 000). */
  maxOutstanding?: number;
  clock?: Clock;
}

interface Held {
  /** `''` once erased. */
  json: string;
  appendedAt: number;
  erased?: true;
}

/**
 * @example
 * const forwarder = createForwarder({ log: memoryLog(), destinations: [destinations.fn(async () => {})] });
 */
export function memoryLog(options: MemoryLogOptions = {}): EventLog {
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  if (!Number.isInteger(maxBytes) || maxBytes < 1)
    throw new TouchpointConfigError('memoryLog.maxBytes', `must be a positive integer, got ${maxBytes}`);
  const clock = options.clock ?? systemClock;
  // records[i] has sequence number base + i; `head` entries at the front are trimmed lazily.
  let records: Held[] = [];
  let head = 0;
  let base = 0;
  let bytes = 0;
  let appended = 0;
  const refused = { full: 0, unavailable: 0, closed: 0 };
  const readers = new Map<string, LocalReader>();
  const committed = new Map<string, number>();
  const deadLetterLogs = new Map<string, EventLog>();
  let closed = false;

  function endSeq(): number {
    return base + records.length - head;
  }

  function trim(): void {
    if (readers.size === 0) return;
    let upTo = Number.POSITIVE_INFINITY;
    for (const seq of committed.values()) upTo = Math.min(upTo, seq);
    while (base < upTo && head < records.length) {
      bytes -= records[head]!.json.length;
      records[head] = undefined as unknown as Held;
      head++;
      base++;
    }
    if (head > 4096 && head * 2 > records.length) {
      records = records.slice(head);
      head = 0;
    }
  }

  function read(from: Cursor, maxEvents: number, maxBytesRead: number): LocalMessage[] {
    const out: LocalMessage[] = [];
    let size = 0;
    for (let seq = Math.max(from.seq, base); seq < endSeq() && out.length < maxEvents; seq++) {
      const held = records[head + seq - base]!;
      if (out.length > 0 && size + held.json.length > maxBytesRead) break;
      size += held.json.length;
      out.push({
        seq,
        json: held.json,
        attempts: 0,
        appendedAt: held.appendedAt,
        offset: 0,
        end: 0,
        ...(held.erased && { erased: true }),
      });
    }
    return out;
  }

  const log: EventLog = {
    kind: 'memory',
    durable: false,
    async append(jsons): Promise<AppendResult> {
      if (closed) {
        refused.closed++;
        return { ok: false, reason: 'closed', message: 'the log is closed', retryAfterMs: 1000 };
      }
      let size = 0;
      for (const json of jsons) size += json.length;
      if (bytes + size > maxBytes) {
        refused.full++;
        return {
          ok: false,
          reason: 'full',
          message: `memoryLog holds ${bytes} of ${maxBytes} bytes (maxBytes); destinations are behind`,
          retryAfterMs: 5000,
        };
      }
      const appendedAt = clock.now();
      for (const json of jsons) records.push({ json, appendedAt });
      bytes += size;
      appended += jsons.length;
      for (const reader of readers.values()) reader.wake();
      return { ok: true };
    },
    async reader(name) {
      const existing = readers.get(name);
      if (existing) return existing;
      const start = { seq: committed.get(name) ?? base, offset: 0 };
      committed.set(name, start.seq);
      const reader = createReaderState({
        name,
        start,
        clock,
        ...(options.maxOutstanding !== undefined && { maxOutstanding: options.maxOutstanding }),
        source: { read, endSeq },
        onCommit(at) {
          committed.set(name, at.seq);
          trim();
        },
        onClose: () => {
          readers.delete(name);
        },
      });
      readers.set(name, reader);
      return reader;
    },
    async deadLetters(destination) {
      let dead = deadLetterLogs.get(destination);
      if (!dead) {
        dead = memoryLog({ ...options, clock });
        deadLetterLogs.set(destination, dead);
      }
      return dead;
    },
    async list({ afterSeq = -1, max }) {
      const from = committed.size > 0 ? Math.min(...committed.values()) : base;
      const out: LocalMessage[] = [];
      for (let seq = Math.max(from, base, afterSeq + 1); seq < endSeq() && out.length < max; ) {
        const page = read({ seq, offset: 0 }, max - out.length, Number.POSITIVE_INFINITY);
        if (page.length === 0) break;
        for (const m of page) if (!m.erased) out.push(m);
        seq = page[page.length - 1]!.seq + 1;
      }
      return out;
    },
    async erase(subject) {
      const erasedSeqs = new Set<number>();
      const messageIds: string[] = [];
      for (let i = head; i < records.length; i++) {
        const held = records[i]!;
        if (held.erased || !subject.matchesJson(held.json)) continue;
        const id = eventMessageIdOf(held.json);
        if (id !== undefined) messageIds.push(id);
        bytes -= held.json.length;
        records[i] = { json: '', appendedAt: held.appendedAt, erased: true };
        erasedSeqs.add(base + i - head);
      }
      if (erasedSeqs.size > 0) for (const reader of readers.values()) reader.forget((m) => erasedSeqs.has(m.seq));
      return { erased: erasedSeqs.size, messageIds };
    },
    async expire(beforeMs) {
      let removed = 0;
      const from = base;
      while (head < records.length && records[head]!.appendedAt < beforeMs) {
        const held = records[head]!;
        if (!held.erased) removed++;
        bytes -= held.json.length;
        records[head] = undefined as unknown as Held;
        head++;
        base++;
      }
      if (base !== from) {
        for (const [name, seq] of committed) if (seq < base) committed.set(name, base);
        for (const reader of readers.values()) reader.skipTo({ seq: base, offset: 0 });
      }
      return { removed };
    },
    hasRoom: (size) => !closed && bytes + size <= maxBytes,
    stats: (): LogStats => ({ kind: 'memory', appended, bytes, maxBytes, refused: { ...refused } }),
    async close() {
      closed = true;
      await Promise.all([...readers.values()].map((r) => r.close()));
      await Promise.all([...deadLetterLogs.values()].map((d) => d.close()));
    },
  };
  return log;
}
