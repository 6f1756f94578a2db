/**
 * A full disk under the `jsonl` destination: the batch is refused (so the log keeps it), the error
 * says "disk full", the file keeps no torn line, and once space is back every line is written once.
 * Runs on a real tmpfs where the test may mount one and, always, on the injected `ENOSPC`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TouchpointEvent } from '@touchpoint/core';
import { describe, expect, it } from 'vitest';
import { jsonl } from '../src/destinations/jsonl.js';
import { trackEvent } from './events.js';
import { type FullDiskMode, withFullDisk } from './full-disk.js';

const DISK = 256 * 1024;

/** Events of about 1 KB each, so a batch spans several pages. */
function bigEvents(n: number): TouchpointEvent[] {
  return Array.from({ length: n }, (_, i) => trackEvent({ properties: { i, note: 'x'.repeat(900) } }));
}

async function lines(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8');
  // No torn line: the file is whole lines, each ending with a newline.
  expect(text === '' || text.endsWith('\n')).toBe(true);
  return text.split('\n').filter(Boolean);
}

const ids = (list: string[]) => list.map((l) => (JSON.parse(l) as TouchpointEvent).messageId);

describe.each<FullDiskMode | 'auto'>(['auto', 'injected'])('a full disk (%s)', (mode) => {
  it('refuses the batch with "disk full", leaves no torn line, and writes every line once when space is back', async () => {
    await withFullDisk(
      DISK,
      async (disk) => {
        console.info(`full-disk test (${mode}) ran on: ${disk.mode}`);
        const path = join(disk.dir, 'events.jsonl');
        const destination = jsonl({ path });
        const first = bigEvents(10);
        await destination.send(first);
        const sizeBefore = (await readFile(path)).length;

        await disk.fill(3000); // less than one batch: the write starts, then runs out of space
        const second = bigEvents(20);
        const failure = await destination.send(second).then(
          () => undefined,
          (error: Error) => error,
        );
        expect(failure?.message).toMatch(/disk full \(ENOSPC\); 20 events not written/);
        expect((failure as { code?: string }).code).toBe('ENOSPC');
        expect((await readFile(path)).length).toBe(sizeBefore);
        expect(ids(await lines(path))).toEqual(first.map((e) => e.messageId));

        // Still full: the retry fails the same way and still leaves the file as it was.
        await expect(destination.send(second)).rejects.toThrow(/disk full/);
        expect((await readFile(path)).length).toBe(sizeBefore);

        await disk.free();
        await destination.send(second);
        await destination.close?.();
        expect(ids(await lines(path))).toEqual([...first, ...second].map((e) => e.messageId));
      },
      { mode: mode === 'auto' ? undefined : mode },
    );
  });
});
