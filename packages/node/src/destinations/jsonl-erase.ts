/**
 * Erasing a customer from `jsonl` files: every line of theirs removed, by rewriting the file.
 *
 * What it guarantees:
 * - Crash-safe: the kept lines go to `<file>.erasing`, which is `fdatasync`ed, renamed over the
 *   file, and the directory `fsync`ed. A crash at any point leaves the old file or the new one,
 *   never a torn one; a leftover `.erasing` file is removed by the next erasure or open.
 * - Bounded memory: files are streamed in 1 MiB chunks, kept lines are copied as bytes (never
 *   decoded unless they may be the customer's), so a rotated multi-gigabyte file costs one
 *   chunk and its longest line. Rotated siblings (`events.jsonl.1`, `events.jsonl.2.gz`, …) are
 *   rewritten too; `.gz` ones through gunzip and gzip.
 * - Nothing lost or torn while rewriting: a file's appends and rewrites go through one gate per
 *   path in this process (`gateFor`), so a batch waits for the rewrite and is appended to the new
 *   file. Batches still on their way (read from the log before it was erased, retried for a
 *   while) are checked against recent erasures and the customer's lines are left out.
 * - Zero hits: a line is the customer's when `subject.matchesJson` says so (any id, raw or
 *   hashed email/phone, in any field); it is dropped. Another customer's line that mentions their
 *   email, phone or one of their digests in free text keeps its place with that text replaced
 *   by `[erased]`. A line that is not JSON but holds one of their ids is dropped.
 *
 * `jsonlErasure(path)` is the `ErasureTarget` for `createPrivacy({ targets })`; the `jsonl`
 * destination's own `erase(request)` uses the same code with the ids of the request.
 */
import { type createReadStream, createWriteStream } from 'node:fs';
import { open, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { TouchpointConfigError } from '@touchpoint/core';
import { syncDirectory } from '../durable-file.js';
import type { ErasureSubject, ErasureTarget, ErasureTargetResult } from '../privacy/subject.js';

const TEMP_SUFFIX = '.erasing';
const CHUNK = 1024 * 1024;
/** How long an erased subject's lines are held back from appends: the forwarder's retry horizon. */
const GUARD_MS = 60 * 60 * 1000;
const MAX_GUARDS = 256;
const REDACTED = /* @__PURE__ */ Buffer.from('[erased]');

/** One line test per subject, on bytes: decodes a line only when it may be theirs. */
interface LineTest {
  /** `drop`: the line is theirs; `redact`: someone else's, mentioning them; `keep`. */
  (line: Buffer): 'drop' | 'redact' | 'keep';
  redact(line: Buffer): Buffer;
}

/**
 * The gate of one file in this process. The `jsonl` destination appends through it and
 * registers `beforeRewrite` (closing its append handle, which would point at the old file after
 * the rename); `jsonlErasure` and the destination's `erase` rewrite through it.
 */
export interface JsonlGate {
  run<T>(task: () => Promise<T>): Promise<T>;
  /** One per live destination appending to the file (several may share a path). */
  readonly beforeRewrite: Set<() => Promise<void>>;
  /** Subjects erased recently, with their line tests, until `until`. */
  readonly recent: { test: LineTest; until: number }[];
  /** Erasure ids already applied to this file (so a second pass of the same erasure costs nothing). */
  readonly done: Set<string>;
}

// The one home of the per-path gates. Writers: `gateFor` (created by the jsonl destination or by
// jsonlErasure, whichever comes first). Readers: the same two, to share one queue per file.
const gates = new Map<string, JsonlGate>();

export function gateFor(path: string): JsonlGate {
  const key = resolve(path);
  let gate = gates.get(key);
  if (!gate) {
    let chain: Promise<unknown> = Promise.resolve();
    gate = {
      run(task) {
        const result = chain.then(task);
        chain = result.catch(() => {});
        return result;
      },
      beforeRewrite: new Set(),
      recent: [],
      done: new Set(),
    };
    gates.set(key, gate);
  }
  return gate;
}

/** The line test for `subject`. */
export function lineTest(subject: ErasureSubject): LineTest {
  const escaped = (value: string) => Buffer.from(JSON.stringify(value).slice(1, -1));
  const needles = [...subject.needles].map(escaped);
  // Free-text mentions worth redacting in someone else's line: long, distinctive values only
  // (a short user id like "42" would also match prices and counts).
  const mentions = [
    ...subject.emails,
    ...subject.phones,
    ...[...subject.needles].filter((n) => /^[0-9a-f]{64}$/.test(n)),
  ]
    .filter((n) => n.length >= 8)
    .map(escaped);
  // With graph keys for emails/phones, a line can be theirs without holding a needle verbatim
  // (a phone in another format keyed through the graph), so every line must be parsed.
  const parseAll = subject.keys.some((k) => k.startsWith('email:') || k.startsWith('phone:'));
  const holds = (line: Buffer, list: Buffer[]) => list.some((n) => line.includes(n));
  const test = ((line: Buffer) => {
    const hasNeedle = holds(line, needles);
    if (!hasNeedle && !parseAll) return 'keep';
    const text = line.toString('utf8');
    if (subject.matchesJson(text)) return 'drop';
    if (hasNeedle && !isJson(text)) return 'drop';
    return holds(line, mentions) ? 'redact' : 'keep';
  }) as LineTest;
  test.redact = (line) => {
    let out = line;
    for (const mention of mentions) {
      for (let at = out.indexOf(mention); at !== -1; at = out.indexOf(mention, at + REDACTED.length)) {
        out = Buffer.concat([out.subarray(0, at), REDACTED, out.subarray(at + mention.length)]);
      }
    }
    return out;
  };
  return test;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The `messageId` of a dropped line, when it has one. */
function messageIdOf(line: Buffer): string | undefined {
  try {
    const id = (JSON.parse(line.toString('utf8')) as { messageId?: unknown }).messageId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

export interface FileErasure {
  erased: number;
  redacted: number;
  messageIds: string[];
}

/**
 * Rewrites `file` without the lines `test` drops (and with mentions redacted), durably. Leaves
 * the file untouched when nothing changes. A missing file has nothing to erase.
 */
export async function rewriteFile(file: string, test: LineTest): Promise<FileErasure> {
  const result: FileErasure = { erased: 0, redacted: 0, messageIds: [] };
  const temp = file + TEMP_SUFFIX;
  await unlink(temp).catch(() => {});
  let input: ReturnType<typeof createReadStream>;
  try {
    const fh = await open(file, 'r');
    input = fh.createReadStream({ highWaterMark: CHUNK });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return result;
    throw error;
  }
  const gz = file.endsWith('.gz');
  let carry: Buffer = Buffer.alloc(0);
  /** Handles a line that does not stay as it is: a dropped one is counted, a redacted one pushed to `out`. */
  const change = (verdict: 'drop' | 'redact', line: Buffer, withNewline: Buffer, out: Buffer[]) => {
    if (verdict === 'drop') {
      result.erased++;
      const id = messageIdOf(line);
      if (id !== undefined) result.messageIds.push(id);
    } else {
      result.redacted++;
      out.push(test.redact(withNewline));
    }
  };
  const filter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      const out: Buffer[] = [];
      // Kept lines pass on as runs of the chunk itself: nothing is copied unless a line changes.
      let run = 0;
      let start = 0;
      for (let nl = data.indexOf(10); nl !== -1; nl = data.indexOf(10, start)) {
        const line = data.subarray(start, nl);
        const verdict = test(line);
        if (verdict !== 'keep') {
          if (run < start) out.push(data.subarray(run, start));
          change(verdict, line, data.subarray(start, nl + 1), out);
          run = nl + 1;
        }
        start = nl + 1;
      }
      if (run < start) out.push(data.subarray(run, start));
      // A copy, so the carried tail does not pin the whole chunk.
      carry = Buffer.from(data.subarray(start));
      done(null, out.length === 0 ? undefined : out.length === 1 ? out[0] : Buffer.concat(out));
    },
    flush(done) {
      // A last line without its newline stays without one (byte for byte what was there).
      const out: Buffer[] = [];
      if (carry.length > 0) {
        const verdict = test(carry);
        if (verdict === 'keep') out.push(carry);
        else change(verdict, carry, carry, out);
      }
      done(null, out.length > 0 ? out[0] : undefined);
    },
  });
  try {
    // The write stream closes its file when done; the bytes are synced through a second handle
    // below (fsync works on the file, whichever descriptor asks).
    const sink = createWriteStream(temp, { flags: 'w' });
    if (gz) await pipeline(input, createGunzip(), filter, createGzip(), sink);
    else await pipeline(input, filter, sink);
    if (result.erased + result.redacted > 0) {
      const synced = await open(temp, 'r+');
      try {
        await synced.datasync();
      } finally {
        await synced.close();
      }
    }
  } catch (error) {
    input.destroy();
    await unlink(temp).catch(() => {});
    throw error;
  }
  if (result.erased + result.redacted === 0) {
    await unlink(temp);
    return result;
  }
  await rename(temp, file);
  await syncDirectory(dirname(file));
  return result;
}

/** `path` and its rotated siblings (`path.1`, `path.2.gz`, `path-2026-11-30`, …), oldest state first. */
export async function filesOf(path: string): Promise<string[]> {
  const dir = dirname(path);
  const base = basename(path);
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  const rotated = names.filter(
    (n) => (n.startsWith(`${base}.`) || n.startsWith(`${base}-`)) && !n.endsWith(TEMP_SUFFIX) && !n.endsWith('.tmp'),
  );
  return [path, ...rotated.sort().map((n) => join(dir, n))];
}

/**
 * Erases `subject` from `path` and its rotated siblings, inside the path's gate. `complete`: the
 * subject is the whole profile (from `jsonlErasure`), so a later pass of the same erasure with
 * fewer ids (the destination's `erase(request)`) has nothing left to do and is skipped.
 */
export async function eraseFromJsonl(
  path: string,
  subject: ErasureSubject,
  complete: boolean,
): Promise<ErasureTargetResult> {
  const gate = gateFor(path);
  if (gate.done.has(subject.erasureId)) return { erased: 0, messageIds: [], detail: 'already erased' };
  const test = lineTest(subject);
  // Held back from appends from now on, so nothing in flight writes their lines after the rewrite.
  const now = Date.now();
  gate.recent.push({ test, until: now + GUARD_MS });
  while (gate.recent.length > MAX_GUARDS || (gate.recent[0] && gate.recent[0].until < now)) gate.recent.shift();
  return gate.run(async () => {
    for (const release of gate.beforeRewrite) await release();
    const total: FileErasure = { erased: 0, redacted: 0, messageIds: [] };
    const files = await filesOf(path);
    for (const file of files) {
      const one = await rewriteFile(file, test);
      total.erased += one.erased;
      total.redacted += one.redacted;
      for (const id of one.messageIds) total.messageIds.push(id);
    }
    if (complete) gate.done.add(subject.erasureId);
    if (gate.done.size > 10_000) gate.done.delete(gate.done.values().next().value as string);
    return {
      erased: total.erased,
      messageIds: total.messageIds,
      detail: `${files.length} file(s) checked, ${total.erased} line(s) removed, ${total.redacted} mention(s) in other lines redacted`,
    };
  });
}

/**
 * The erasure target of a `jsonl` file (and its rotated siblings) for `createPrivacy({ targets })`.
 * Safe beside a running `jsonl` destination writing the same path in this process: both go
 * through one queue, so no batch is lost or torn while the file is rewritten.
 *
 * @example
 * createPrivacy({ …, targets: [jsonlErasure('./data/touchpoints.jsonl')] });
 */
export function jsonlErasure(path: string, options: { name?: string } = {}): ErasureTarget {
  if (typeof path !== 'string' || path === '')
    throw new TouchpointConfigError('jsonlErasure.path', 'must be a file path');
  return {
    name: options.name ?? `jsonl:${basename(path)}`,
    erase: (subject) => eraseFromJsonl(path, subject, true),
  };
}
