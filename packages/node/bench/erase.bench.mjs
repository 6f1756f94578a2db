// `pnpm bench`: erasing one customer from a durable file log — a 1M-event log of realistic
// ~300-byte events from several customers, one of whom has 100k of them. Prints how long
// `log.erase(subject)` took, the erase process's peak RSS (sampled, and the kernel's maxRSS), and
// how many bytes of the customer's ids are left in the segment files (searched afterwards).
// The log is written by this process; the erase runs in a child of its own, so its RSS is the
// erase's alone. BENCH_ERASE_EVENTS=1000000, BENCH_ERASE_SUBJECT=100000 (events of the erased
// customer); BENCH_DIST=../dist to bench another build.
import { fork } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = resolve(here, process.env.BENCH_DIST ?? '../dist');
const { fileLog } = await import(pathToFileURL(join(dist, 'index.js')).href);
const { createErasureSubject } = await import(pathToFileURL(join(dist, 'privacy/index.js')).href);

const total = Number(process.env.BENCH_ERASE_EVENTS ?? 1_000_000);
const ofSubject = Number(process.env.BENCH_ERASE_SUBJECT ?? 100_000);
const customers = 9; // besides the erased one

const who = (n) => ({ userId: `user-${n}-bench`, anonymousId: `anon-${n}-bench`, email: `shopper${n}@example.vn` });
const erased = who(999);
const event = (c, i) =>
  JSON.stringify({
    type: 'track',
    messageId: `msg-${c.userId}-${i}`,
    timestamp: '2026-11-22T10:00:00.000Z',
    receivedAt: '2026-11-22T10:00:00.120Z',
    anonymousId: c.anonymousId,
    userId: c.userId,
    event: 'cart.item_added',
    properties: { sku: `sku-${i % 97}`, price: 19.99, quantity: 1 + (i % 3), email: c.email },
    context: { channel: 'web', page: { path: '/products/mug-42' } },
  });
const subject = () =>
  createErasureSubject({
    erasureId: 'er_bench',
    userIds: [erased.userId],
    anonymousIds: [erased.anonymousId],
    emails: [erased.email],
  });

async function segmentFiles(dir) {
  const segments = join(dir, 'segments');
  return (await readdir(segments)).map((name) => join(segments, name));
}

if (process.argv[2] === 'erase') {
  // The child: open the log, erase, report.
  const dir = process.argv[3];
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  const log = fileLog({ dir, onError: () => {} });
  await log.list({ max: 1 }); // opened and recovered before the clock starts
  const rssOpen = process.memoryUsage().rss;
  const started = performance.now();
  const result = await log.erase(subject());
  const ms = performance.now() - started;
  peak = Math.max(peak, process.memoryUsage().rss);
  clearInterval(sampler);
  await log.close();
  process.send({
    ms,
    erased: result.erased,
    messageIds: result.messageIds.length,
    rssOpen,
    peak,
    maxRss: process.resourceUsage().maxRSS * 1024,
  });
} else {
  const dir = await mkdtemp(join(tmpdir(), 'tp-erase-bench-'));
  try {
    const writeStarted = performance.now();
    const log = fileLog({ dir, maxBytes: 4 * 1024 ** 3, onError: () => {} });
    // The erased customer's events are spread evenly through the log, among everyone else's.
    const every = total / ofSubject;
    let bytes = 0;
    let n = 0;
    for (let from = 0; from < total; from += 10_000) {
      const batch = [];
      for (let i = from; i < Math.min(total, from + 10_000); i++) {
        const json = i % every === 0 ? event(erased, i) : event(who(i % customers), i);
        bytes += json.length;
        batch.push(json);
        n++;
      }
      const result = await log.append(batch);
      if (!result.ok) throw new Error(`append failed: ${result.message}`);
    }
    await log.close();
    const writeMs = performance.now() - writeStarted;
    let onDisk = 0;
    for (const file of await segmentFiles(dir)) onDisk += (await stat(file)).size;

    const proc = fork(fileURLToPath(import.meta.url), ['erase', dir], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env },
    });
    const report = await new Promise((ok, fail) => {
      proc.once('message', ok);
      proc.once('exit', (code) => fail(new Error(`erase child exited with ${code} before reporting`)));
    });

    let left = 0;
    for (const file of await segmentFiles(dir)) {
      const data = await readFile(file);
      for (const needle of [erased.userId, erased.anonymousId, erased.email]) {
        for (let at = data.indexOf(needle); at >= 0; at = data.indexOf(needle, at + 1)) left++;
      }
    }
    const mb = (b) => `${(b / 1024 / 1024).toFixed(0)} MB`;
    console.log(`\nErasing one customer from a file log (${new Date().toISOString()}, node ${process.version})\n`);
    console.log(
      "| log | customer's events | log on disk | erase time | erased / message ids | RSS at open | peak RSS (sampled) | maxRSS (kernel) | their ids left on disk |",
    );
    console.log('|---|---|---|---|---|---|---|---|---|');
    console.log(
      `| ${n.toLocaleString('en')} events (${(bytes / n).toFixed(0)} B avg JSON) | ${ofSubject.toLocaleString('en')} | ${mb(onDisk)} | ${(report.ms / 1000).toFixed(2)} s | ${report.erased.toLocaleString('en')} / ${report.messageIds.toLocaleString('en')} | ${mb(report.rssOpen)} | ${mb(report.peak)} | ${mb(report.maxRss)} | ${left} |`,
    );
    console.log(`\n(writing the log took ${(writeMs / 1000).toFixed(1)} s, fsync per 10,000-event append)`);
    if (report.erased !== ofSubject || left !== 0) {
      console.error(`erase incomplete: erased ${report.erased} of ${ofSubject}, ${left} id(s) left on disk`);
      process.exitCode = 1;
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
