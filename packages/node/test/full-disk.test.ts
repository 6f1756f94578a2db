/**
 * A full disk under the `jsonl` destination: the batch is refused (so the log keeps it), the error
 * says "disk full", the file keeps no torn line, and once space is back every line is written once.
 * Runs on a real tmpfs where the test may mount one and, always, on the injected `ENOSPC`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TouchpointEvent } from '@touchpoint/core';
import { describe, expect, it } from 'vitest';
import { fn } from '../src/destinations/fn.js';
import { jsonl } from '../src/destinations/jsonl.js';
import { createForwarder } from '../src/forwarder.js';
import { fileLog } from '../src/log/file-log.js';
import type { DropReport, ForwarderError } from '../src/types.js';
import { trackEvent, until } from './events.js';
import { type FullDiskMode, withFullDisk } from './full-disk.js';
import { batchBody, startIngest } from './ingest-server.js';

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

  it('through the forwarder: onError hears "disk full", and the events arrive once after space is freed', async () => {
    await withFullDisk(
      DISK,
      async (disk) => {
        const path = join(disk.dir, 'events.jsonl');
        const errors: ForwarderError[] = [];
        const drops: unknown[] = [];
        const forwarder = createForwarder({
          destinations: [jsonl({ path })],
          batch: { maxEvents: 25, maxWaitMs: 5 },
          retry: { baseMs: 10, maxMs: 50 },
          onError: (e) => errors.push(e),
          onDrop: (drop) => drops.push(drop),
        });
        try {
          await disk.fill(0);
          const events = bigEvents(60);
          for (const event of events) forwarder.enqueue(event);
          await until(() => errors.length >= 3, 5000);
          expect(errors[0]).toMatchObject({ source: 'jsonl', willRetry: true });
          expect(errors[0]?.message).toMatch(/jsonl .*events\.jsonl: disk full \(ENOSPC\)/);
          expect(await lines(path).catch(() => [])).toEqual([]);

          await disk.free();
          await forwarder.flush();
          const written = ids(await lines(path));
          expect(written).toHaveLength(events.length);
          expect(new Set(written)).toEqual(new Set(events.map((e) => e.messageId)));
          expect(drops).toEqual([]);
        } finally {
          await forwarder.close({ timeoutMs: 1000 });
        }
      },
      { mode: mode === 'auto' ? undefined : mode },
    );
  });

  it('dead letters: a refused event stays in the log until its dead letter is on disk, then is listed once', async () => {
    await withFullDisk(
      DISK,
      async (disk) => {
        const errors: ForwarderError[] = [];
        const drops: DropReport[] = [];
        let open!: () => void;
        const gate = new Promise<void>((resolve) => {
          open = resolve;
        });
        const refuser = fn(
          async () => {
            await gate;
            return { ok: false, status: 400, message: 'crm answered 400' };
          },
          { name: 'crm' },
        );
        const forwarder = createForwarder({
          log: fileLog({ dir: join(disk.dir, 'log') }),
          destinations: [refuser],
          batch: { maxEvents: 25, maxWaitMs: 5 },
          retry: { baseMs: 10, maxMs: 50 },
          onError: (e) => errors.push(e),
          onDrop: (drop) => drops.push(drop),
        });
        try {
          const events = bigEvents(40);
          expect(await forwarder.accept(events)).toEqual({ ok: true });
          await disk.fill(0);
          open();
          await until(() => errors.filter((e) => e.source === 'dead-letter').length >= 2, 5000);
          const deadLetterError = errors.find((e) => e.source === 'dead-letter');
          expect(deadLetterError?.message).toMatch(/stay in the log/);
          expect(deadLetterError?.message).toMatch(/disk full|ENOSPC/);
          // Reported as dead-lettered only once it really is.
          expect(drops.filter((d) => d.deadLettered)).toEqual([]);

          await disk.free();
          await forwarder.flush();
          const dead = await forwarder.deadLetters('crm');
          expect(dead.map((r) => r.event.messageId).sort()).toEqual(events.map((e) => e.messageId).sort());
          expect(dead.every((r) => r.reason === 'not_retryable')).toBe(true);
          const reported = drops.filter((d) => d.deadLettered).flatMap((d) => d.events.map((e) => e.messageId));
          expect(reported.sort()).toEqual(events.map((e) => e.messageId).sort());
        } finally {
          await forwarder.close({ timeoutMs: 1000 });
        }
      },
      { mode: mode === 'auto' ? undefined : mode },
    );
  });
  it('the ingest on fileLog: a full disk answers 503 with Retry-After, and the resent batch is delivered once space is back', async () => {
    await withFullDisk(
      DISK,
      async (disk) => {
        const ingest = await startIngest({}, { log: fileLog({ dir: join(disk.dir, 'log') }) });
        try {
          const events = bigEvents(30);
          await disk.fill(0);
          const refused = await ingest.post(batchBody(events));
          expect(refused.status).toBe(503);
          expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);

          await disk.free();
          // The browser resends the same batch after Retry-After.
          const accepted = await ingest.post(batchBody(events));
          expect(accepted.status).toBe(200);
          expect(await accepted.json()).toMatchObject({ accepted: events.length, duplicates: 0 });
          await ingest.forwarder.flush();
          expect(ingest.received.map((e) => e.messageId).sort()).toEqual(events.map((e) => e.messageId).sort());
        } finally {
          await ingest.close();
        }
      },
      { mode: mode === 'auto' ? undefined : mode },
    );
  });
});
