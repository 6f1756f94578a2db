import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileUsedLinkStore } from './file-used-links.js';
import { createSurveyLink, verifySurveyToken } from './survey-links.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('createFileUsedLinkStore', () => {
  it('remembers answered links across a restart, forgets expired ones, and takes a released claim back', async () => {
    dir = await mkdtemp(join(tmpdir(), 'tp-links-'));
    const path = join(dir, 'nested', 'used-links');
    const later = Date.now() + 60_000;
    const first = createFileUsedLinkStore({ path });
    // Two answers at once for one link: exactly one wins.
    expect(await Promise.all([first.claim('link-a', later), first.claim('link-a', later)])).toEqual([true, false]);
    expect(await first.claim('link-b', later)).toBe(true);
    await first.release!('link-b');
    expect(await first.claim('link-old', Date.now() + 10)).toBe(true);

    // A new process: the file is the record.
    await new Promise((r) => setTimeout(r, 20));
    const restarted = createFileUsedLinkStore({ path });
    expect(await restarted.claim('link-a', later)).toBe(false);
    expect(await restarted.claim('link-b', later)).toBe(true);
    expect(await restarted.claim('link-old', later)).toBe(true); // expired: its entry is gone
    expect((await readFile(path, 'utf8')).split('\n')[0]).toBe(`link-a ${later}`);
    expect(await restarted.claim('../../etc', later)).toBe(false);
    expect(() => createFileUsedLinkStore({ path: '' })).toThrow(/path/);
  });

  it('keeps no byte of the customer: only the random link ids of their answers', async () => {
    dir = await mkdtemp(join(tmpdir(), 'tp-links-'));
    const path = join(dir, 'used-links');
    const secret = 's'.repeat(40);
    const store = createFileUsedLinkStore({ path });
    for (const survey of ['after-repair', 'after-delivery']) {
      const url = createSurveyLink({
        baseUrl: 'https://shop.example/s',
        secret,
        survey,
        identity: { userId: 'user-alice-7f3a' },
        caseId: 'case-alice-12',
        channel: 'sms',
      });
      const check = verifySurveyToken(new URL(url).searchParams.get('t'), secret);
      if (!check.ok) throw new Error('link did not verify');
      expect(await store.claim(check.claims.linkId, check.claims.expiresAt)).toBe(true);
    }
    const bytes = await readFile(path);
    expect(bytes.toString().split('\n').filter(Boolean)).toHaveLength(2);
    for (const needle of ['user-alice-7f3a', 'case-alice-12', 'after-repair'])
      expect(bytes.includes(Buffer.from(needle))).toBe(false);
  });

  it('compacts to the live claims only, durably, and a restart reads the same answers', async () => {
    dir = await mkdtemp(join(tmpdir(), 'tp-links-'));
    const path = join(dir, 'used-links');
    let now = 1_000_000;
    const store = createFileUsedLinkStore({ path, now: () => now });
    expect(await store.claim('live-1', now + 60_000)).toBe(true);
    expect(await store.claim('old-1', now + 10)).toBe(true);
    expect(await store.claim('given-back', now + 60_000)).toBe(true);
    await store.release!('given-back');
    expect(await store.claim('live-2', now + 60_000)).toBe(true);
    now += 100;
    expect(await store.compact()).toBe(3); // old-1 expired; given-back's claim and its release line
    expect(await readFile(path, 'utf8')).toBe(`live-1 ${1_060_000}\nlive-2 ${1_060_000}\n`);
    expect(await store.compact()).toBe(0);
    // Claims go on after a compaction, and the file is the record for the next process.
    expect(await store.claim('live-1', now + 60_000)).toBe(false);
    expect(await store.claim('live-3', now + 60_000)).toBe(true);
    const restarted = createFileUsedLinkStore({ path, now: () => now });
    expect(await restarted.claim('live-2', now + 60_000)).toBe(false);
    expect(await restarted.claim('live-3', now + 60_000)).toBe(false);
    expect(await restarted.claim('old-1', now + 60_000)).toBe(true);
    // No temporary file left beside it.
    expect(await readdir(dir)).toEqual(['used-links']);
  });
});
