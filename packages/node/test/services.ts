/**
 * Real Redis and NATS servers for tests, started on free loopback ports and stopped after.
 * When a binary is missing, tests that need it are skipped with one loud line — unless
 * `CI=true`, where a missing binary fails the run instead.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';

export const isCI = process.env.CI === 'true';

export function findBinary(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/bin', '/usr/sbin', '/usr/local/bin'];
  for (const dir of dirs) {
    if (dir && existsSync(`${dir}/${name}`)) return `${dir}/${name}`;
  }
  return undefined;
}

/** `true` when tests needing `binary` should run; warns once (loudly) when they are skipped. */
export function shouldRun(binary: string | undefined, what: string): boolean {
  if (binary || isCI) return true;
  console.warn(
    `⚠ SKIPPED: ${what} — install it (apt-get install ${what.split(' ')[0]}) or set CI=true to make its absence a failure`,
  );
  return false;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForPort(port: number, child: ChildProcess, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listening on 127.0.0.1:${port} after ${ms} ms`);
}

export interface Service {
  port: number;
  url: string;
  stop(): Promise<void>;
}

export async function startService(
  binary: string | undefined,
  args: (port: number) => string[],
  scheme: string,
): Promise<Service> {
  if (!binary) throw new Error(`binary not found on PATH; CI=true requires it`);
  const port = await freePort();
  const child = spawn(binary, args(port), { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  try {
    await waitForPort(port, child);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${binary} did not start: ${String(error)}\n${stderr}`);
  }
  return {
    port,
    url: `${scheme}://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}
