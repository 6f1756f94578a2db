/**
 * A real Postgres server for tests: a throwaway cluster made with `initdb` in a temp dir and
 * started with `pg_ctl` on a free loopback port, as the `postgres` user when the tests run as
 * root (Postgres refuses to run as root). Without Debian's `postgresql` the tests that need it are
 * skipped with one loud line — unless `CI=true`, where its absence fails the run.
 */

import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe } from 'vitest';
import { migrate } from '../src/cases/migrations.js';
import { openEmbeddedStore, openPostgresStore, type SqlStore } from '../src/cases/sql-store.js';
import { freePort, shouldRun } from './services.js';

const run = promisify(execFile);

/** The newest `/usr/lib/postgresql/<version>/bin`, or `undefined`. */
export function findPostgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : undefined;
}

export const postgresBin = findPostgresBin();
export const runPostgres = shouldRun(postgresBin && `${postgresBin}/initdb`, 'postgresql (initdb, pg_ctl)');

export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  url: string;
  /** The cluster's PGDATA, inside `dir` (with the server log), both removed by `stop()`. */
  dataDir: string;
  dir: string;
  /** A clean (`fast`) shutdown that keeps the files, e.g. to search them; `stop()` still removes them. */
  shutdown(): Promise<void>;
  stop(): Promise<void>;
}

/** `settings` are extra `-c name=value` server settings (after the test defaults, so they win). */
export async function startPostgres(options: { settings?: string[] } = {}): Promise<PostgresServer> {
  if (!postgresBin)
    throw new Error(
      'postgresql not found under /usr/lib/postgresql/*/bin; CI=true requires it (apt-get install postgresql)',
    );
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'tp-pg-'));
  const data = join(dir, 'data');
  const as = (cmd: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', `${postgresBin}/${cmd}`, ...args])
      : run(`${postgresBin}/${cmd}`, args);
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const port = await freePort();
  try {
    await as('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    await as('pg_ctl', [
      '-D',
      data,
      '-w',
      '-t',
      '30',
      '-l',
      join(dir, 'log'),
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -F -c synchronous_commit=off -c full_page_writes=off ${(options.settings ?? []).map((s) => `-c ${s}`).join(' ')}`,
      'start',
    ]);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`postgres did not start: ${String(error)}`);
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    dataDir: data,
    dir,
    async shutdown() {
      await as('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
    },
    async stop() {
      await as('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The two stores every cases test runs on; `fresh()` empties the schema and migrates again. */
export interface StoreBackend {
  name: 'embedded' | 'postgres';
  enabled: boolean;
  open(): Promise<SqlStore>;
  fresh(store: SqlStore): Promise<void>;
  close(): Promise<void>;
}

async function fresh(store: SqlStore): Promise<void> {
  await store.query(`drop schema if exists ${store.schema} cascade`);
  await store.query(`create schema ${store.schema}`);
  await migrate(store);
}

export function storeBackends(): StoreBackend[] {
  let server: PostgresServer | undefined;
  const opened: SqlStore[] = [];
  return [
    {
      name: 'embedded',
      enabled: true,
      async open() {
        const store = await openEmbeddedStore();
        opened.push(store);
        return store;
      },
      fresh,
      async close() {
        for (const s of opened.splice(0)) await s.close().catch(() => {});
      },
    },
    {
      name: 'postgres',
      enabled: runPostgres,
      async open() {
        server ??= await startPostgres();
        const store = await openPostgresStore({ connectionString: server.url, max: 4 });
        opened.push(store);
        return store;
      },
      fresh,
      async close() {
        for (const s of opened.splice(0)) await s.close().catch(() => {});
        await server?.stop();
        server = undefined;
      },
    },
  ];
}

/**
 * Declares the same tests once per store backend (embedded PGlite, a real Postgres server), each in
 * a describe block of its own: the store is opened once, every test starts from a fresh schema, and
 * the store is closed after. `body` receives the backend and a getter for the open store.
 */
export function describeOnEachStore(
  title: string,
  body: (backend: StoreBackend, openStore: () => SqlStore) => void,
): void {
  for (const backend of storeBackends()) {
    describe.skipIf(!backend.enabled)(`${title} on the ${backend.name} store`, () => {
      let store: SqlStore;
      beforeAll(async () => {
        store = await backend.open();
      }, 120_000);
      afterAll(() => backend.close(), 30_000);
      beforeEach(() => backend.fresh(store), 30_000);
      body(backend, () => store);
    });
  }
}
