/**
 * Crash tests for the durable pipeline on one machine: a real server process (the ingest in front
 * of a forwarder on `fileLog`) is killed with SIGKILL while batches are arriving and a slow or
 * failing destination holds a backlog, then restarted on the same directory. Every event the
 * server acknowledged with a 200 must reach the destination; repeats are allowed only as whole
 * events with the same messageId (what dedupe at the destination removes).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrames } from '../src/log/frame.js';
import { type Sink, type SinkAnswer, startSink } from './loopback-sink.js';

const fixture = new URL('./fixtures/crash-server.mjs', import.meta.url).pathname;
const children: ChildProcess[] = [];
const sinks: Sink[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await Promise.all(sinks.splice(0).map((s) => s.close()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function startServer(dir: string, sinkUrl: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [fixture], {
    env: { ...process.env, DIR: dir, SINK_URL: sinkUrl },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code} before listening`)));
  });
  return { url: `http://127.0.0.1:${port}/v1/batch`, child };
}

function event(messageId: string) {
  return {
    type: 'track',
    event: 'product.viewed',
    messageId,
    anonymousId: 'anon-crash',
    timestamp: new Date().toISOString(),
    properties: { productId: 'mug-42', price: 14 },
  };
}

interface Run {
  sent: number;
  acknowledged: Set<string>;
}

/** Posts batches of 20 from 4 senders until `total` were sent or the server is gone. */
async function send(url: string, total: number, run: Run, onAck: () => void): Promise<void> {
  const sender = async () => {
    while (run.sent < total) {
      const ids = Array.from({ length: 20 }, () => randomUUID());
      run.sent += ids.length;
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer wk_crash' },
          body: JSON.stringify({ batch: ids.map(event), sentAt: new Date().toISOString() }),
        });
        if (res.status === 200) {
          for (const id of ids) run.acknowledged.add(id);
          onAck();
        }
        await res.arrayBuffer();
      } catch {
        // The server died mid-request: not acknowledged, so the browser keeps these and retries.
        return;
      }
    }
  };
  await Promise.all([sender(), sender(), sender(), sender()]);
}

async function crashAndRestart(answer: (index: number) => SinkAnswer, tearTail: boolean) {
  const dir = await mkdtemp(join(tmpdir(), 'tp-crash-'));
  dirs.push(dir);
  let healthy = false;
  const sink = await startSink((_, i) => (healthy ? {} : answer(i)));
  sinks.push(sink);
  const run: Run = { sent: 0, acknowledged: new Set() };
  const first = await startServer(dir, sink.url);
  await send(first.url, 4000, run, () => {
    if (run.acknowledged.size >= 2000 && first.child.exitCode === null && !first.child.killed)
      first.child.kill('SIGKILL');
  });
  const { child } = first;
  await new Promise((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve(undefined) : child.once('exit', resolve),
  );
  let torn = 0;
  if (tearTail) {
    // What a crash inside a write leaves behind: a frame's header and part of its payload.
    const names = (await readdir(join(dir, 'segments'))).sort();
    const frame = encodeFrames([JSON.stringify(event(randomUUID()))], 1e9, Date.now());
    torn = frame.length - 7;
    await appendFile(join(dir, 'segments', names[names.length - 1]!), frame.subarray(0, torn));
  }
  const deliveredBeforeRestart = sink.delivered.length;
  healthy = true;
  await startServer(dir, sink.url);
  const deadline = Date.now() + 60_000;
  const seen = () => new Set(sink.delivered.map((e) => e.messageId));
  while (Date.now() < deadline && [...run.acknowledged].some((id) => !seen().has(id))) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const delivered = seen();
  const lost = [...run.acknowledged].filter((id) => !delivered.has(id)).length;
  const figures = {
    sent: run.sent,
    acknowledged: run.acknowledged.size,
    deliveredBeforeCrash: deliveredBeforeRestart,
    delivered: delivered.size,
    duplicates: sink.delivered.length - delivered.size,
    lost,
    tornBytesWritten: torn,
  };
  console.log(`[crash test] ${JSON.stringify(figures)}`);
  return figures;
}

describe('fileLog crash tests (SIGKILL, restart on the same directory)', () => {
  it('a slow destination: every acknowledged event arrives after the restart', async () => {
    const figures = await crashAndRestart(() => ({ delayMs: 300 }), false);
    expect(figures.acknowledged).toBeGreaterThanOrEqual(2000);
    expect(figures.lost).toBe(0);
    // Nothing but acknowledged (or in-flight-at-the-kill) events is delivered, each at most a few times.
    expect(figures.duplicates).toBeLessThan(figures.acknowledged);
  }, 120_000);

  it('a failing destination and a torn record at the tail: nothing acknowledged is lost', async () => {
    const figures = await crashAndRestart((i) => (i % 2 === 0 ? { status: 503 } : { reset: true }), true);
    expect(figures.acknowledged).toBeGreaterThanOrEqual(2000);
    expect(figures.deliveredBeforeCrash).toBe(0);
    expect(figures.lost).toBe(0);
  }, 120_000);
});
