/**
 * `destinations.jsonl`: an append-only local file, one event per line — the embedded default that
 * needs no other system, and a handy audit trail.
 *
 * What it guarantees: `send` resolves only once every byte of the batch is written and (by
 * default) `fdatasync`ed, so "delivered" means "on disk". A failed, short or aborted write —
 * `ENOSPC` on a full disk, `EIO`, a timeout — is cut back: the file is truncated to its size
 * before the write and `send` throws, so the batch stays in the forwarder's log and its retry
 * writes every line once. The file never holds a torn line, not even after a crash in the middle
 * of a write: a tail without its newline is cut off when the file is opened.
 *
 * Erasure: `erase(request)` rewrites the file (and its rotated siblings) without the customer's
 * lines, crash-safe and in bounded memory — see `jsonl-erase.ts`, which also exports
 * `jsonlErasure(path)`, the same as an `ErasureTarget` matching the whole subject (case ids,
 * identity-graph keys). Appends and rewrites of one path share one queue in this process, so a
 * batch is never lost or torn by a rewrite, and lines of a customer erased in the last hour that
 * were still on their way are left out.
 */
import { type FileHandle, mkdir, open, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { TouchpointConfigError } from '@touchpoint/core';
import { syncDirectory } from '../durable-file.js';
import { createErasureSubject, type ErasureRequest } from '../privacy/subject.js';
import type { Destination } from '../types.js';
import { eraseFromJsonl, gateFor } from './jsonl-erase.js';
import { type CommonDestinationOptions, withCommon } from './options.js';

export interface JsonlDestinationOptions extends CommonDestinationOptions {
  path: string;
  /**
   * `fdatasync` after every batch before counting it delivered (default `true`). With `false`,
   * batches are faster but sit in the OS page cache: a crash of the machine may lose the last
   * batches, which the forwarder already counted as delivered.
   */
  fsync?: boolean;
}

/** Why a write failed, in words a person on call recognises. */
const WRITE_FAILURES: Record<string, string> = {
  ENOSPC: 'disk full',
  EDQUOT: 'disk quota exceeded',
  EIO: 'I/O error',
  EFBIG: 'file too large',
  EROFS: 'read-only file system',
};

/**
 * Appends each batch to a JSON Lines file, durably.
 *
 * @example
 * destinations.jsonl({ path: './data/touchpoints.jsonl' });
 */
export function jsonl(options: JsonlDestinationOptions): Destination {
  if (typeof options?.path !== 'string' || options.path === '')
    throw new TouchpointConfigError('jsonl.path', 'must be a file path');
  if (options.fsync !== undefined && typeof options.fsync !== 'boolean')
    throw new TouchpointConfigError('jsonl.fsync', 'must be true or false');
  const path = options.path;
  const fsync = options.fsync ?? true;
  let handle: Promise<FileHandle> | undefined;
  // One writer at a time keeps every line whole, whatever concurrency the queue uses; erasures
  // of this path queue on the same gate (see jsonl-erase.ts).
  const gate = gateFor(path);
  let writing: Promise<unknown> = Promise.resolve();
  // Set when cutting a failed write back failed too: the size the file must go back to first.
  let cutTo: number | undefined;

  // Before a rewrite: finish the cut-back a failed write owes, and let go of the handle (after
  // the rename it would point at the old file); the next batch opens the new one.
  const releaseHandle = async () => {
    const stale = handle;
    handle = undefined;
    const fh = await stale?.catch(() => undefined);
    try {
      if (fh && cutTo !== undefined && (await fh.stat()).size > cutTo) {
        await fh.truncate(cutTo);
        if (fsync) await fh.datasync();
      }
      cutTo = undefined;
    } finally {
      await fh?.close().catch(() => {});
    }
  };
  gate.beforeRewrite.add(releaseHandle);

  // A failed open is forgotten with the handle (below), so the next batch opens again.
  const file = () => {
    handle ??= openForAppend(path, fsync);
    return handle;
  };

  async function write(text: string, count: number, signal?: AbortSignal): Promise<void> {
    const data = Buffer.from(text);
    let fh: FileHandle | undefined;
    let before = -1;
    try {
      fh = await file();
      before = (await fh.stat()).size;
      if (cutTo !== undefined) {
        if (before > cutTo) await fh.truncate(cutTo);
        before = Math.min(before, cutTo);
        cutTo = undefined;
      }
      let done = 0;
      // `write` may write fewer bytes than asked (a disk filling up): go on until all are written,
      // so the next call reports the error itself.
      while (done < data.length) {
        const { bytesWritten } = await fh.write(data, done, data.length - done);
        if (bytesWritten <= 0) throw new Error('the file system accepted no bytes');
        done += bytesWritten;
      }
      if (fsync) await fh.datasync();
      // The queue gave up on this attempt (timeout, close deadline) and will retry it: undo it.
      if (signal?.aborted) throw signal.reason;
    } catch (error) {
      const cut = fh && before >= 0 ? await cutBack(fh, before) : undefined;
      if (cut !== undefined) cutTo = Math.min(cutTo ?? before, before);
      const stale = handle;
      handle = undefined;
      await stale?.then((h) => h.close()).catch(() => {});
      throw writeError(path, count, signal?.aborted ? signal.reason : error, cut, signal?.aborted);
    }
  }

  function append(jsons: readonly string[], signal?: AbortSignal): Promise<void> {
    const lines = withoutErased(jsons);
    const text = lines.length === 0 ? '' : `${lines.join('\n')}\n`;
    const result = gate.run(() => write(text, jsons.length, signal));
    writing = result.catch(() => {});
    return result;
  }

  /** Lines of customers erased in the last hour, still on their way from a retry: left out (or redacted). */
  function withoutErased(jsons: readonly string[]): readonly string[] {
    const now = Date.now();
    const guards = gate.recent.filter((g) => g.until > now);
    if (guards.length === 0) return jsons;
    const kept: string[] = [];
    for (const json of jsons) {
      let line: Buffer = Buffer.from(json);
      let drop = false;
      for (const g of guards) {
        const verdict = g.test(line);
        if (verdict === 'drop') drop = true;
        else if (verdict === 'redact') line = g.test.redact(line);
        if (drop) break;
      }
      if (!drop) kept.push(line.toString('utf8'));
    }
    return kept;
  }

  return withCommon('jsonl', options, {
    concurrency: 1,
    send(events, signal) {
      return append(
        events.map((event) => JSON.stringify(event)),
        signal,
      );
    },
    // The log's JSON as it is: nothing parsed or serialised again.
    sendSerialized(jsons, signal) {
      return append(jsons, signal);
    },
    async erase(request) {
      const { detail } = await eraseFromJsonl(path, subjectOf(request), false);
      return { ok: true, ...(detail !== undefined && { message: detail }) };
    },
    async close() {
      // Inside the gate: every batch before it is written, and no rewrite runs while the handle closes.
      await gate.run(async () => {
        await writing;
        gate.beforeRewrite.delete(releaseHandle);
        const fh = handle;
        handle = undefined;
        await fh?.then((h) => h.close()).catch(() => {});
      });
    },
  });
}

/** The subject of a destination-facing request: its ids, emails, phones and their digests. */
function subjectOf(request: ErasureRequest) {
  const derived = createErasureSubject({
    erasureId: request.erasureId,
    emails: request.emails,
    phones: request.phones,
  });
  // Digests the request carries without their raw value (a requester who knew only the hash).
  const extra = [
    ...request.hashedEmails.filter((h) => !derived.needles.has(h)).map((h) => `email:${h}`),
    ...request.hashedPhones.filter((h) => !derived.needles.has(h)).map((h) => `phone:${h}`),
  ];
  return createErasureSubject({
    erasureId: request.erasureId,
    anonymousIds: request.anonymousIds,
    userIds: request.userIds,
    accounts: request.accounts,
    emails: request.emails,
    phones: request.phones,
    keys: extra,
  });
}

/**
 * Opens `path` for appending, creating it (and its directory) when missing. A new file's directory
 * entry is synced too, or a crash could forget the file. A tail without its newline (a crash in
 * the middle of a write) is cut off, so the next line starts on a line of its own.
 */
async function openForAppend(path: string, fsync: boolean): Promise<FileHandle> {
  await mkdir(dirname(path), { recursive: true });
  const existed = await stat(path).then(
    () => true,
    () => false,
  );
  // A rewrite that crashed before its rename leaves this; the file itself is whole.
  await unlink(`${path}.erasing`).catch(() => {});
  const fh = await open(path, 'a+');
  try {
    if (!existed && fsync) await syncDirectory(dirname(path));
    if (existed) await cutTornTail(fh);
    return fh;
  } catch (error) {
    await fh.close().catch(() => {});
    throw error;
  }
}

/** Truncates the file after its last newline when it does not end with one. */
async function cutTornTail(fh: FileHandle): Promise<void> {
  const { size } = await fh.stat();
  if (size === 0) return;
  const chunk = Buffer.alloc(64 * 1024);
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    const { bytesRead } = await fh.read(chunk, 0, end - start, start);
    const newline = chunk.subarray(0, bytesRead).lastIndexOf(10);
    if (newline >= 0) {
      const keep = start + newline + 1;
      if (keep < size) await fh.truncate(keep);
      return;
    }
    end = start;
  }
  await fh.truncate(0);
}

/** Truncates back to `size`; returns the error when even that failed (the caller cuts before its next write). */
async function cutBack(fh: FileHandle, size: number): Promise<unknown> {
  try {
    await fh.truncate(size);
    return undefined;
  } catch (error) {
    return error ?? new Error('truncate failed');
  }
}

function writeError(path: string, count: number, error: unknown, cutFailed: unknown, aborted?: boolean): Error {
  const code = (error as { code?: unknown })?.code;
  const what = aborted
    ? 'attempt aborted'
    : typeof code === 'string'
      ? `${WRITE_FAILURES[code] ?? 'write failed'} (${code})`
      : 'write failed';
  const state =
    cutFailed === undefined
      ? 'the file is back to its size before the write'
      : `cutting the partial write back failed too (${String(cutFailed)}); it is cut before the next write`;
  return Object.assign(new Error(`jsonl ${path}: ${what}; ${count} events not written, ${state}`, { cause: error }), {
    ...(typeof code === 'string' && { code }),
  });
}
