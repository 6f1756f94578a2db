import { appendFile, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withFullDisk } from '../../test/full-disk.js';
import { fileLog } from './file-log.js';
import { encodeFrames } from './frame.js';
import type { EventLog, LogMessage } from './types.js';

let dir: string;
const open: EventLog[] = [];
function log(options: Partial<Parameters<typeof fileLog>[0]> = {}): EventLog {
  const l = fileLog({ dir, cursorSyncMs: 5, onError: () => {}, ...options });
  open.push(l);
  return l;
}
const limits = { maxEvents: 1000, maxBytes: 1 << 20, waitMs: 0 };
const json = (i: number) => JSON.stringify({ messageId: `m-${i}`, n: i, note: 'x'.repeat(40) });
/** Polls an async condition (segment files appear and vanish on the log's own schedule). */
async function eventually(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
const ids = (messages: readonly LogMessage[]) => messages.map((m) => (JSON.parse(m.json) as { n: number }).n);
async function readAll(reader: Awaited<ReturnType<EventLog['reader']>>): Promise<LogMessage[]> {
  const out: LogMessage[] = [];
  for (;;) {
    const page = await reader.next(limits);
    if (page.length === 0) return out;
    out.push(...page);
  }
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tp-file-log-'));
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
  await rm(dir, { recursive: true, force: true });
});

describe('fileLog', () => {
  it('a reader far behind the tail reads every event in order from disk, then from what the log still caches', async () => {
    const l = log();
    const behind = await l.reader('behind');
    // The reader reads a little, then falls behind by appends much larger than the tail cache.
    await l.append([json(0), json(1)]);
    expect(ids(await behind.next({ ...limits, maxEvents: 1 }))).toEqual([0]);
    const big = (from: number) => Array.from({ length: 30_000 }, (_, i) => json(from + i));
    for (let from = 2; from < 90_002; from += 30_000) expect(await l.append(big(from))).toEqual({ ok: true });
    await l.append([json(90_002)]);
    const rest: number[] = [];
    for (;;) {
      const page = await behind.next({ ...limits, maxEvents: 5000 });
      if (page.length === 0) break;
      rest.push(...ids(page));
      await behind.ack(page);
      // Appends while it catches up: these are cached for it again.
      if (rest.length === 60_000) await l.append([json(90_003)]);
    }
    expect(rest).toEqual(Array.from({ length: 90_003 }, (_, i) => i + 1));
  });

  it('hands each reader every event in append order, and resumes after a restart where it acked', async () => {
    const first = log();
    for (let i = 0; i < 10; i++) expect(await first.append([json(i)])).toEqual({ ok: true });
    const crm = await first.reader('crm');
    const got = await readAll(crm);
    expect(ids(got)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(got.map((m) => m.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await crm.ack(got.slice(0, 6));
    await first.close();

    const second = log();
    await second.append([json(10)]);
    const again = await readAll(await second.reader('crm'));
    // Acked events are never handed out again; the unacked ones are, before anything newer.
    expect(ids(again)).toEqual([6, 7, 8, 9, 10]);
    expect(again.map((m) => m.seq)).toEqual([6, 7, 8, 9, 10]);
  });

  it('commits in log order: an ack out of order never skips an unacked event', async () => {
    const first = log();
    await first.append([0, 1, 2, 3].map(json));
    const reader = await first.reader('crm');
    const got = await readAll(reader);
    await reader.ack([got[2]!, got[3]!]);
    await first.close();
    const second = log();
    expect(ids(await readAll(await second.reader('crm')))).toEqual([0, 1, 2, 3]);
  });

  it('cuts a torn write off the tail on open, says so, and keeps numbering after the last whole event', async () => {
    const first = log();
    await first.append([0, 1, 2].map(json));
    await first.close();
    // What a crash in the middle of a write leaves: a whole header and half a payload.
    const segment = join(dir, 'segments', (await readdir(join(dir, 'segments')))[0]!);
    const torn = encodeFrames([json(3)], 3, Date.now());
    await appendFile(segment, torn.subarray(0, torn.length - 20));
    const sizeWithTear = (await stat(segment)).size;

    const errors: string[] = [];
    const second = log({ onError: (e) => errors.push(e.message) });
    await second.append([json(4)]);
    const got = await readAll(await second.reader('crm'));
    expect(ids(got)).toEqual([0, 1, 2, 4]);
    expect(got.map((m) => m.seq)).toEqual([0, 1, 2, 3]);
    expect(errors.some((m) => m.includes('torn write'))).toBe(true);
    // The tear is gone; the next event sits right after the last whole one.
    expect((await stat(segment)).size).toBe(sizeWithTear - (torn.length - 20) + encodeFrames([json(4)], 3, 0).length);
  });

  it('cuts a frame whose checksum does not match (garbage after a crash), not just short ones', async () => {
    const first = log();
    await first.append([0, 1].map(json));
    await first.close();
    const segment = join(dir, 'segments', (await readdir(join(dir, 'segments')))[0]!);
    const frame = encodeFrames([json(2)], 2, Date.now());
    frame[frame.length - 5] = frame[frame.length - 5]! ^ 0xff; // one flipped byte in the payload
    await appendFile(segment, frame);
    const second = log();
    expect(ids(await readAll(await second.reader('crm')))).toEqual([0, 1]);
  });

  it('retries hand the same events out again, counting attempts, before anything newer', async () => {
    const l = log();
    await l.append([0, 1, 2].map(json));
    const reader = await l.reader('crm');
    const first = await reader.next({ ...limits, maxEvents: 2 });
    expect(ids(first)).toEqual([0, 1]);
    reader.retry(first, 0);
    await new Promise((r) => setTimeout(r, 10));
    const second = await reader.next(limits);
    expect(ids(second)).toEqual([0, 1]);
    expect(second.map((m) => m.attempts)).toEqual([1, 1]);
    expect(ids(await reader.next(limits))).toEqual([2]);
  });

  it('holds at most maxOutstanding unacked events per reader (the backlog stays on disk)', async () => {
    const l = log({ maxOutstanding: 3 });
    await l.append([0, 1, 2, 3, 4].map(json));
    const reader = await l.reader('crm');
    const got = await reader.next(limits);
    expect(ids(got)).toEqual([0, 1, 2]);
    expect(await reader.next(limits)).toEqual([]);
    expect(reader.lag()).toBe(5);
    await reader.ack(got);
    expect(ids(await reader.next(limits))).toEqual([3, 4]);
  });

  it('deletes a segment once every reader is past it, and a slow reader keeps it', async () => {
    const l = log({ segmentBytes: 1024 });
    for (let i = 0; i < 40; i++) await l.append([json(i)]);
    const segments = async () => (await readdir(join(dir, 'segments'))).length;
    const many = await segments();
    expect(many).toBeGreaterThan(3);
    const fast = await l.reader('fast');
    const slow = await l.reader('slow');
    await fast.ack(await readAll(fast));
    await new Promise((r) => setTimeout(r, 50));
    expect(await segments()).toBe(many);
    const behind = await readAll(slow);
    await slow.ack(behind.slice(0, 15));
    await eventually(async () => (await segments()) < many);
    expect(await segments()).toBeGreaterThan(1);
    await slow.ack(behind.slice(15));
    await eventually(async () => (await segments()) === 1);
  });

  it('answers `full` past maxBytes, and takes events again once readers catch up', async () => {
    const l = log({ maxBytes: 4096, segmentBytes: 1024 });
    const reader = await l.reader('crm');
    let i = 0;
    for (; i < 200; i++) {
      const result = await l.append([json(i)]);
      if (!result.ok) {
        expect(result).toMatchObject({ reason: 'full', retryAfterMs: 5000 });
        expect(result.message).toContain('maxBytes');
        break;
      }
    }
    expect(i).toBeGreaterThan(10);
    expect(i).toBeLessThan(200);
    expect(l.hasRoom(100)).toBe(false);
    await reader.ack(await readAll(reader));
    await eventually(async () => l.hasRoom(100));
    expect(await l.append([json(i)])).toEqual({ ok: true });
  });

  it('frees room under a budget smaller than the default segment size', async () => {
    const l = log({ maxBytes: 64 * 1024 });
    const reader = await l.reader('crm');
    let n = 0;
    while ((await l.append([json(n)])).ok) n++;
    await reader.ack(await readAll(reader));
    await eventually(async () => l.hasRoom(1000));
    expect(await l.append([json(n)])).toEqual({ ok: true });
  });

  it('groups concurrent appends into shared writes, in order', async () => {
    const l = log();
    const results = await Promise.all(Array.from({ length: 500 }, (_, i) => l.append([json(i)])));
    expect(results.every((r) => r.ok)).toBe(true);
    const got = await readAll(await l.reader('crm'));
    expect(ids(got)).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });

  it('keeps dead letters in a log of their own per destination', async () => {
    const l = log();
    const dead = await l.deadLetters('crm');
    await dead.append([JSON.stringify({ destination: 'crm', reason: 'not_retryable', event: { n: 1 } })]);
    expect((await dead.list({ max: 10 })).map((m) => JSON.parse(m.json).reason)).toEqual(['not_retryable']);
    expect(await (await l.deadLetters('other')).list({ max: 10 })).toEqual([]);
  });

  it('names a bad option', () => {
    expect(() => fileLog({ dir: '' })).toThrow(/fileLog\.dir/);
    expect(() => fileLog({ dir, maxBytes: -1 })).toThrow(/fileLog\.maxBytes/);
  });
});

describe('fileLog on a full disk', () => {
  it('answers `full` with "disk full", leaves no partial frame, and takes events again once space is freed', async () => {
    await withFullDisk(256 * 1024, async (disk) => {
      const l = fileLog({ dir: disk.dir, onError: () => {} });
      open.push(l);
      expect(await l.append([json(0)])).toEqual({ ok: true });
      await disk.fill();
      const refused = await l.append(Array.from({ length: 50 }, (_, i) => json(100 + i)));
      expect(refused).toMatchObject({ ok: false, reason: 'full' });
      expect(refused.ok === false && refused.message).toContain('disk full');
      expect(l.stats().refused.full).toBe(1);
      await disk.free();
      expect(await l.append([json(1)])).toEqual({ ok: true });
      await l.close();
      // Reopened from disk: exactly the two events that were acknowledged, nothing torn between them.
      const again = fileLog({ dir: disk.dir, onError: () => {} });
      open.push(again);
      expect(ids(await readAll(await again.reader('crm')))).toEqual([0, 1]);
    });
  });
});
