/**
 * The dead-letter file: events a destination could not take (deadline, attempts exhausted, full
 * queue, a refusal) are appended as JSON lines, one event per line with the destination it was
 * meant for, so nothing is silently lost and `forwarder.replay(path)` can send them again.
 * Appends are serialised through one promise chain; every write opens, appends and closes, so the
 * file can be moved away (as `replay` does) at any time without losing a line.
 */

import { createReadStream } from 'node:fs';
import { appendFile, rename, unlink } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { TouchpointEvent } from '@touchpoint/core';
import type { DropReason } from './types.js';

/** One line of the dead-letter file. */
export interface DeadLetterRecord {
  destination: string;
  reason: DropReason;
  message: string;
  /** When it was written, ISO 8601. */
  at: string;
  event: TouchpointEvent;
}

export interface DeadLetterWriter {
  append(destination: string, reason: DropReason, message: string, events: TouchpointEvent[], atMs: number): void;
  /** Resolves when every append so far is on disk (or has failed and been reported). */
  flush(): Promise<void>;
}

export function createDeadLetterWriter(path: string, onError: (error: unknown) => void): DeadLetterWriter {
  let chain: Promise<void> = Promise.resolve();
  return {
    append(destination, reason, message, events, atMs) {
      const at = new Date(atMs).toISOString();
      let text = '';
      for (const event of events)
        text += `${JSON.stringify({ destination, reason, message, at, event } satisfies DeadLetterRecord)}\n`;
      chain = chain.then(() => appendFile(path, text, 'utf8')).catch(onError);
    },
    flush: () => chain,
  };
}

/**
 * Moves the dead-letter file aside (new failures go to a fresh file) and yields its records; the
 * moved file is deleted once every line was read. Unreadable lines are passed as `undefined`
 * with the line number so the caller can report them.
 */
export async function* readDeadLetter(path: string): AsyncGenerator<{ record?: DeadLetterRecord; line: number }> {
  const moved = `${path}.replay-${process.pid}-${Date.now()}`;
  try {
    await rename(path, moved);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const lines = createInterface({ input: createReadStream(moved, 'utf8'), crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === '') continue;
    try {
      const parsed = JSON.parse(text) as DeadLetterRecord;
      yield typeof parsed === 'object' && parsed !== null && typeof parsed.destination === 'string'
        ? { record: parsed, line }
        : { line };
    } catch {
      yield { line };
    }
  }
  await unlink(moved);
}
