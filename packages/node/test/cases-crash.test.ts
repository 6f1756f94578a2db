/**
 * What the embedded store promises the forwarder: when `book.record()` resolves, the cases
 * destination answers and the log forgets the event, so the row must survive the process being
 * killed right after. A child records case events into a PGlite data directory and reports each
 * one; it is killed with SIGKILL mid-stream; every reported event is in the reopened store.
 * (PGlite writes each commit through to the operating system but cannot fsync through its
 * WebAssembly file system: a crash of the process loses nothing, a power loss may lose the last
 * commits — docs/cases.md says so; the Postgres store is the answer where that matters.)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedStore } from '../src/cases/sql-store.js';
import { bundleChild } from './child-bundle.js';

let work: string;
let childScript: string;
beforeAll(async () => {
  // Inside this package's node_modules, so the child resolves @electric-sql/pglite (its WebAssembly
  // is loaded from its own package directory, so it is not bundled).
  const modules = new URL('../node_modules/', import.meta.url).pathname;
  await mkdir(modules, { recursive: true });
  work = await mkdtemp(join(modules, '.tp-cases-crash-'));
  childScript = await bundleChild('cases-child', work, ['@electric-sql/pglite']);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('embedded case store, killed mid-write', () => {
  it('keeps every event that record() answered for', async () => {
    const dir = join(work, 'cases');
    const child: ChildProcess = spawn(process.execPath, [childScript], {
      env: { ...process.env, DIR: dir },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let acked = 0;
    let buffer = '';
    await new Promise<void>((resolve, reject) => {
      child.on('exit', () => resolve());
      child.on('error', reject);
      child.stdout!.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop()!;
        for (const line of lines) if (/^\d+$/.test(line)) acked = Number(line);
        if (acked >= 150) child.kill('SIGKILL');
      });
    });
    expect(acked).toBeGreaterThanOrEqual(150);

    const store = await openEmbeddedStore({ dataDir: dir });
    const [row] = await store.query<{ n: number; last: number }>(
      `select count(*)::int as n, max(substr(message_id, 3)::int) as last from timeline where message_id like 'm-%'`,
    );
    await store.close();
    // Every answered event is there, in order; at most the one in flight past it.
    expect(row!.last).toBeGreaterThanOrEqual(acked);
    expect(row!.n).toBe(row!.last);
  }, 120_000);
});
