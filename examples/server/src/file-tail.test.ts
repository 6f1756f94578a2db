import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileTail } from './file-tail.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tail-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('createFileTail', () => {
  it('returns nothing for a missing file, then only what was appended, line by line', async () => {
    const path = join(dir, 'events.jsonl');
    const tail = createFileTail(path);
    expect(await tail.read()).toEqual([]);
    await writeFile(path, '{"a":1}\n{"a":2}\n');
    expect(await tail.read()).toEqual(['{"a":1}', '{"a":2}']);
    expect(await tail.read()).toEqual([]);
    await appendFile(path, '{"a":3}\n');
    expect(await tail.read()).toEqual(['{"a":3}']);
  });

  it('holds back a line still being written until it is complete', async () => {
    const path = join(dir, 'events.jsonl');
    const tail = createFileTail(path);
    await writeFile(path, '{"a":1}\n{"a":');
    expect(await tail.read()).toEqual(['{"a":1}']);
    await appendFile(path, '2}\n');
    expect(await tail.read()).toEqual(['{"a":2}']);
  });

  it('starts over when the file is replaced by a shorter one', async () => {
    const path = join(dir, 'events.jsonl');
    const tail = createFileTail(path);
    await writeFile(path, '{"a":1}\n{"a":2}\n');
    await tail.read();
    await writeFile(path, '{"b":1}\n');
    expect(await tail.read()).toEqual(['{"b":1}']);
  });

  it('keeps a multi-byte character whole when a read ends inside it', async () => {
    const path = join(dir, 'events.jsonl');
    const tail = createFileTail(path);
    const line = Buffer.from('{"comment":"Kaffee war kalt ☕"}\n');
    const cut = line.indexOf(Buffer.from('☕')) + 1;
    await writeFile(path, line.subarray(0, cut));
    expect(await tail.read()).toEqual([]);
    await appendFile(path, line.subarray(cut));
    expect(await tail.read()).toEqual(['{"comment":"Kaffee war kalt ☕"}']);
  });
});
