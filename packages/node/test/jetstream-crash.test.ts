/**
 * The JetStream crash test: 100k events from 2 ingest instances (forwarders with `deliver: false`,
 * appending as the ingest's `accept` does) to 3 delivery workers (forwarders with an HTTP
 * destination on a loopback sink), all child processes, through a stream with 3 replicas on a
 * 3-node nats-server cluster on loopback. Mid-run
 * one ingest instance, one worker and the stream's leader node are SIGKILLed (the ingest instance
 * and the node are started again, the worker is not). Every event JetStream acknowledged must
 * reach the sink; duplicates are allowed (at-least-once) and counted.
 *
 * The children import the built package (`pnpm --filter @touchpoint/node build`; `pnpm test`
 * builds first).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import { type NatsCluster, natsBinary, startNatsCluster } from './nats-servers.js';
import { shouldRun } from './services.js';

const run = shouldRun(
  natsBinary,
  'nats-server (the JetStream crash test needs nats-server, Debian package nats-server)',
);

const EVENTS_PER_INGEST = Number(process.env.TP_CRASH_EVENTS ?? 50_000);
const ACK_WAIT_MS = 3000;
const STREAM = 'CRASH';
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const built = existsSync(here('../dist/index.js'));
// The children load a private copy of dist/: another build in the same tree (tsup cleans dist/)
// must not pull the package from under a running child. Inside node_modules/ so that the copy
// resolves @touchpoint/core and @nats-io/* as dist/ does.
const privateDist = here(`../node_modules/.tp-crash-${process.pid}/dist`);

/** Per instance, one byte per event index: 1 sent, 2 acknowledged. */
type Ledger = Uint8Array[];

function startChild(script: string, args: string[], onLine: (line: string) => void): ChildProcess {
  const child = spawn(process.execPath, [here(script), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TP_DIST_INDEX: pathToFileURL(`${privateDist}/index.js`).href },
  });
  let rest = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString()).split('\n');
    rest = lines.pop()!;
    for (const line of lines) onLine(line);
  });
  child.stderr!.on('data', (chunk: Buffer) => process.stderr.write(`[${script}] ${chunk}`));
  return child;
}

async function startCountingSink(): Promise<{ url: string; counts: Map<string, number>; server: Server }> {
  const counts = new Map<string, number>();
  let requests = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      // Every 97th request fails as a backend sometimes does: the worker retries it.
      if (++requests % 97 === 0) {
        res.writeHead(503).end();
        return;
      }
      const { batch } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { batch: { messageId: string }[] };
      for (const e of batch) counts.set(e.messageId, (counts.get(e.messageId) ?? 0) + 1);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ingest`, counts, server };
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((resolve) => child.once('exit', () => resolve()));

describe.skipIf(!run)('jetStreamLog crash test (3-node cluster, 2 ingest instances, 3 workers)', () => {
  let cluster: NatsCluster | undefined;
  const children: ChildProcess[] = [];
  let sinkServer: Server | undefined;
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await Promise.all(children.map(exited));
    await cluster?.stop();
    sinkServer?.close();
    rmSync(here(`../node_modules/.tp-crash-${process.pid}`), { recursive: true, force: true });
  });

  it('loses no acknowledged event when an ingest instance, a worker and a node are killed', {
    timeout: 240_000,
  }, async () => {
    expect(built, 'build the package first: pnpm --filter @touchpoint/node build').toBe(true);
    cpSync(here('../dist'), privateDist, { recursive: true });
    const started = Date.now();
    cluster = await startNatsCluster();
    const sink = await startCountingSink();
    sinkServer = sink.server;
    const servers = cluster.urls.join(',');
    const ledger: Ledger = [new Uint8Array(EVENTS_PER_INGEST), new Uint8Array(EVENTS_PER_INGEST)];
    let acknowledged = 0;
    let refused = 0;
    let resent = 0;
    const timeline: string[] = [];
    const note = (what: string) => timeline.push(`${((Date.now() - started) / 1000).toFixed(1)} s ${what}`);

    const ingest = (instance: number, from: number) => {
      const child = startChild(
        'jetstream-crash-ingest.mjs',
        [servers, STREAM, String(instance), String(from), String(EVENTS_PER_INGEST)],
        (line) => {
          const [kind, a, b] = line.split(' ');
          if (kind === 'R') refused += Number(a);
          if (kind !== 'S' && kind !== 'A') return;
          const marks = ledger[instance]!;
          for (let i = Number(a); i < Number(b); i++) {
            if (kind === 'A' && marks[i] !== 2) {
              marks[i] = 2;
              acknowledged++;
            } else if (kind === 'S') {
              if (marks[i] === 0) marks[i] = 1;
              else resent++;
            }
          }
        },
      );
      children.push(child);
      return child;
    };
    const worker = () => {
      const child = startChild(
        'jetstream-crash-worker.mjs',
        [servers, STREAM, sink.url, String(ACK_WAIT_MS)],
        () => {},
      );
      children.push(child);
      return child;
    };

    const workers = [worker(), worker(), worker()];
    const ingests = [ingest(0, 0), ingest(1, 0)];
    const total = 2 * EVENTS_PER_INGEST;

    // 1. A delivery worker dies holding unacked messages: the others get them after the ack wait.
    await until(() => sink.counts.size >= total * 0.2, 120_000);
    workers[0]!.kill('SIGKILL');
    note(`worker 1 killed (delivered ${sink.counts.size})`);

    // 2. An ingest instance dies mid-append; started again, it resends from its first unacknowledged event.
    await until(() => acknowledged >= total * 0.4, 120_000);
    ingests[1]!.kill('SIGKILL');
    await exited(ingests[1]!);
    const resumeAt = firstUnacked(ledger[1]!);
    note(`ingest 2 killed (acknowledged ${acknowledged}); restarted from event ${resumeAt}`);
    ingests[1] = ingest(1, resumeAt);

    // 3. The node leading the stream dies; it is started again 3 s later on the same store.
    await until(() => acknowledged >= total * 0.55, 120_000);
    const leader = await streamLeader(cluster.urls[0]!);
    const victim = cluster.nodes.find((_node, i) => `n${i}` === leader) ?? cluster.nodes[2]!;
    await victim.kill();
    note(`node ${leader ?? 'n2'} (stream leader) killed (acknowledged ${acknowledged})`);
    await new Promise((r) => setTimeout(r, 3000));
    await victim.start();
    note('node restarted');

    await Promise.all(ingests.map(exited));
    note(`ingest done (acknowledged ${acknowledged})`);
    const complete = () => {
      for (let inst = 0; inst < 2; inst++)
        for (let i = 0; i < EVENTS_PER_INGEST; i++)
          if (ledger[inst]![i] === 2 && !sink.counts.has(eventId(inst, i))) return false;
      return true;
    };
    await until(() => sink.counts.size >= acknowledged && complete(), 90_000);
    note(`delivered ${sink.counts.size}`);

    let sent = 0;
    let lost = 0;
    const missing: string[] = [];
    let deliveries = 0;
    for (let inst = 0; inst < 2; inst++)
      for (let i = 0; i < EVENTS_PER_INGEST; i++) {
        if (ledger[inst]![i]! > 0) sent++;
        if (ledger[inst]![i] === 2 && !sink.counts.has(eventId(inst, i))) {
          lost++;
          if (missing.length < 2000) missing.push(eventId(inst, i));
        }
      }
    for (const n of sink.counts.values()) deliveries += n;
    const stored = await storedMessages(cluster.urls[0]!);
    const report = {
      sent,
      acknowledged,
      delivered: sink.counts.size,
      duplicates: deliveries - sink.counts.size,
      lost,
      resent,
      stored,
      refusedAppends: refused,
      seconds: Math.round((Date.now() - started) / 1000),
    };
    console.log(`JetStream crash test: ${JSON.stringify(report)}\n  ${timeline.join('\n  ')}`);
    if (lost > 0) console.log(await diagnose(cluster.urls, missing));
    expect(lost).toBe(0);
    expect(acknowledged).toBe(total);
    expect(sink.counts.size).toBe(total);
    // Resent events (the restarted ingest instance, retried appends) were stored once: Nats-Msg-Id.
    expect(stored).toBe(total);
  });
});

function firstUnacked(marks: Uint8Array): number {
  for (let i = 0; i < marks.length; i++) if (marks[i] !== 2) return i;
  return marks.length;
}

function eventId(instance: number, i: number): string {
  return `00000000-0000-4000-8${String(instance).padStart(3, '0')}-${i.toString(16).padStart(12, '0')}`;
}

/** Where the missing events are: still in the stream (and the consumer's state), dead-lettered, or gone. */
async function diagnose(urls: string[], missing: string[]): Promise<string> {
  const nc = await connect({ servers: urls, timeout: 2000 });
  try {
    const jsm = await jetstreamManager(nc, { timeout: 5000 });
    const stream = await jsm.streams.info(STREAM);
    const consumer = await jsm.consumers.info(STREAM, 'http');
    const dead = await jsm.streams.info(`${STREAM}_DEAD`).catch(() => undefined);
    const want = new Set(missing);
    const found: string[] = [];
    const last = Math.min(stream.state.last_seq, stream.state.first_seq + 20_000);
    for (let seq = stream.state.first_seq; seq <= last && found.length < 20; seq++) {
      const m = await jsm.streams.getMessage(STREAM, { seq }).catch(() => null);
      const id = m ? (m.json() as { messageId: string }).messageId : undefined;
      if (id && want.has(id)) found.push(`${id}@${seq}`);
    }
    return JSON.stringify(
      {
        missing: missing.slice(0, 5),
        stream: stream.state,
        consumer: {
          delivered: consumer.delivered,
          ack_floor: consumer.ack_floor,
          num_pending: consumer.num_pending,
          num_ack_pending: consumer.num_ack_pending,
          num_redelivered: consumer.num_redelivered,
          cluster: consumer.cluster,
        },
        deadLetters: dead?.state.messages,
        stillInStream: found,
      },
      null,
      1,
    );
  } finally {
    await nc.close();
  }
}

async function streamInfo(url: string) {
  const nc = await connect({ servers: url, timeout: 2000 });
  try {
    const jsm = await jetstreamManager(nc, { timeout: 2000 });
    return await jsm.streams.info(STREAM);
  } catch {
    return undefined;
  } finally {
    await nc.close();
  }
}

async function streamLeader(url: string): Promise<string | undefined> {
  return (await streamInfo(url))?.cluster?.leader;
}

async function storedMessages(url: string): Promise<number | undefined> {
  // The last sequence, not the count: the trim purges what the destination acked.
  return (await streamInfo(url))?.state.last_seq;
}
