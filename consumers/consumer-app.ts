/**
 * Small real apps built the way a shop builds them, from the packed tarballs (see
 * consumers/pack.setup.ts and scripts/pack-packages.mjs). `prepareApp` copies a template from
 * `apps/<name>` into a scratch folder inside the repository and gives it a `node_modules` holding the
 * unpacked tarballs and links to this workspace package's pinned framework versions: no registry
 * access, nothing installed twice. Without the frameworks installed a suite is skipped with one loud
 * line, except under CI=true, where that is a failure (the rule of packages/node/test/services.ts).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { promisify } from 'node:util';
import type { Sink } from '../packages/node/test/loopback-sink.js';
import { installTarballs, linkDependency, root } from '../scripts/pack-packages.mjs';

export const repoRoot: string = root;
export const consumersDir = join(repoRoot, 'consumers');
export const scratchDir = join(repoRoot, '.tmp', 'consumers');
export const packsManifest = join(scratchDir, 'packs.json');
export const isCI = process.env.CI === 'true';

export interface Pack {
  name: string;
  dir: string;
  json: Record<string, unknown>;
  tarball: string;
}

/**
 * `true` when a suite needing `frameworks` must be skipped (not installed, not CI); says so loudly.
 *
 * @example
 * describe.skipIf(skipWithoutFrameworks('Next.js app', ['next', 'react']))('…', () => { … });
 */
export function skipWithoutFrameworks(suite: string, frameworks: string[]): boolean {
  const missing = frameworks.filter((f) => !existsSync(join(consumersDir, 'node_modules', f)));
  if (missing.length === 0 || isCI) return false;
  console.warn(
    `⚠ SKIPPED: ${suite} needs ${missing.join(', ')} (run pnpm install --frozen-lockfile); set CI=true to make this a failure`,
  );
  return true;
}

/**
 * Copies `apps/<name>` to a fresh scratch folder whose node_modules has every packed package and the
 * listed frameworks (plus typescript and @types/node from the repository root). Returns its path.
 *
 * @example
 * const dir = prepareApp('express', ['express', '@types/express']);
 */
export function prepareApp(name: string, frameworks: string[]): string {
  if (!existsSync(packsManifest)) throw new Error(`${packsManifest} is missing: consumers/pack.setup.ts packs first`);
  const packs = JSON.parse(readFileSync(packsManifest, 'utf8')) as Pack[];
  const dir = join(scratchDir, name);
  rmSync(dir, { recursive: true, force: true });
  cpSync(join(consumersDir, 'apps', name), dir, { recursive: true });
  const nodeModules = join(dir, 'node_modules');
  mkdirSync(nodeModules, { recursive: true });
  installTarballs(packs, nodeModules);
  for (const framework of frameworks) {
    if (!linkDependency(framework, consumersDir, nodeModules))
      throw new Error(`${framework} is not installed in consumers/ (pnpm install --frozen-lockfile)`);
  }
  for (const tool of ['typescript', '@types/node']) linkDependency(tool, repoRoot, nodeModules);
  return dir;
}

const execFileAsync = promisify(execFile);

/** Runs a command to completion; on failure the error carries its whole output. */
export async function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<string> {
  try {
    const { stdout, stderr } = await execFileAsync(command, args, {
      cwd: options.cwd,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...options.env },
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout + stderr;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${options.cwd}:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

/** `tsc` from the repository root, run on the app's own tsconfig.json. */
export function typecheck(dir: string, args: string[] = ['--noEmit']): Promise<string> {
  return run(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.', ...args], {
    cwd: dir,
  });
}

export interface AppServer {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/** Starts a server process and resolves once `url` answers any HTTP status (bounded by `ms`). */
export async function startServer(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string>; url: string; ms?: number },
): Promise<AppServer> {
  const child: ChildProcess = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const server: AppServer = {
    url: options.url,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
  const end = Date.now() + (options.ms ?? 30_000);
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`${command} ${args.join(' ')} exited early:\n${output}`);
    try {
      await fetch(options.url, { signal: AbortSignal.timeout(2000) });
      return server;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await server.stop();
  throw new Error(`${command} ${args.join(' ')} did not answer at ${options.url}:\n${output}`);
}

/** A wire-format batch of `count` track events named for the app that receives them. */
export function batchOf(app: string, count: number): { batch: Record<string, unknown>[]; sentAt: string; v: 1 } {
  const now = new Date().toISOString();
  const batch = Array.from({ length: count }, (_, i) => ({
    type: 'track',
    messageId: randomUUID(),
    timestamp: now,
    anonymousId: `anon-${app}`,
    event: 'consumer.checked',
    properties: { app, index: i },
  }));
  return { batch, sentAt: now, v: 1 };
}

/** Posts `body` as JSON with the write key, returning the status and parsed answer. */
export async function post(url: string, body: unknown, writeKey: string): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${writeKey}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/** Resolves once `sink` holds `n` events, or fails naming what arrived (bounded by `ms`). */
export async function delivered(sink: Sink, n: number, ms = 20_000): Promise<Sink['delivered']> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${sink.delivered.length} of ${n} events delivered after ${ms} ms`)), ms);
  });
  try {
    await Promise.race([sink.waitFor(n), timeout]);
  } finally {
    clearTimeout(timer);
  }
  return sink.delivered;
}

export interface Site {
  url: string;
  /** Events the pages posted to /api/touchpoints (the browser's wire format). */
  events: Array<{ messageId: string; event?: string; [key: string]: unknown }>;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

/** Serves a built app's folder on 127.0.0.1 and records what its tracker sends to /api/touchpoints. */
export async function serveSite(folder: string): Promise<Site> {
  const events: Site['events'] = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method === 'POST' && path === '/api/touchpoints') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { batch: Site['events'] };
        events.push(...body.batch);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted: body.batch.length }));
      });
      return;
    }
    const file = join(folder, normalize(path === '/' ? '/index.html' : path));
    if (!file.startsWith(folder) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    events,
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
