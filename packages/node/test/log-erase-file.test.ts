/**
 * Erasure and retention in the file log, on real files: a customer erased in the middle of a
 * multi-segment log leaves zero bytes of their ids on disk, readers behind and ahead of the erase
 * never see their events again (also after a restart), and nobody else's event is lost.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileLog } from '../src/log/file-log.js';
import { memoryLog } from '../src/log/memory-log.js';
import type { EventLog, LogMessage, LogReader } from '../src/log/types.js';
import { bytesHolding, customer, customerEvent, needlesOf, subjectOf } from './erase-fixtures.js';

let dir: string;
const opened: EventLog[] = [];
const errors: string[] = [];
function open(options: Partial<Parameters<typeof fileLog>[0]> = {}): EventLog {
  const log = fileLog({
    dir,
    segmentBytes: 64 * 1024,
    cursorSyncMs: 5,
    onError: (e) => errors.push(e.message),
    ...options,
  });
  opened.push(log);
  return log;
}
const limits = { maxEvents: 500, maxBytes: 1 << 20, waitMs: 0 };
const userOf = (m: LogMessage) => (JSON.parse(m.json) as { userId: string }).userId;
async function readAll(reader: LogReader, ack = true): Promise<LogMessage[]> {
  const out: LogMessage[] = [];
  for (;;) {
    const page = await reader.next(limits);
    if (page.length === 0) return out;
    out.push(...page);
    if (ack) await reader.ack(page);
  }
}

const erased = customer(7);
const others = [customer(1), customer(2), customer(3)];
/** 4 customers interleaved, `rounds` events each: the erased one is every fourth event. */
function events(rounds: number, from = 0): string[] {
  const out: string[] = [];
  for (let i = from; i < from + rounds; i++) {
    out.push(customerEvent(others[0]!, i), customerEvent(erased, i), customerEvent(others[1]!, i));
    out.push(customerEvent(others[2]!, i));
  }
  return out;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tp-log-erase-'));
  errors.length = 0;
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((l) => l.close()));
  await rm(dir, { recursive: true, force: true });
});

describe('fileLog.erase', () => {
  it('erases a customer across segments with readers behind and ahead; nothing comes back after a restart', async () => {
    const log = open();
    // Never reads: keeps every segment, so a restart can read the whole log again.
    await log.reader('keeper');
    for (let batch = 0; batch < 10; batch++) expect(await log.append(events(100, batch * 100))).toEqual({ ok: true });
    const segments = (await readdir(join(dir, 'segments'))).length;
    expect(segments).toBeGreaterThan(4);

    // Behind: acked the first 400 events. Ahead: acked all but its last page, which waits for a retry.
    const behind = await log.reader('behind');
    const first = await behind.next({ ...limits, maxEvents: 400 });
    await behind.ack(first);
    const ahead = await log.reader('ahead');
    const aheadAll = await readAll(ahead, false);
    expect(aheadAll).toHaveLength(4000);
    await ahead.ack(aheadAll.slice(0, 3800));
    ahead.retry(aheadAll.slice(3800), 30);

    const result = await log.erase(subjectOf(erased));
    expect(result.erased).toBe(1000);
    expect(new Set(result.messageIds)).toEqual(
      new Set(Array.from({ length: 1000 }, (_, i) => `msg-${erased.userId}-${i}`)),
    );
    expect(await bytesHolding(dir, needlesOf(erased))).toEqual([]);

    // The retried page comes back without the erased customer's events.
    await new Promise((r) => setTimeout(r, 60));
    const retried = await readAll(ahead);
    expect(retried).toHaveLength(150);
    expect(retried.some((m) => userOf(m) === erased.userId)).toBe(false);

    // The reader behind reads on from where it was, and gets everyone else's events.
    const rest = await readAll(behind);
    expect(rest.filter((m) => userOf(m) === erased.userId)).toEqual([]);
    expect(rest).toHaveLength(3000 - 300);
    // A second erase finds nothing left.
    expect((await log.erase(subjectOf(erased))).erased).toBe(0);
    // Dead-letter style listing skips tombstones too.
    expect((await log.list({ max: 10_000 })).some((m) => userOf(m) === erased.userId)).toBe(false);

    // Restart: cursors still point at frame starts, nothing erased comes back, nothing else is lost.
    await log.append(events(1, 5000));
    await log.close();
    const again = open();
    const fresh = await readAll(await again.reader('keeper'));
    expect(fresh.filter((m) => userOf(m) === erased.userId)).toHaveLength(1); // only the one appended after the erase
    expect(fresh.filter((m) => userOf(m) !== erased.userId)).toHaveLength(3000 + 3);
    const behindAgain = await readAll(await again.reader('behind'));
    expect(behindAgain.map(userOf)).toEqual([others[0]!.userId, erased.userId, others[1]!.userId, others[2]!.userId]);
    expect(await again.append(events(1, 6000))).toEqual({ ok: true });
    expect(errors.filter((e) => /torn|unreadable/.test(e))).toEqual([]);
  });

  it('scrubs the tail cache: a reader that keeps up gets no erased event from memory', async () => {
    const log = open({ segmentBytes: 1 << 20 });
    const reader = await log.reader('live');
    await log.append(events(50));
    await log.erase(subjectOf(erased));
    const got = await readAll(reader);
    expect(got).toHaveLength(150);
    expect(got.some((m) => userOf(m) === erased.userId)).toBe(false);
  });

  it('erases dead-letter records, which hold the event inside', async () => {
    const log = open();
    const dead = await log.deadLetters('crm');
    const records = [erased, others[0]!].map((who, i) =>
      JSON.stringify({
        destination: 'crm',
        reason: 'not_retryable',
        message: '400',
        at: 'x',
        event: JSON.parse(customerEvent(who, i)),
      }),
    );
    await dead.append(records);
    const result = await dead.erase(subjectOf(erased));
    expect(result).toEqual({ erased: 1, messageIds: [`msg-${erased.userId}-0`] });
    const left = await dead.list({ max: 10 });
    expect(left.map((m) => JSON.parse(m.json).event.userId)).toEqual([others[0]!.userId]);
    expect(await bytesHolding(join(dir, 'dead-letters'), needlesOf(erased))).toEqual([]);
  });
});

describe('expire (retention)', () => {
  it('fileLog deletes whole segments older than the cut, never the active one, and moves readers past them', async () => {
    let now = 1_000_000;
    const clock = { now: () => now, setTimeout, clearTimeout } as unknown as Parameters<typeof fileLog>[0]['clock'];
    const log = open({ clock });
    const behind = await log.reader('behind');
    for (let batch = 0; batch < 5; batch++) await log.append(events(100, batch * 100));
    now += 10 * 86_400_000;
    const cut = now;
    for (let batch = 5; batch < 7; batch++) await log.append(events(100, batch * 100));
    const before = (await readdir(join(dir, 'segments'))).length;
    const { removed } = await log.expire(cut);
    // Whole segments only: at most the one segment straddling the cut keeps older events.
    expect(removed).toBeGreaterThan(1500);
    expect(removed).toBeLessThanOrEqual(2000);
    expect((await readdir(join(dir, 'segments'))).length).toBeLessThan(before);
    const rest = await readAll(behind);
    expect(rest.length).toBe(2800 - removed);
    // Everything appended after the cut is still there.
    const newer = rest.filter((m) => m.appendedAt >= cut);
    expect(newer).toHaveLength(800);
    // Expiring everything keeps the active segment.
    await log.expire(now + 1);
    expect((await readdir(join(dir, 'segments'))).length).toBeGreaterThanOrEqual(1);
  });

  it('memoryLog drops what was appended before the cut, and erases by tombstoning', async () => {
    let now = 0;
    const clock = { now: () => now, setTimeout, clearTimeout } as unknown as Parameters<
      typeof memoryLog
    >[0] extends infer O
      ? O extends { clock?: infer C }
        ? C
        : never
      : never;
    const log = memoryLog({ clock });
    opened.push(log);
    const reader = await log.reader('r');
    await log.append(events(10));
    now = 100;
    await log.append(events(10, 10));
    const held = await reader.next({ ...limits, maxEvents: 8 });
    reader.retry(held, 0);
    expect(await log.expire(50)).toEqual({ removed: 40 });
    expect((await log.erase(subjectOf(erased))).erased).toBe(10);
    const got = await readAll(reader);
    expect(got).toHaveLength(30);
    expect(got.every((m) => m.appendedAt === 100 && userOf(m) !== erased.userId)).toBe(true);
  });
});
