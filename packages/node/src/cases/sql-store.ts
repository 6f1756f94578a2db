/**
 * The one database interface the identity graph and the case book use, with two backends that
 * run the same SQL: an embedded Postgres (PGlite, Postgres compiled to WebAssembly, in this
 * process, in memory or in a data directory) and a Postgres server through `pg`. Both drivers are
 * optional peer dependencies, imported only when a store of their kind is opened.
 *
 * Every store works inside one Postgres schema (default `touchpoint`), so several shops, or
 * several tests, can share one database without seeing each other's rows.
 */
import { mkdir } from 'node:fs/promises';
import { TouchpointConfigError } from '@touchpoint/core';
import { migrate } from './migrations.js';
import { createPreparedRunner } from './pglite-statements.js';

/** Runs statements; inside `transaction` it is the transaction's connection. */
export interface SqlRunner {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface SqlStore extends SqlRunner {
  /** `embedded` (PGlite in this process) or `postgres` (a server through `pg`). */
  readonly kind: 'embedded' | 'postgres';
  /** The Postgres schema holding the tables. */
  readonly schema: string;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<R>(fn: (tx: SqlRunner) => Promise<R>): Promise<R>;
  /** Closes the connection (embedded: the database; postgres: the pool). */
  close(): Promise<void>;
}

export interface EmbeddedStoreOptions {
  /** Directory to keep the database in; omit for memory only (gone when the process ends). */
  dataDir?: string;
  /** Postgres schema for the tables (default `touchpoint`). */
  schema?: string;
}

export interface PostgresStoreOptions {
  /** `postgres://user:pass@host:5432/db`. */
  connectionString: string;
  /** Postgres schema for the tables (default `touchpoint`). */
  schema?: string;
  /** Connections in the pool the store opens (default 10). */
  max?: number;
}

/** The part of `pg.Pool` the store uses. */
interface PgPoolLike {
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
  connect(): Promise<{ query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>; release(): void }>;
  end(): Promise<void>;
}

const SCHEMA_RE = /^[a-z_][a-z0-9_]{0,62}$/;

function checkSchema(schema: string | undefined): string {
  const name = schema ?? 'touchpoint';
  if (!SCHEMA_RE.test(name))
    throw new TouchpointConfigError(
      'schema',
      `must be a lower-case SQL identifier (a-z, 0-9, _), got ${JSON.stringify(name)}`,
    );
  return name;
}

async function importOptional<T>(name: string, field: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (error) {
    throw new TouchpointConfigError(
      field,
      `needs the optional dependency ${name}: npm install ${name} (${String(error)})`,
    );
  }
}

/**
 * Opens the embedded store: Postgres in this process, no server to run. Creates the schema and
 * runs the migrations.
 *
 * @example
 * const store = await openEmbeddedStore({ dataDir: './data/cases' });
 * const graph = createIdentityGraph(store);
 */
export async function openEmbeddedStore(options: EmbeddedStoreOptions = {}): Promise<SqlStore> {
  const schema = checkSchema(options.schema);
  // PGlite creates the data directory but not its parents; a path like ./data/cases should just work.
  if (options.dataDir && !options.dataDir.includes('://')) await mkdir(options.dataDir, { recursive: true });
  const pglite = await importOptional<typeof import('@electric-sql/pglite')>(
    '@electric-sql/pglite',
    'openEmbeddedStore',
  );
  const db = await pglite.PGlite.create(options.dataDir);
  await db.exec(`create schema if not exists ${schema}; set search_path to ${schema}`);
  const prepared = createPreparedRunner(db, pglite);
  // One queue for plain queries and whole transactions: a prepared statement is sent with
  // execProtocol, which PGlite does not hold back while another caller's transaction is open.
  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <R>(fn: () => Promise<R>): Promise<R> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => {});
    return run;
  };
  const store: SqlStore = {
    kind: 'embedded',
    schema,
    query: <T>(sql: string, params?: unknown[]) =>
      exclusive(async () =>
        prepared.accepts(sql) ? prepared.query<T>(sql, params, false) : (await db.query<T>(sql, params)).rows,
      ),
    transaction: (fn) =>
      exclusive(() =>
        db.transaction((tx) =>
          fn({
            query: async <T>(sql: string, params?: unknown[]) =>
              prepared.accepts(sql) ? prepared.query<T>(sql, params, true) : (await tx.query<T>(sql, params)).rows,
          }),
        ),
      ),
    close: () => exclusive(() => db.close()),
  };
  await migrate(store);
  return store;
}

/**
 * Opens a store on a Postgres server, for shops running many instances on one database. Creates
 * the schema and runs the migrations (instances starting together take turns on an advisory lock).
 *
 * @example
 * const store = await openPostgresStore({ connectionString: process.env.DATABASE_URL });
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<SqlStore> {
  const schema = checkSchema(options.schema);
  if (typeof options?.connectionString !== 'string' || options.connectionString === '')
    throw new TouchpointConfigError('openPostgresStore.connectionString', 'must be a postgres:// URL');
  const pg = await importOptional<{ default: { Pool: new (config: object) => PgPoolLike } }>('pg', 'openPostgresStore');
  const p = new pg.default.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    // Every connection starts in the store's schema, so the SQL never names it.
    options: `-c search_path=${schema}`,
  });
  await p.query(`create schema if not exists ${schema}`);
  const store: SqlStore = {
    kind: 'postgres',
    schema,
    async query<T>(sql: string, params?: unknown[]) {
      return (await p.query(sql, params)).rows as T[];
    },
    async transaction(fn) {
      const client = await p.connect();
      try {
        await client.query('begin');
        const result = await fn({
          query: async <T>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as T[],
        });
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => p.end(),
  };
  await migrate(store);
  return store;
}
