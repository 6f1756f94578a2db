/**
 * `fileLog({ dir })`: the embedded durable log for one machine. Events are appended to segment
 * files as checksummed frames (frame.ts); appends that arrive while a write is in progress share
 * the next write and its one `fdatasync` (group commit), and `append` resolves only after that
 * sync — so whatever the ingest acknowledged survives `kill -9` and power loss. Each destination's
 * position is a small cursor file, rewritten atomically a few times a second (a crash redelivers
 * at most what was acked since, never skips); a segment is deleted once every open reader is past
 * it. A torn frame at the tail (a crash mid-write) is found by its checksum and cut off on open.
 * A full disk, or the `maxBytes` budget, makes `append` answer `full`: the caller keeps the events.
 *
 * Erasure rewrites each of the subject's frames IN PLACE as a tombstone of the same length (the
 * payload zeroed, a new checksum; frame.ts), then fdatasyncs. Chosen over the two alternatives:
 *  - compaction (copy every segment without the subject's records, swap files) needs free disk for
 *    a copy of the log, moves every offset so each reader's cursor must be translated, and races
 *    the appender on the active segment; an overwrite keeps offsets, cursors and segments valid.
 *  - per-customer encryption keys (crypto-shredding) erase by deleting a key, but every append
 *    would encrypt per event and every read decrypt, an event must be keyed to a customer before
 *    the identity graph knows who they are, and the key store becomes one more thing to make
 *    durable and erase from.
 * The erase streams over the segments in 1 MiB reads (memory stays small), parses only records
 * `subject.matchesJson` may match, and writes tombstones in groups: each group's positions go to
 * an erase journal (offsets only, nothing personal) that is synced before the overwrite and
 * removed after the fdatasync, so a crash mid-overwrite is finished on the next open — every frame
 * on disk is then whole and valid, and running the erase again completes it. Readers step over
 * tombstones (they count as acked); the tail cache and every reader's handed-out or retried
 * messages forget the erased ones. `expire` deletes whole segments whose newest record is older
 * than the cut (never the one being written), and moves readers behind it forward.
 *
 * Layout: dir/segments/<base offset>.seg, dir/cursors/<reader>.json, dir/erase-journal.json,
 * dir/dead-letters/<destination>/…
 */
import { type FileHandle, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type Clock, systemClock, TouchpointConfigError } from '@touchpoint/core';
import type { ErasureSubject, ErasureTargetResult } from '../privacy/subject.js';
import { type DecodedFrame, decodeFrame, encodeFrames, encodeTombstone, FRAME_HEADER_BYTES } from './frame.js';
import { eventMessageIdOf } from './message-id.js';
import { type Cursor, createReaderState, type LocalMessage, type LocalReader } from './reader-state.js';
import type { AppendResult, EventLog, ExpireResult, LogStats } from './types.js';

export interface FileLogOptions {
  /** Directory the log owns (created if missing). One forwarder process per directory. */
  dir: string;
  /** Disk budget for the segments; past it `append` answers `full` (default 1 GiB). */
  maxBytes?: number;
  /** Size at which a new segment file is started (default 64 MiB, at most an eighth of `maxBytes`). */
  segmentBytes?: number;
  /** Most messages one reader holds handed out but not acked (default 10 000). */
  maxOutstanding?: number;
  /** How often a moved reader position is written to its cursor file, in ms (default 100). */
  cursorSyncMs?: number;
  /** Problems outside any call: a cursor or segment that could not be written or deleted. */
  onError?: (error: { source: string; message: string; error?: unknown }) => void;
  clock?: Clock;
}

interface Segment {
  base: number;
  size: number;
  path: string;
  reader?: Promise<FileHandle>;
  /** When its newest record was appended, if this process wrote it (else the next segment's first tells). */
  newestAt?: number;
}

/** Frames one erase group overwrites: their segment's base and their offsets in it. */
interface EraseJournal {
  frames: [segmentBase: number, at: number][];
}

interface PendingAppend {
  jsons: readonly string[];
  resolve: (result: AppendResult) => void;
}

const SEGMENT_NAME = /^(\d{16})\.seg$/;
const TAIL_BYTES = 16 * 1024 * 1024;
/**
 * What the tail cache keeps when no open reader is inside it (every one is behind, reading from
 * disk, or there is none): enough for a reader to meet it when it catches up, no more. Keeping
 * 16 MiB of strings that no reader will take from memory only made the heap — and with V8's
 * growth factor, peak RSS — several times larger while a destination was down. About one append
 * of the forwarder's (its `maxQueueBytes`): every string kept longer is one more the collector
 * moves to the old generation.
 */
const TAIL_IDLE_BYTES = 256 * 1024;
/** Largest write buffer kept for reuse (a bigger group commit gets a buffer of its own). */
const WRITE_SCRATCH_MAX = 16 * 1024 * 1024;
/** Stands for an erased event in the tail cache. */
const ERASED = '\u0000';
/** Tombstones written per journal + fdatasync. */
const ERASE_GROUP = 4096;
const ERASE_READ_BYTES = 1024 * 1024;

function segmentPath(dir: string, base: number): string {
  return join(dir, 'segments', `${String(base).padStart(16, '0')}.seg`);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function syncDir(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes `text` to `path` so that a crash leaves either the old or the new file, never a torn one. */
async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp`;
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, path);
}

function checkOptions(options: FileLogOptions): void {
  if (typeof options?.dir !== 'string' || options.dir === '')
    throw new TouchpointConfigError('fileLog.dir', 'must be a directory path, e.g. "./data/touchpoint-log"');
  for (const field of ['maxBytes', 'segmentBytes', 'maxOutstanding', 'cursorSyncMs'] as const) {
    const value = options[field];
    if (value !== undefined && (!Number.isInteger(value) || value < (field === 'cursorSyncMs' ? 0 : 1)))
      throw new TouchpointConfigError(`fileLog.${field}`, `must be a positive integer, got ${JSON.stringify(value)}`);
  }
}

/**
 * @example
 * const log = fileLog({ dir: './data/touchpoint-log', maxBytes: 2 * 1024 ** 3 });
 * const forwarder = createForwarder({ log, destinations: [destinations.http({ url })] });
 */
export function fileLog(options: FileLogOptions): EventLog {
  checkOptions(options);
  const dir = options.dir;
  const maxBytes = options.maxBytes ?? 1024 ** 3;
  // The segment being written is never deleted, so it may pin at most an eighth of the budget.
  const segmentBytes = Math.min(options.segmentBytes ?? 64 * 1024 * 1024, Math.max(4096, Math.floor(maxBytes / 8)));
  const cursorSyncMs = options.cursorSyncMs ?? 100;
  const clock = options.clock ?? systemClock;
  const onError = options.onError ?? ((e) => console.warn(`[touchpoint] fileLog ${e.source}: ${e.message}`));

  const segments: Segment[] = [];
  let writer: FileHandle | undefined;
  /** Durable end: the global offset and sequence number the next frame gets. */
  let endOffset = 0;
  let endSeq = 0;
  let firstSeq = 0;
  let bytes = 0;
  let appended = 0;
  const refused = { full: 0, unavailable: 0, closed: 0 };
  let pending: PendingAppend[] = [];
  let pendingBytes = 0;
  let scratch = Buffer.alloc(0);
  let writing: Promise<void> | undefined;
  let closed = false;
  // Readers stay here after close(): their positions are still saved and still pin segments.
  const readers = new Map<string, LocalReader>();
  const closedReaders = new Set<string>();
  const persisted = new Map<string, Cursor>();
  const cursorTimers = new Map<string, unknown>();
  const cursorWrites = new Map<string, Promise<void>>();
  const deadLetterLogs = new Map<string, EventLog>();
  // The last events appended, as the strings they were appended as, with where each ends on disk:
  // a reader that keeps up takes them from here (no read, no decode, no copy). Bounded by TAIL_BYTES.
  let tailJsons: string[] = [];
  let tailEnds: number[] = [];
  let tailAt: number[] = [];
  let tailHead = 0;
  let tailFirstSeq = 0;
  let tailStart = 0;
  let tailBytes = 0;

  async function recover(): Promise<void> {
    await mkdir(join(dir, 'segments'), { recursive: true });
    await mkdir(join(dir, 'cursors'), { recursive: true });
    await finishJournal();
    const names = (await readdir(join(dir, 'segments'))).filter((n) => SEGMENT_NAME.test(n)).sort();
    for (const name of names) {
      const base = Number(SEGMENT_NAME.exec(name)![1]);
      const path = join(dir, 'segments', name);
      segments.push({ base, path, size: (await stat(path)).size });
    }
    // Only the last segment can hold a torn write: every earlier one was synced before the next began.
    while (segments.length > 0) {
      const last = segments[segments.length - 1]!;
      const scan = await scanSegment(last);
      if (scan.valid < last.size) {
        const handle = await open(last.path, 'r+');
        try {
          await handle.truncate(scan.valid);
          await handle.sync();
        } finally {
          await handle.close();
        }
        onError({
          source: 'recover',
          message: `cut ${last.size - scan.valid} bytes of a torn write off the end of ${last.path}`,
        });
        last.size = scan.valid;
      }
      if (scan.lastSeq !== undefined || segments.length === 1) {
        endSeq = scan.lastSeq === undefined ? 0 : scan.lastSeq + 1;
        break;
      }
      // An empty last segment after a cut: drop it, the previous one ends the log.
      await rm(last.path, { force: true });
      segments.pop();
    }
    if (segments.length === 0) segments.push({ base: 0, size: 0, path: segmentPath(dir, 0) });
    if (segments.length === 1 && segments[0]!.size === 0) endSeq = Math.max(endSeq, await highestSavedSeq());
    const last = segments[segments.length - 1]!;
    endOffset = last.base + last.size;
    bytes = segments.reduce((n, s) => n + s.size, 0);
    firstSeq = (await firstSeqOf(segments[0]!)) ?? endSeq;
    writer = await open(last.path, 'a+');
    await syncDir(join(dir, 'segments'));
  }

  const journalPath = join(dir, 'erase-journal.json');

  /**
   * An erase group that a crash interrupted: its journal names every frame it was overwriting.
   * Each frame's length, sequence and time were rewritten with the same values, so even a torn
   * overwrite still says how long the frame is; writing the tombstone again makes it whole.
   */
  async function finishJournal(): Promise<void> {
    let journal: EraseJournal;
    try {
      journal = JSON.parse(await readFile(journalPath, 'utf8')) as EraseJournal;
    } catch (error) {
      if ((error as NodeJS.ErrnoException)?.code === 'ENOENT') return;
      // A torn journal was never synced, so no overwrite of its group had begun.
      await rm(journalPath, { force: true });
      return;
    }
    const bySegment = new Map<number, number[]>();
    for (const [base, at] of journal.frames ?? []) {
      const list = bySegment.get(base) ?? [];
      list.push(at);
      bySegment.set(base, list);
    }
    for (const [base, offsets] of bySegment) {
      let handle: FileHandle;
      try {
        handle = await open(segmentPath(dir, base), 'r+');
      } catch {
        continue; // Deleted since (expired or done): nothing left to erase.
      }
      try {
        const header = Buffer.alloc(FRAME_HEADER_BYTES);
        for (const at of offsets) {
          const { bytesRead } = await handle.read(header, 0, FRAME_HEADER_BYTES, at);
          if (bytesRead < FRAME_HEADER_BYTES) continue;
          const tombstone = encodeTombstone(header.readDoubleLE(8), header.readDoubleLE(16), header.readUInt32LE(0));
          await handle.write(tombstone, 0, tombstone.length, at);
        }
        await handle.datasync();
      } finally {
        await handle.close();
      }
    }
    onError({
      source: 'erase',
      message: `finished an erase a crash had interrupted (${journal.frames?.length ?? 0} record(s)); run the erasure again to complete it`,
    });
    await rm(journalPath, { force: true });
  }

  async function scanSegment(segment: Segment): Promise<{ valid: number; lastSeq?: number }> {
    const data = await readFile(segment.path);
    let at = 0;
    let lastSeq: number | undefined;
    for (;;) {
      const frame = decodeFrame(data, at, true);
      if (typeof frame === 'string') break;
      if (lastSeq !== undefined && frame.seq !== lastSeq + 1) break;
      lastSeq = frame.seq;
      segment.newestAt = frame.appendedAt;
      at += frame.size;
    }
    return { valid: at, ...(lastSeq !== undefined && { lastSeq }) };
  }

  /** An empty log keeps numbering after the readers' saved positions, so sequence numbers never go back. */
  async function highestSavedSeq(): Promise<number> {
    let highest = 0;
    for (const name of await readdir(join(dir, 'cursors'))) {
      if (!name.endsWith('.json')) continue;
      try {
        const saved = JSON.parse(await readFile(join(dir, 'cursors', name), 'utf8')) as Cursor;
        if (Number.isFinite(saved?.seq)) highest = Math.max(highest, saved.seq);
      } catch {
        // An unreadable cursor is reported when its reader opens.
      }
    }
    return highest;
  }

  async function firstSeqOf(segment: Segment): Promise<number | undefined> {
    return (await firstHeaderOf(segment))?.seq;
  }

  /** Sequence number and append time of a segment's first record. */
  async function firstHeaderOf(segment: Segment): Promise<{ seq: number; appendedAt: number } | undefined> {
    if (segment.size < FRAME_HEADER_BYTES) return undefined;
    const handle = await open(segment.path, 'r');
    try {
      const header = Buffer.alloc(FRAME_HEADER_BYTES);
      await handle.read(header, 0, FRAME_HEADER_BYTES, 0);
      return { seq: header.readDoubleLE(8), appendedAt: header.readDoubleLE(16) };
    } finally {
      await handle.close();
    }
  }

  const ready = recover();
  // An unhandled rejection here would crash the host; every method awaits `ready` and reports it.
  ready.catch(() => {});

  async function roll(): Promise<void> {
    await writer?.close();
    const segment: Segment = { base: endOffset, size: 0, path: segmentPath(dir, endOffset) };
    writer = await open(segment.path, 'a+');
    segments.push(segment);
    await syncDir(join(dir, 'segments'));
  }

  function startWriting(): void {
    writing ??= writePending().finally(() => {
      writing = undefined;
    });
  }

  /** Writes everything pending as one write and one sync, then resolves those appends. */
  async function writePending(): Promise<void> {
    while (pending.length > 0) {
      const batch = pending;
      pending = [];
      pendingBytes = 0;
      let count = 0;
      for (const p of batch) count += p.jsons.length;
      const jsons: string[] = new Array(count);
      let i = 0;
      for (const p of batch) for (const json of p.jsons) jsons[i++] = json;
      const appendedAt = clock.now();
      const ends: number[] = new Array(count);
      // One buffer reused for every write (grown when a write needs more, up to WRITE_SCRATCH_MAX):
      // the write is done with it before the next one encodes.
      let need = 0;
      for (const json of jsons) need += FRAME_HEADER_BYTES + json.length * 3;
      if (need > scratch.length && need <= WRITE_SCRATCH_MAX) scratch = Buffer.allocUnsafe(need);
      const buffer = encodeFrames(jsons, endSeq, appendedAt, ends, scratch);
      let result: AppendResult;
      const active = segments[segments.length - 1]!;
      try {
        if (active.size > 0 && active.size + buffer.length > segmentBytes) await roll();
        const segment = segments[segments.length - 1]!;
        let written = 0;
        while (written < buffer.length) {
          const { bytesWritten } = await writer!.write(buffer, written, buffer.length - written, null);
          written += bytesWritten;
        }
        await writer!.datasync();
        remember(jsons, ends, endOffset, appendedAt);
        segment.size += buffer.length;
        segment.newestAt = appendedAt;
        endOffset += buffer.length;
        endSeq += count;
        bytes += buffer.length;
        appended += count;
        result = { ok: true };
      } catch (error) {
        result = await failWrite(error);
      }
      for (const p of batch) p.resolve(result);
      if (result.ok) for (const reader of readers.values()) reader.wake();
    }
  }

  function remember(jsons: string[], ends: number[], startOffset: number, appendedAt: number): void {
    // Only what an open reader has not read yet is worth holding: the oldest such position among
    // the readers inside the cache (retried messages come from the reader's own memory).
    let keepFrom = Number.POSITIVE_INFINITY;
    for (const [name, reader] of readers) {
      if (closedReaders.has(name)) continue;
      const at = reader.readPosition().seq;
      if (at >= tailFirstSeq && at < keepFrom) keepFrom = at;
    }
    const idle = keepFrom === Number.POSITIVE_INFINITY;
    const limit = idle ? TAIL_IDLE_BYTES : TAIL_BYTES;
    // No reader in the cache (all behind it, reading from disk, or none open): only the newest
    // `limit` bytes are kept for whoever catches up, so a larger append replaces the cache with its
    // own end instead of going through it entry by entry.
    let from = 0;
    if (idle) {
      let size = 0;
      from = jsons.length;
      while (from > 0 && size + jsons[from - 1]!.length <= limit) size += jsons[--from]!.length;
      if (from > 0) tailHead = tailJsons.length;
    }
    if (tailHead === tailJsons.length) {
      // Empty: start afresh at this append (at its first entry kept).
      tailJsons = [];
      tailEnds = [];
      tailAt = [];
      tailHead = 0;
      tailBytes = 0;
      tailFirstSeq = endSeq + from;
      tailStart = from === 0 ? startOffset : startOffset + ends[from - 1]!;
    }
    for (let i = from; i < jsons.length; i++) {
      tailJsons.push(jsons[i]!);
      tailEnds.push(startOffset + ends[i]!);
      tailAt.push(appendedAt);
      tailBytes += jsons[i]!.length;
    }
    while (tailHead < tailJsons.length && (tailBytes > limit || (!idle && tailFirstSeq < keepFrom))) {
      tailBytes -= tailJsons[tailHead]!.length;
      tailStart = tailEnds[tailHead]!;
      tailJsons[tailHead] = '';
      tailHead++;
      tailFirstSeq++;
    }
    if (tailHead > 65_536 && tailHead * 2 > tailJsons.length) {
      tailJsons = tailJsons.slice(tailHead);
      tailEnds = tailEnds.slice(tailHead);
      tailAt = tailAt.slice(tailHead);
      tailHead = 0;
    }
  }

  /** Messages from the tail cache when `from` is in it (and agrees with it), else undefined. */
  function readTail(from: Cursor, maxEvents: number, maxBytesRead: number): LocalMessage[] | undefined {
    const index = tailHead + (from.seq - tailFirstSeq);
    if (from.seq < tailFirstSeq || index >= tailJsons.length) return undefined;
    let offset = index === tailHead ? tailStart : tailEnds[index - 1]!;
    if (offset !== from.offset) return undefined;
    const out: LocalMessage[] = [];
    let size = 0;
    for (let i = index; i < tailJsons.length && out.length < maxEvents; i++) {
      const json = tailJsons[i]!;
      if (out.length > 0 && size + json.length > maxBytesRead) break;
      size += json.length;
      const end = tailEnds[i]!;
      const seq = from.seq + (i - index);
      out.push(
        json === ERASED
          ? { seq, json: '', attempts: 0, appendedAt: tailAt[i]!, offset, end, erased: true }
          : { seq, json, attempts: 0, appendedAt: tailAt[i]!, offset, end },
      );
      offset = end;
    }
    return out;
  }

  /** A failed write leaves no partial frame behind: the segment is cut back to its durable end. */
  async function failWrite(error: unknown): Promise<AppendResult> {
    const code = (error as NodeJS.ErrnoException)?.code;
    const segment = segments[segments.length - 1]!;
    try {
      await writer?.truncate(segment.size);
    } catch (truncateError) {
      onError({ source: 'append', message: `could not cut a failed write back: ${describe(truncateError)}` });
    }
    if (code === 'ENOSPC' || code === 'EDQUOT') {
      refused.full++;
      return {
        ok: false,
        reason: 'full',
        message: `disk full under ${dir}: ${describe(error)}`,
        retryAfterMs: 10_000,
        error,
      };
    }
    refused.unavailable++;
    return {
      ok: false,
      reason: 'unavailable',
      message: `writing ${dir} failed: ${describe(error)}`,
      retryAfterMs: 5000,
      error,
    };
  }

  function readHandle(segment: Segment): Promise<FileHandle> {
    segment.reader ??= open(segment.path, 'r');
    return segment.reader;
  }

  // Reads from disk and tombstone overwrites exclude each other, so no read sees a frame half
  // overwritten (its old first bytes with zeros after them).
  let diskReads = 0;
  let readsDone: (() => void) | undefined;
  let overwriting: Promise<void> | undefined;

  async function read(from: Cursor, maxEvents: number, maxBytesRead: number): Promise<LocalMessage[]> {
    const cached = readTail(from, maxEvents, maxBytesRead);
    if (cached) return cached;
    while (overwriting) await overwriting;
    diskReads++;
    try {
      return await readDisk(from, maxEvents, maxBytesRead);
    } finally {
      if (--diskReads === 0) readsDone?.();
    }
  }

  /** Runs `task` while no disk read is in progress and none starts. */
  async function withoutReads<T>(task: () => Promise<T>): Promise<T> {
    while (overwriting) await overwriting;
    let release!: () => void;
    overwriting = new Promise((resolve) => {
      release = resolve;
    });
    try {
      while (diskReads > 0)
        await new Promise<void>((resolve) => {
          readsDone = resolve;
        });
      readsDone = undefined;
      return await task();
    } finally {
      overwriting = undefined;
      release();
    }
  }

  // Erase and expire run one at a time.
  let maintenance: Promise<unknown> = Promise.resolve();
  function serially<T>(task: () => Promise<T>): Promise<T> {
    const run = maintenance.then(task, task);
    maintenance = run.catch(() => {});
    return run;
  }

  interface Patch {
    /** Where `bytes` go in the segment file. */
    at: number;
    bytes: Buffer;
    /** Offsets (in the segment) and sequence numbers of the frames it turns into tombstones. */
    frames: number[];
    seqs: number[];
  }

  /** One group: journal, overwrite, fdatasync, forget the journal; then no reader holds them any more. */
  async function overwrite(segment: Segment, handle: FileHandle, patches: Patch[]): Promise<void> {
    const journal: EraseJournal = { frames: [] };
    for (const patch of patches) for (const at of patch.frames) journal.frames.push([segment.base, at]);
    await writeAtomic(journalPath, JSON.stringify(journal));
    await syncDir(dir);
    await withoutReads(async () => {
      for (const patch of patches) {
        let written = 0;
        while (written < patch.bytes.length) {
          const { bytesWritten } = await handle.write(
            patch.bytes,
            written,
            patch.bytes.length - written,
            patch.at + written,
          );
          written += bytesWritten;
        }
      }
    });
    await handle.datasync();
    await rm(journalPath, { force: true });
    const seqs = new Set<number>();
    for (const patch of patches) for (const seq of patch.seqs) seqs.add(seq);
    forgetErased(seqs);
  }

  /** The tail cache and every reader drop what was just erased. */
  function forgetErased(seqs: ReadonlySet<number>): void {
    for (const seq of seqs) {
      const index = tailHead + (seq - tailFirstSeq);
      if (seq < tailFirstSeq || index >= tailJsons.length || tailJsons[index] === ERASED) continue;
      tailBytes -= tailJsons[index]!.length - ERASED.length;
      tailJsons[index] = ERASED;
    }
    for (const reader of readers.values()) reader.forget((m) => seqs.has(m.seq));
  }

  async function eraseSegment(segment: Segment, subject: ErasureSubject, messageIds: string[]): Promise<number> {
    const limit = segment.size;
    let handle: FileHandle;
    try {
      handle = await open(segment.path, 'r+');
    } catch (error) {
      if ((error as NodeJS.ErrnoException)?.code === 'ENOENT') return 0;
      throw error;
    }
    let erased = 0;
    let patches: Patch[] = [];
    let patchBytes = 0;
    let patchFrames = 0;
    const flush = async () => {
      if (patches.length === 0) return;
      await overwrite(segment, handle, patches);
      erased += patchFrames;
      patches = [];
      patchBytes = 0;
      patchFrames = 0;
    };
    try {
      let carry: Buffer | undefined;
      let pos = 0;
      while (pos < limit) {
        const want = Math.min(ERASE_READ_BYTES, limit - pos);
        // The unread end of the last chunk (part of one frame) goes first, the next read after it.
        const kept = carry?.length ?? 0;
        const chunk = Buffer.allocUnsafe(kept + want);
        carry?.copy(chunk, 0);
        const { bytesRead } = await handle.read(chunk, kept, want, pos);
        if (bytesRead === 0) break;
        const data = chunk.subarray(0, kept + bytesRead);
        const dataAt = pos - kept;
        pos += bytesRead;
        let at = 0;
        let first = -1;
        let last = 0;
        const frames: number[] = [];
        const seqs: number[] = [];
        for (;;) {
          const frame = decodeFrame(data, at, false);
          if (typeof frame === 'string') break;
          // Parsed only when it may hold a needle (matchesJson is cheap when it cannot).
          if (!frame.erased && subject.matchesJson(frame.json)) {
            const id = eventMessageIdOf(frame.json);
            if (id !== undefined) messageIds.push(id);
            // Patched into the bytes just read: one write covers every tombstone of this chunk
            // (the frames between are written back unchanged, which a torn write cannot spoil).
            encodeTombstone(frame.seq, frame.appendedAt, frame.size - FRAME_HEADER_BYTES).copy(data, at);
            if (first < 0) first = at;
            last = at + frame.size;
            frames.push(dataAt + at);
            seqs.push(frame.seq);
          }
          at += frame.size;
        }
        if (first >= 0) {
          patches.push({ at: dataAt + first, bytes: data.subarray(first, last), frames, seqs });
          patchBytes += last - first;
          patchFrames += frames.length;
        }
        carry = at < data.length ? Buffer.from(data.subarray(at)) : undefined;
        if (patchBytes >= 8 * ERASE_READ_BYTES || patchFrames >= ERASE_GROUP) await flush();
      }
      await flush();
    } finally {
      await handle.close();
    }
    return erased;
  }

  async function eraseSubject(subject: ErasureSubject): Promise<ErasureTargetResult> {
    await ready;
    // Appends already resolved are on disk and counted in `segments`; one being written finishes first.
    while (writing) await writing;
    const messageIds: string[] = [];
    let erased = 0;
    for (const segment of [...segments]) {
      if (!segments.includes(segment)) continue; // deleted meanwhile
      erased += await eraseSegment(segment, subject, messageIds);
    }
    return { erased, messageIds };
  }

  async function expireBefore(beforeMs: number): Promise<ExpireResult> {
    await ready;
    let removed = 0;
    let dropped = false;
    // The segment being written holds only old records (a quiet log, dead letters): start a new
    // one, so it can go too. Appends that arrive meanwhile wait for the new segment.
    while (writing) await writing;
    const active = segments[segments.length - 1]!;
    if (active.size > 0 && active.newestAt !== undefined && active.newestAt < beforeMs) {
      writing = roll().finally(() => {
        writing = undefined;
        if (pending.length > 0) startWriting();
      });
      await writing;
    }
    while (segments.length > 1) {
      const oldest = segments[0]!;
      const next = segments[1]!;
      // Appends take the clock in order, so the next segment's first record is no older than this one's newest.
      const newest = oldest.newestAt ?? (await firstHeaderOf(next))?.appendedAt;
      if (newest === undefined || newest >= beforeMs) break;
      const nextFirst = (await firstSeqOf(next)) ?? endSeq;
      const count = nextFirst - ((await firstSeqOf(oldest).catch(() => undefined)) ?? nextFirst);
      const gone = await withoutReads(async () => {
        // deleteFinishedSegments() may have taken it meanwhile (every reader was past it).
        if (segments[0] !== oldest) return false;
        segments.shift();
        bytes -= oldest.size;
        firstSeq = nextFirst;
        const handle = oldest.reader;
        oldest.reader = undefined;
        await handle?.then((h) => h.close()).catch(() => {});
        await rm(oldest.path, { force: true });
        return true;
      });
      if (!gone) continue;
      removed += count;
      dropped = true;
    }
    if (dropped) {
      await syncDir(join(dir, 'segments'));
      // The tail cache may hold what was deleted: start it afresh with the next append.
      if (tailFirstSeq < firstSeq) {
        tailHead = tailJsons.length;
        tailBytes = 0;
      }
      const start: Cursor = { seq: firstSeq, offset: segments[0]!.base };
      for (const reader of readers.values()) reader.skipTo(start);
      await Promise.all([...readers.keys()].map((name) => persistCursor(name)));
    }
    return { removed };
  }

  async function readDisk(from: Cursor, maxEvents: number, maxBytesRead: number): Promise<LocalMessage[]> {
    let cursor = from;
    const out: LocalMessage[] = [];
    let size = 0;
    while (out.length < maxEvents && cursor.offset < endOffset) {
      const index = segmentIndex(cursor.offset);
      if (index === -1) break;
      const segment = segments[index]!;
      const local = cursor.offset - segment.base;
      if (local >= segment.size) {
        const next = segments[index + 1];
        if (!next) break;
        cursor = { seq: cursor.seq, offset: next.base };
        continue;
      }
      const want = Math.min(segment.size - local, Math.max(64 * 1024, Math.min(4 * 1024 * 1024, maxBytesRead * 1.25)));
      const buffer = takeReadBuffer(want);
      // One place gives the buffer back, whichever way this read ends (a throw included).
      try {
        const handle = await readHandle(segment);
        const { bytesRead } = await handle.read(buffer, 0, want, local);
        const data = buffer.subarray(0, bytesRead);
        let at = 0;
        for (;;) {
          if (out.length >= maxEvents) break;
          const frame = decodeFrame(data, at, false);
          if (frame === 'short') {
            if (at === 0) {
              // One frame larger than the read: read exactly it.
              const length = data.length >= 4 ? data.readUInt32LE(0) : 0;
              const whole = Buffer.allocUnsafe(FRAME_HEADER_BYTES + length);
              await handle.read(whole, 0, whole.length, local);
              const big = decodeFrame(whole, 0, false);
              if (typeof big !== 'string') {
                out.push(toMessage(big, cursor));
                size += big.json.length;
                cursor = { seq: big.seq + 1, offset: out[out.length - 1]!.end };
              }
            }
            break;
          }
          if (frame === 'corrupt') break;
          if (out.length > 0 && size + frame.json.length > maxBytesRead) return out;
          const message = toMessage(frame, { seq: frame.seq, offset: segment.base + local + at });
          out.push(message);
          size += frame.json.length;
          at += frame.size;
          cursor = { seq: message.seq + 1, offset: message.end };
        }
      } finally {
        giveReadBuffer(buffer);
      }
      if (size >= maxBytesRead) break;
    }
    return out;
  }

  // Read buffers, reused: decoding copies every payload into a string, so a buffer is free again as
  // soon as its frames are decoded. A fresh multi-megabyte buffer per read left tens of megabytes of
  // dead buffers for the collector while a backlog was delivered from disk (peak RSS).
  const spareReadBuffers: Buffer[] = [];
  /** A buffer of at least `bytes` (whole, never a slice of Node's shared pool, so it can be kept). */
  function takeReadBuffer(bytes: number): Buffer {
    const i = spareReadBuffers.findIndex((spare) => spare.length >= bytes);
    if (i !== -1) return spareReadBuffers.splice(i, 1)[0]!;
    return Buffer.allocUnsafeSlow(Math.max(bytes, 64 * 1024));
  }
  function giveReadBuffer(buffer: Buffer): void {
    // Readers of several destinations may read at once: a few are kept, the rest left to the collector.
    if (spareReadBuffers.length < 4) spareReadBuffers.push(buffer);
  }

  function toMessage(frame: DecodedFrame, at: Cursor): LocalMessage {
    return {
      seq: frame.seq,
      json: frame.json,
      attempts: 0,
      appendedAt: frame.appendedAt,
      offset: at.offset,
      end: at.offset + frame.size,
      ...(frame.erased && { erased: true }),
    };
  }

  function segmentIndex(offset: number): number {
    for (let i = segments.length - 1; i >= 0; i--) if (segments[i]!.base <= offset) return i;
    return -1;
  }

  function cursorPath(name: string): string {
    return join(dir, 'cursors', `${encodeURIComponent(name)}.json`);
  }

  function scheduleCursor(name: string): void {
    if (cursorTimers.has(name) || closed) return;
    const timer = clock.setTimeout(() => {
      cursorTimers.delete(name);
      void persistCursor(name);
    }, cursorSyncMs);
    cursorTimers.set(name, timer);
  }

  async function persistCursor(name: string): Promise<void> {
    const reader = readers.get(name);
    if (!reader) return;
    const previous = cursorWrites.get(name) ?? Promise.resolve();
    const write = previous.then(async () => {
      const cursor = reader.committed();
      const last = persisted.get(name);
      if (last && last.offset === cursor.offset) return;
      try {
        await writeAtomic(cursorPath(name), JSON.stringify(cursor));
        persisted.set(name, cursor);
        await deleteFinishedSegments();
      } catch (error) {
        onError({ source: 'cursor', message: `could not save ${name}'s position: ${describe(error)}`, error });
      }
    });
    cursorWrites.set(name, write);
    await write;
  }

  async function deleteFinishedSegments(): Promise<void> {
    if (persisted.size === 0) return;
    let upTo = Number.POSITIVE_INFINITY;
    for (const name of readers.keys()) upTo = Math.min(upTo, persisted.get(name)?.offset ?? 0);
    while (segments.length > 1 && segments[0]!.base + segments[0]!.size <= upTo) {
      const done = segments.shift()!;
      bytes -= done.size;
      const handle = done.reader;
      done.reader = undefined;
      try {
        await handle?.then((h) => h.close());
        await rm(done.path, { force: true });
      } catch (error) {
        onError({ source: 'segments', message: `could not delete ${done.path}: ${describe(error)}`, error });
      }
      firstSeq = (await firstSeqOf(segments[0]!).catch(() => undefined)) ?? endSeq;
    }
  }

  async function openReader(name: string): Promise<LocalReader> {
    await ready;
    const existing = readers.get(name);
    if (existing && !closedReaders.has(name)) return existing;
    if (existing) await persistCursor(name);
    closedReaders.delete(name);
    let start: Cursor = { seq: firstSeq, offset: segments[0]!.base };
    try {
      const saved = JSON.parse(await readFile(cursorPath(name), 'utf8')) as Cursor;
      if (Number.isFinite(saved?.offset) && Number.isFinite(saved?.seq)) {
        if (saved.offset < segments[0]!.base) {
          onError({
            source: 'cursor',
            message: `${name}'s position is older than the log's oldest segment (it was not open while they were deleted); it resumes at the oldest event kept`,
          });
        } else start = saved.offset > endOffset ? { seq: endSeq, offset: endOffset } : saved;
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException)?.code !== 'ENOENT')
        onError({
          source: 'cursor',
          message: `unreadable cursor for ${name}, starting at the oldest event kept`,
          error,
        });
    }
    // Saved at once, so this reader pins every segment it has not read yet from now on.
    await writeAtomic(cursorPath(name), JSON.stringify(start));
    await syncDir(join(dir, 'cursors'));
    persisted.set(name, start);
    const reader = createReaderState({
      name,
      start,
      clock,
      ...(options.maxOutstanding !== undefined && { maxOutstanding: options.maxOutstanding }),
      source: { read, endSeq: () => endSeq },
      onCommit: () => scheduleCursor(name),
      onClose: () => {
        closedReaders.add(name);
      },
    });
    readers.set(name, reader);
    return reader;
  }

  const log: EventLog = {
    kind: 'file',
    durable: true,
    async append(jsons) {
      try {
        await ready;
      } catch (error) {
        refused.unavailable++;
        return {
          ok: false,
          reason: 'unavailable',
          message: `could not open ${dir}: ${describe(error)}`,
          retryAfterMs: 5000,
          error,
        };
      }
      if (closed) {
        refused.closed++;
        return { ok: false, reason: 'closed', message: 'the log is closed', retryAfterMs: 1000 };
      }
      if (jsons.length === 0) return { ok: true };
      let size = 0;
      for (const json of jsons) size += FRAME_HEADER_BYTES + json.length;
      if (bytes + pendingBytes + size > maxBytes) {
        refused.full++;
        return {
          ok: false,
          reason: 'full',
          message: `fileLog under ${dir} holds ${bytes} of ${maxBytes} bytes (maxBytes); destinations are behind`,
          retryAfterMs: 5000,
        };
      }
      pendingBytes += size;
      const result = new Promise<AppendResult>((resolve) => pending.push({ jsons, resolve }));
      startWriting();
      return result;
    },
    reader: openReader,
    async deadLetters(destination) {
      let dead = deadLetterLogs.get(destination);
      if (!dead) {
        dead = fileLog({
          ...options,
          dir: join(dir, 'dead-letters', encodeURIComponent(destination)),
          maxBytes: Math.max(1024 * 1024, Math.floor(maxBytes / 4)),
        });
        deadLetterLogs.set(destination, dead);
      }
      return dead;
    },
    async list({ afterSeq = -1, max }) {
      await ready;
      let from: Cursor = { seq: firstSeq, offset: segments[0]!.base };
      // From the oldest position any reader has not acked (open or closed: closed ones still pin).
      for (const reader of readers.values()) {
        const at = reader.committed();
        if (readers.size > 0 && (from.offset === segments[0]!.base || at.offset < from.offset)) from = at;
      }
      const out: LocalMessage[] = [];
      while (out.length < max) {
        const page = await read(from, Math.min(1000, max - out.length + 1000), 4 * 1024 * 1024);
        if (page.length === 0) break;
        for (const m of page) if (m.seq > afterSeq && out.length < max && !m.erased) out.push(m);
        const last = page[page.length - 1]!;
        from = { seq: last.seq + 1, offset: last.end };
      }
      return out;
    },
    erase: (subject) => serially(() => eraseSubject(subject)),
    expire: (beforeMs) => serially(() => expireBefore(beforeMs)),
    hasRoom: (size) => !closed && bytes + pendingBytes + size <= maxBytes,
    stats: (): LogStats => ({ kind: 'file', appended, bytes, maxBytes, refused: { ...refused } }),
    async close() {
      if (closed) return;
      closed = true;
      await ready.catch(() => {});
      while (writing) await writing;
      for (const [name, timer] of cursorTimers) {
        clock.clearTimeout(timer);
        cursorTimers.delete(name);
      }
      await Promise.all([...readers.keys()].map((name) => persistCursor(name)));
      await Promise.all([...readers.values()].map((r) => r.close()));
      await Promise.all([...deadLetterLogs.values()].map((d) => d.close()));
      for (const segment of segments) {
        const handle = segment.reader;
        segment.reader = undefined;
        await handle?.then((h) => h.close()).catch(() => {});
      }
      await writer?.close();
      writer = undefined;
    },
  };
  return log;
}
