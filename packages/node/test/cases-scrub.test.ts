/**
 * Physical erasure: after a customer is erased from the graph, the case book and the consent
 * ledger and the store is scrubbed, no file of the data directory — heap, indexes, TOAST, planner
 * statistics, WAL, including WAL segments that recycling renamed with their old bytes — holds any
 * of their identifiers, raw or hashed; the other customer is intact. On the embedded store (a
 * PGlite `dataDir`) and on a real Postgres server whose PGDATA lies in the test's temp dir.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCaseBook } from '../src/cases/case-book.js';
import { createIdentityGraph } from '../src/cases/identity-graph.js';
import { openEmbeddedStore, openPostgresStore, type SqlStore } from '../src/cases/sql-store.js';
import { scrubStore } from '../src/cases/store-scrub.js';
import { createConsentLedger } from '../src/privacy/consent-ledger.js';
import { createErasureSubject } from '../src/privacy/subject.js';
import { type SeededCustomer, seedCustomer } from './cases-customers.js';
import { type PostgresServer, runPostgres, startPostgres } from './postgres.js';

const T0 = Date.parse('2026-06-01T03:00:00Z');

/** Every file under `dir` that holds `needle`'s bytes, as `needle → [relative paths]`. */
function search(dir: string, needles: string[]): Record<string, string[]> {
  const hits: Record<string, string[]> = {};
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  for (const file of files) {
    const path = join(file.parentPath, file.name);
    const bytes = readFileSync(path);
    for (const needle of needles) {
      if (!bytes.includes(needle)) continue;
      hits[needle] ??= [];
      hits[needle].push(path.slice(dir.length + 1));
    }
  }
  return hits;
}

/** WAL enough to fill and recycle segments, so older segments (with the customer in them) live on under future names. */
async function churnWal(store: SqlStore, rounds: number): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await store.query(
      `create table if not exists public.churn_${i} as select g, md5(g::text) as h from generate_series(1, 120000) g`,
    );
    await store.query(`drop table public.churn_${i}`);
    await store.query('checkpoint');
  }
}

interface Backend {
  name: string;
  enabled: boolean;
  /** Opens the store; `dataDir` is what the test searches. */
  open(): Promise<{ store: SqlStore; dataDir: string; searchDir: string; close(): Promise<void> }>;
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn().catch(() => {});
});

const backends: Backend[] = [
  {
    name: 'embedded (PGlite dataDir)',
    enabled: true,
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'tp-scrub-'));
      cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
      const dataDir = join(dir, 'cases');
      const store = await openEmbeddedStore({ dataDir });
      return { store, dataDir, searchDir: dir, close: () => store.close() };
    },
  },
  {
    name: 'postgres server',
    enabled: runPostgres,
    async open() {
      // Production-like WAL: full-page images on, so a page's first change after a checkpoint copies every row on it.
      const server: PostgresServer = await startPostgres({ settings: ['full_page_writes=on'] });
      cleanup.push(() => server.stop());
      const store = await openPostgresStore({ connectionString: server.url, max: 2 });
      // A clean shutdown (not the helper's immediate stop), so the search sees what a stopped server leaves.
      const close = async () => {
        await store.close();
        await server.shutdown();
      };
      return { store, dataDir: server.dataDir, searchDir: server.dir, close };
    },
  },
];

for (const backend of backends) {
  describe.skipIf(!backend.enabled)(`scrubStore on the ${backend.name}`, () => {
    it('leaves no byte of an erased customer in any file, raw or hashed, and the other customer whole', async () => {
      const { store, dataDir, searchDir, close } = await backend.open();
      const graph = createIdentityGraph(store, { hashKey: 'shop-secret', defaultCountryCode: '84' });
      const book = createCaseBook(graph);
      const ledger = createConsentLedger(store, { graph });

      await churnWal(store, 2);
      const ann: SeededCustomer = await seedCustomer(book, graph, 'ann', T0);
      await ledger.record(ann.consent);
      // Ann's rows now sit in a WAL segment that the next checkpoints recycle to a future name, bytes intact.
      await churnWal(store, 3);
      const bob = await seedCustomer(book, graph, 'bob', T0 + 60_000);
      await ledger.record(bob.consent);
      // Planner statistics sample values (Ann's among them) into pg_statistic.
      for (const table of ['identities', 'timeline', 'cases', 'consent_records']) await store.query(`analyze ${table}`);
      expect(
        Number(
          (
            await store.query<{ n: unknown }>(`select count(*) as n from pg_stats where schemaname = $1`, [
              store.schema,
            ])
          )[0]!.n,
        ),
      ).toBeGreaterThan(0);

      const subject = createErasureSubject({
        erasureId: 'er_scrub1',
        ...(await graph.profileOf({ userId: ann.userId })),
        emails: [ann.email],
        phones: [ann.phone],
      });
      expect((await ledger.erase(subject)).erased).toBe(1);
      expect((await book.erase(subject)).erased).toBeGreaterThan(5);
      expect((await graph.erase(subject)).erased).toBeGreaterThan(5);
      // Deleted is not gone: the bytes are still in the data directory.
      const before = search(searchDir, ann.needles);
      expect(Object.keys(before).length).toBeGreaterThan(3);

      const report = await scrubStore(store);
      expect(report.wal.status).toBe('clean');
      expect(report.statistics).toBe('rewritten');
      expect(report.tables).toEqual(expect.arrayContaining(['identities', 'timeline', 'consent_records', 'cases']));
      expect(report.warnings).toEqual([]);
      expect(report.detail).not.toContain(ann.userId);
      // Still usable: Bob's story and Ann's anonymous consent proof survive the rewrite.
      expect((await book.history({ userId: bob.userId }))?.cases).toHaveLength(1);
      expect(await ledger.ofErasure('er_scrub1')).toHaveLength(1);
      await close();

      const after = search(searchDir, [...ann.needles, ...bob.needles]);
      for (const needle of ann.needles) expect(after[needle], `${needle} found in ${after[needle]}`).toBeUndefined();
      // Bob's ids are on disk (in the rewritten tables), so the search would have found Ann's.
      for (const needle of [bob.userId, bob.anonymousId, bob.caseId, graph.key({ email: bob.email }).value])
        expect(after[needle]?.some((path) => path.includes('base/'))).toBe(true);
      expect(dataDir.startsWith(searchDir)).toBe(true);
    }, 300_000);
  });
}

describe.skipIf(!runPostgres)('scrubStore as a role that is not a superuser', () => {
  it('rewrites the tables it owns and says precisely what it could not scrub', async () => {
    const server = await startPostgres();
    cleanup.push(() => server.stop());
    const admin = await openPostgresStore({ connectionString: server.url, max: 1, schema: 'admin_side' });
    cleanup.push(() => admin.close());
    await admin.query('create role shop login');
    await admin.query('grant create on database postgres to shop');
    const store = await openPostgresStore({ connectionString: server.url.replace('postgres@', 'shop@'), max: 1 });
    cleanup.push(() => store.close());
    const graph = createIdentityGraph(store);
    await graph.link({ userId: 'u-1' }, { anonymousId: 'a-1' }, { reason: 'identify' });

    const report = await scrubStore(store);
    expect(report.tables).toEqual(expect.arrayContaining(['identities', 'links', 'profiles']));
    expect(report.statistics).toBe('not_permitted');
    expect(report.wal).toEqual({ status: 'not_permitted', overwritten: 0, retained: [] });
    expect(report.warnings.join('\n')).toMatch(/pg_statistic not rewritten/);
    expect(report.warnings.join('\n')).toMatch(/WAL not scrubbed: .*pg_checkpoint/);
    expect(report.detail).toContain('WAL not_permitted');
    expect((await graph.lookup({ anonymousId: 'a-1' }))?.size).toBe(2);
  }, 120_000);
});

describe.skipIf(!runPostgres)('scrubStore with WAL held by a replication slot', () => {
  it('reports the retained segments (the only files still holding the customer) and cleans them once the slot is gone', async () => {
    const server = await startPostgres({ settings: ['full_page_writes=on'] });
    cleanup.push(() => server.stop());
    const store = await openPostgresStore({ connectionString: server.url, max: 2 });
    cleanup.push(() => store.close());
    // A standby that stopped reading: its slot keeps every segment from now on.
    await store.query(`select pg_create_physical_replication_slot('standby_1', true)`);
    const graph = createIdentityGraph(store, { hashKey: 'shop-secret', defaultCountryCode: '84' });
    const book = createCaseBook(graph);
    const ann = await seedCustomer(book, graph, 'ann', T0);
    await seedCustomer(book, graph, 'bob', T0);
    const subject = createErasureSubject({ erasureId: 'er_slot', ...(await graph.profileOf({ userId: ann.userId })) });
    await book.erase(subject);
    await graph.erase(subject);

    const held = await scrubStore(store);
    expect(held.wal.status).toBe('retained');
    expect(held.wal.retained.length).toBeGreaterThan(0);
    expect(held.warnings.join('\n')).toMatch(/replication slots exist/);
    expect(held.warnings.join('\n')).toMatch(/kept by a replication slot/);
    const hits = search(server.dataDir, ann.needles);
    expect(Object.keys(hits).length).toBeGreaterThan(0);
    // Exactly where the report says: only in the retained segments.
    for (const paths of Object.values(hits))
      for (const path of paths) expect(held.wal.retained.map((n) => `pg_wal/${n}`)).toContain(path);

    await store.query(`select pg_drop_replication_slot('standby_1')`);
    const clean = await scrubStore(store);
    expect(clean.wal.status).toBe('clean');
    expect(clean.warnings).toEqual([]);
    expect(search(server.dataDir, ann.needles)).toEqual({});
  }, 180_000);
});
