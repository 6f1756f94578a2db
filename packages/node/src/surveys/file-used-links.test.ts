import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileUsedLinkStore } from './file-used-links.js';

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
});
