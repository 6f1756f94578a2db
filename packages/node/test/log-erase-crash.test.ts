/**
 * A crash in the middle of an erase (the process SIGKILLed while it overwrites frames) leaves a
 * valid log: on reopen the interrupted group is finished from its journal, every other
 * customer's event reads back, and running the erase again completes it — zero bytes of the
 * customer's ids left on disk.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileLog } from '../src/log/file-log.js';
import type { LogMessage } from '../src/log/types.js';
import { bundleChild } from './child-bundle.js';
import { bytesHolding, customer, customerEvent, needlesOf, subjectOf } from './erase-fixtures.js';

let work: string;
let childScript: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tp-erase-crash-'));
  childScript = await bundleChild('erase-child', work);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const erased = customer(42);
const others = [customer(1), customer(2), customer(3), customer(4)];

describe('fileLog erase, killed mid-way', () => {
  it('reopens valid, finishes the interrupted group, and a re-run erases the rest', async () => {
    const dir = join(work, 'log');
    const seed = fileLog({ dir, segmentBytes: 256 * 1024, onError: () => {} });
    await seed.reader('crm'); // pins every segment
    const rounds = 8000;
    for (let from = 0; from < rounds; from += 1000) {
      const batch: string[] = [];
      for (let i = from; i < from + 1000; i++) {
        for (const who of others) batch.push(customerEvent(who, i));
        batch.push(customerEvent(erased, i));
      }
      expect(await seed.append(batch)).toEqual({ ok: true });
    }
    await seed.close();

    const child: ChildProcess = spawn(process.execPath, [childScript], {
      env: { ...process.env, DIR: dir, USER_ID: erased.userId, ANON_ID: erased.anonymousId, EMAIL: erased.email },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const journal = join(dir, 'erase-journal.json');
    // Kill while a group's journal exists (an overwrite in progress), or after a short while at the latest.
    const deadline = Date.now() + 5000;
    while (!out.includes('erasing') && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    while (!existsSync(journal) && !out.includes('done') && Date.now() < deadline)
      await new Promise((r) => setImmediate(r));
    const midGroup = existsSync(journal);
    child.kill('SIGKILL');
    await exited;
    expect(out).not.toContain('done'); // it really died mid-erase
    // The journal lives through each group's overwrite and fdatasync, most of an erase's time.
    expect(midGroup).toBe(true);

    const messages: string[] = [];
    const reopened = fileLog({ dir, segmentBytes: 256 * 1024, onError: (e) => messages.push(e.message) });
    await reopened.reader('keeper'); // never reads: keeps every segment for the re-run to find
    const reader = await reopened.reader('crm'); // after recovery
    expect(messages.some((m) => m.includes('interrupted'))).toBe(true);
    expect(messages.some((m) => m.includes('torn'))).toBe(false);
    const got: LogMessage[] = [];
    for (;;) {
      const page = await reader.next({ maxEvents: 1000, maxBytes: 1 << 20, waitMs: 0 });
      if (page.length === 0) break;
      got.push(...page);
      await reader.ack(page);
    }
    const byUser = (id: string) => got.filter((m) => (JSON.parse(m.json) as { userId: string }).userId === id).length;
    for (const who of others) expect(byUser(who.userId)).toBe(rounds);
    // Some of the customer's events were erased before the kill, the rest are still whole events.
    expect(byUser(erased.userId)).toBeLessThan(rounds);

    const rerun = await reopened.erase(subjectOf(erased));
    expect(rerun.erased).toBe(byUser(erased.userId));
    await reopened.close();
    expect(await bytesHolding(dir, needlesOf(erased))).toEqual([]);
    expect(existsSync(journal)).toBe(false);
  }, 60_000);
});
