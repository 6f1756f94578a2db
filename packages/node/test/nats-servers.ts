/**
 * nats-server processes with JetStream for the JetStream log's tests: one node, or a cluster of
 * three on loopback, each on a fixed port and store directory so a node can be killed (SIGKILL,
 * as a crash) and started again where it was.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogMessage, LogReader } from '../src/log/types.js';
import { findBinary, freePort } from './services.js';

export const natsBinary = findBinary('nats-server');

export interface NatsNode {
  url: string;
  port: number;
  /** Starts it (again) on the same port and store; resolves once it accepts connections. */
  start(): Promise<void>;
  /** SIGKILL: what a crash or an OOM kill does. */
  kill(): Promise<void>;
  running(): boolean;
}

export interface NatsCluster {
  nodes: NatsNode[];
  urls: string[];
  stop(): Promise<void>;
}

async function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

function node(args: () => string[], port: number): NatsNode {
  let child: ChildProcess | undefined;
  let stderr = '';
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    async start() {
      if (!natsBinary) throw new Error('nats-server not found on PATH; CI=true requires it');
      stderr = '';
      const started = spawn(natsBinary, args(), { stdio: ['ignore', 'ignore', 'pipe'] });
      started.stderr?.on('data', (d: Buffer) => {
        stderr = (stderr + d.toString()).slice(-4000);
      });
      child = started;
      const end = Date.now() + 15_000;
      while (!(await listening(port))) {
        if (started.exitCode !== null || Date.now() > end) {
          started.kill('SIGKILL');
          throw new Error(`nats-server on ${port} did not start:\n${stderr}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async kill() {
      const running = child;
      child = undefined;
      if (!running || running.exitCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGKILL');
      await exited;
    },
    running: () => child !== undefined && child.exitCode === null,
  };
}

/** One JetStream node with its own store directory. */
export async function startNatsNode(): Promise<NatsNode & { dir: string; stop(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'tp-js-'));
  const port = await freePort();
  const n = node(() => ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir], port);
  await n.start();
  return {
    ...n,
    /** The store directory (`-sd`), to search its bytes. */
    dir,
    async stop() {
      await n.kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Three JetStream nodes routed to each other as cluster `tp`. */
export async function startNatsCluster(): Promise<NatsCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'tp-jsc-'));
  const ports = [await freePort(), await freePort(), await freePort()];
  const routes = [await freePort(), await freePort(), await freePort()];
  const nodes = ports.map((port, i) =>
    node(
      () => [
        '-js',
        '-a',
        '127.0.0.1',
        '-p',
        String(port),
        '-sd',
        join(dir, `n${i}`),
        '-n',
        `n${i}`,
        '--cluster_name',
        'tp',
        '--cluster',
        `nats://127.0.0.1:${routes[i]}`,
        '--routes',
        routes
          .filter((_, j) => j !== i)
          .map((p) => `nats://127.0.0.1:${p}`)
          .join(','),
      ],
      port,
    ),
  );
  await Promise.all(nodes.map((n) => n.start()));
  return {
    nodes,
    urls: nodes.map((n) => n.url),
    async stop() {
      await Promise.all(nodes.map((n) => n.kill()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Reads and acks until `want` messages arrived or `ms` passed: what a delivery worker does,
 * for tests of a JetStream log's readers.
 */
export async function drain(reader: LogReader, want: number, ms = 10_000): Promise<LogMessage[]> {
  const got: LogMessage[] = [];
  const end = Date.now() + ms;
  while (got.length < want && Date.now() < end) {
    const batch = await reader.next({ maxEvents: 100, maxBytes: 1 << 20, waitMs: 200 });
    got.push(...batch);
    await reader.ack(batch);
  }
  return got;
}
