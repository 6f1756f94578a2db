import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { gunzipSync, gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { trackEvent } from '../../test/events.js';
import { createErasureSubject, erasureRequest } from '../privacy/subject.js';
import { jsonl } from './jsonl.js';
import { jsonlErasure } from './jsonl-erase.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const alice = {
  userId: 'user-alice-7f3a',
  anonymousId: 'anon-alice-91c2',
  email: 'alice.nguyen@example.vn',
  phone: '+84901234567',
};
const subject = () =>
  createErasureSubject({
    erasureId: 'er_test1',
    userIds: [alice.userId],
    anonymousIds: [alice.anonymousId],
    emails: [alice.email],
    phones: [alice.phone],
  });
/** Every form of Alice the file must not hold afterwards. */
const aliceNeedles = [
  alice.userId,
  alice.anonymousId,
  alice.email,
  alice.phone,
  sha256(alice.email),
  sha256(alice.phone),
];
const hits = (bytes: Buffer) => aliceNeedles.filter((n) => bytes.includes(Buffer.from(n)));

function aliceEvents(n: number) {
  return Array.from({ length: n }, (_, i) =>
    i % 3 === 0
      ? trackEvent({ anonymousId: alice.anonymousId })
      : i % 3 === 1
        ? trackEvent({ anonymousId: 'anon-x', userId: alice.userId })
        : trackEvent({ anonymousId: 'anon-y', properties: { email_sha256: sha256(alice.email), sku: 's' } }),
  );
}
const bobEvents = (n: number) =>
  Array.from({ length: n }, (_, i) => trackEvent({ anonymousId: `anon-bob-${i}`, userId: 'user-bob' }));

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tp-jsonl-erase-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('jsonl erasure', () => {
  it('removes every line of the customer, keeps the others byte for byte, and reports their message ids', async () => {
    const path = join(dir, 'events.jsonl');
    const destination = jsonl({ path });
    const mixed = [...aliceEvents(30), ...bobEvents(30)].sort(() => Math.random() - 0.5);
    await destination.send(mixed);
    // Another customer's note that mentions Alice's email in free text: redacted, not dropped.
    const note = trackEvent({ anonymousId: 'anon-carol', properties: { note: `referred by ${alice.email}` } });
    await destination.send([note]);
    expect(hits(await readFile(path))).not.toEqual([]);

    const result = await jsonlErasure(path).erase(subject());
    expect(result.erased).toBe(30);
    expect(new Set(result.messageIds)).toEqual(
      new Set(mixed.filter((e) => e.userId !== 'user-bob').map((e) => e.messageId)),
    );
    const bytes = await readFile(path);
    expect(hits(bytes)).toEqual([]);
    const bobLines = mixed.filter((e) => e.userId === 'user-bob').map((e) => JSON.stringify(e));
    const lines = bytes.toString('utf8').split('\n').filter(Boolean);
    expect(lines.slice(0, 30)).toEqual(bobLines);
    expect(JSON.parse(lines[30]!).properties.note).toBe('referred by [erased]');

    // The destination keeps appending to the new file; a second pass of the same erasure is free.
    await destination.send([trackEvent({ anonymousId: 'anon-after' })]);
    expect(await destination.erase!(erasureRequest(subject(), new Date()))).toMatchObject({ ok: true });
    await destination.close?.();
    expect((await readFile(path, 'utf8')).split('\n').filter(Boolean)).toHaveLength(32);
    expect((await readdir(dir)).sort()).toEqual(['events.jsonl']);
  });

  it('erases through the destination with only the request (ids, emails, phones and their digests)', async () => {
    const path = join(dir, 'events.jsonl');
    const destination = jsonl({ path });
    // A case message names only the case: the request (ids, emails, phones) cannot find it.
    const caseMessage = trackEvent({ anonymousId: 'anon-agent', caseId: 'case-alice-3', event: 'case.message' });
    await destination.send([...aliceEvents(9), ...bobEvents(3), caseMessage]);
    const request = erasureRequest(subject(), new Date());
    expect(await destination.erase!(request)).toMatchObject({ ok: true, message: expect.stringMatching(/9 line/) });
    expect(hits(await readFile(path))).toEqual([]);
    // The whole profile, for the same erasure, still runs after the request's pass: it finds the case line.
    const whole = createErasureSubject({ erasureId: 'er_test1', userIds: [alice.userId], caseIds: ['case-alice-3'] });
    expect(await jsonlErasure(path).erase(whole)).toMatchObject({ erased: 1, messageIds: [caseMessage.messageId] });
    await destination.close?.();
    const bytes = await readFile(path);
    expect(bytes.includes(Buffer.from('case-alice-3'))).toBe(false);
    expect(bytes.toString().split('\n').filter(Boolean)).toHaveLength(3);
  });

  it('loses no batch and tears no line when batches are appended while the file is rewritten', async () => {
    const path = join(dir, 'events.jsonl');
    const destination = jsonl({ path });
    await destination.send([...aliceEvents(300), ...bobEvents(300)]);
    const later = Array.from({ length: 40 }, () => bobEvents(25));
    const sends = later.map((batch) => destination.send(batch));
    // In the middle of the appends: the erasure queues behind the batches before it, those after wait for it.
    const erasing = jsonlErasure(path).erase(subject());
    const more = Array.from({ length: 20 }, () => [...bobEvents(10), ...aliceEvents(2)]);
    const moreSends = more.map((batch) => destination.send(batch));
    await Promise.all([...sends, erasing, ...moreSends]);
    await destination.close?.();
    const bytes = await readFile(path);
    // Alice's events still on their way after the erasure were held back too.
    expect(hits(bytes)).toEqual([]);
    const lines = bytes.toString('utf8').split('\n');
    expect(lines.pop()).toBe('');
    const ids = lines.map((l) => JSON.parse(l).messageId as string);
    const expected = [...later.flat(), ...more.flat().filter((e) => e.userId === 'user-bob')];
    expect(ids).toHaveLength(300 + expected.length);
    expect(new Set(ids).size).toBe(ids.length);
    for (const e of expected) expect(ids).toContain(e.messageId);
  });

  it('keeps every batch of two destinations writing one file across a rewrite', async () => {
    const path = join(dir, 'events.jsonl');
    const one = jsonl({ path, name: 'one' });
    const two = jsonl({ path, name: 'two' });
    const before = [bobEvents(5), aliceEvents(5), bobEvents(5)];
    await Promise.all([one.send(before[0]!), two.send(before[1]!), one.send(before[2]!)]);
    await jsonlErasure(path).erase(subject());
    const after = [bobEvents(4), bobEvents(4)];
    await Promise.all([one.send(after[0]!), two.send(after[1]!)]);
    await Promise.all([one.close?.(), two.close?.()]);
    const ids = (await readFile(path, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l).messageId);
    expect(ids.sort()).toEqual([...before[0]!, ...before[2]!, ...after.flat()].map((e) => e.messageId).sort());
  });

  it('rewrites rotated siblings too, gzip ones through gunzip and gzip', async () => {
    const path = join(dir, 'events.jsonl');
    const lines = (events: object[]) => events.map((e) => `${JSON.stringify(e)}\n`).join('');
    await writeFile(path, lines([...aliceEvents(3), ...bobEvents(2)]));
    await writeFile(`${path}.1`, lines([...bobEvents(4), ...aliceEvents(3)]));
    await writeFile(`${path}.2.gz`, gzipSync(lines([...aliceEvents(6), ...bobEvents(5)])));
    await writeFile(join(dir, 'other.jsonl'), lines(aliceEvents(2)));
    const result = await jsonlErasure(path).erase(subject());
    expect(result.erased).toBe(12);
    expect(result.detail).toMatch(/3 file\(s\) checked/);
    expect(hits(await readFile(path))).toEqual([]);
    expect(hits(await readFile(`${path}.1`))).toEqual([]);
    const unzipped = gunzipSync(await readFile(`${path}.2.gz`));
    expect(hits(unzipped)).toEqual([]);
    expect(unzipped.toString().split('\n').filter(Boolean)).toHaveLength(5);
    // Not a sibling of this file: not touched.
    expect(hits(await readFile(join(dir, 'other.jsonl')))).not.toEqual([]);
  });

  it('drops a torn or foreign line holding one of their ids, and keeps a last line without newline as it was', async () => {
    const path = join(dir, 'events.jsonl');
    const bob = JSON.stringify(bobEvents(1)[0]);
    await writeFile(path, `${bob}\n{"type":"track","userId":"${alice.userId}","prop\n${bob}`);
    expect((await jsonlErasure(path).erase(subject())).erased).toBe(1);
    expect(await readFile(path, 'utf8')).toBe(`${bob}\n${bob}`);
  });

  it('streams a large file in bounded memory', async () => {
    const path = join(dir, 'big.jsonl');
    // ~60 MB, 200k lines, 1 in 10 Alice's.
    const chunk: string[] = [];
    const handle = await import('node:fs/promises').then((fs) => fs.open(path, 'w'));
    for (let i = 0; i < 200_000; i++) {
      const e =
        i % 10 === 0
          ? trackEvent({ userId: alice.userId, properties: { sku: `sku-${i}`, pad: 'x'.repeat(200) } })
          : trackEvent({ anonymousId: `anon-${i}`, properties: { sku: `sku-${i}`, pad: 'x'.repeat(200) } });
      chunk.push(JSON.stringify(e));
      if (chunk.length === 10_000) {
        await handle.write(`${chunk.join('\n')}\n`);
        chunk.length = 0;
      }
    }
    await handle.close();
    // Live JS heap plus Buffers (arrayBuffers), measured after a full collection: what reading the
    // file whole would keep alive for the whole erase, while streaming keeps a chunk or two. (Without
    // the collection the figure is mostly garbage not yet taken, and varies with the machine's load.)
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const used = () => {
      gc();
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const before = used();
    let peak = before;
    const timer = setInterval(() => {
      peak = Math.max(peak, used());
    }, 20);
    const started = performance.now();
    const result = await jsonlErasure(path).erase(subject());
    const ms = performance.now() - started;
    clearInterval(timer);
    expect(result.erased).toBe(20_000);
    // Reading the file whole would keep at least its size (~82 MB) alive; streaming holds a chunk or two.
    const size = 200_000 * 410;
    expect(peak - before).toBeLessThan(size / 2);
    console.log(
      `jsonl erasure: 200k lines (${Math.round((await readFile(path)).length / 1e6)} MB left) in ${Math.round(ms)} ms, live heap+buffers peak +${Math.round((peak - before) / 1e6)} MB`,
    );
  }, 60_000);

  it('leaves the old file or the new one, never a torn one, when the process is killed while rewriting', async () => {
    const entry = join(dir, 'erase-child.mjs');
    await build({
      entryPoints: [new URL('./jsonl-erase.ts', import.meta.url).pathname],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: join(dir, 'jsonl-erase.mjs'),
      logLevel: 'silent',
    });
    const subjectSource = new URL('../privacy/subject.ts', import.meta.url).pathname;
    await build({
      entryPoints: [subjectSource],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: join(dir, 'subject.mjs'),
      logLevel: 'silent',
    });
    await writeFile(
      entry,
      `import { jsonlErasure } from './jsonl-erase.mjs';
import { createErasureSubject } from './subject.mjs';
const s = createErasureSubject({ erasureId: 'er_kill', userIds: [${JSON.stringify(alice.userId)}] });
process.stdout.write('go\\n');
await jsonlErasure(process.env.FILE).erase(s);
process.stdout.write('done\\n');
`,
    );
    const path = join(dir, 'events.jsonl');
    const rows = Array.from({ length: 60_000 }, (_, i) =>
      JSON.stringify(
        i % 4 === 0
          ? trackEvent({ userId: alice.userId, properties: { i } })
          : trackEvent({ anonymousId: `anon-${i}`, properties: { i, pad: 'p'.repeat(100) } }),
      ),
    );
    const old = `${rows.join('\n')}\n`;
    const next = `${rows.filter((r) => !r.includes(alice.userId)).join('\n')}\n`;
    const outcomes = { old: 0, new: 0 };
    for (const delayMs of [0, 5, 15, 30, 60, 100, 150, 250, 400, 800]) {
      await writeFile(path, old);
      const child = spawn(process.execPath, [entry], {
        env: { ...process.env, FILE: path },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const exited = new Promise((r) => child.once('exit', r));
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      await new Promise((r) => setTimeout(r, delayMs));
      child.kill('SIGKILL');
      await exited;
      const text = await readFile(path, 'utf8');
      if (text === old) outcomes.old++;
      else if (text === next) outcomes.new++;
      else throw new Error(`torn file after a kill at ${delayMs} ms: ${text.length} bytes`);
      // The next destination (or erasure) clears what the killed rewrite left behind.
      const destination = jsonl({ path });
      await destination.send([trackEvent()]);
      await destination.close?.();
      expect((await readdir(dir)).filter((n) => n.endsWith('.erasing'))).toEqual([]);
    }
    console.log(`killed rewrites: ${outcomes.old} left the old file, ${outcomes.new} the new one`);
    expect(outcomes.old + outcomes.new).toBe(10);
  }, 60_000);
});
