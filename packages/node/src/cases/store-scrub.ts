/**
 * Physical erasure for the SQL store. A `delete` only marks rows dead: their bytes stay in the
 * table's pages, its indexes and TOAST until the space is reused, in the planner's statistics
 * (`pg_statistic` keeps sampled values), and in the write-ahead log. `scrubStore` removes them
 * from every file of the data directory:
 *
 * 1. `VACUUM FULL` every table of the store's schema: each table, its indexes and its TOAST are
 *    written anew from the live rows only; the old files are truncated at once and unlinked at
 *    the next checkpoint.
 * 2. Planner statistics: tables that have them are `ANALYZE`d again (from live rows only) and
 *    `pg_statistic` is rewritten with `VACUUM FULL`, dropping older versions of its rows.
 * 3. WAL: `pg_switch_wal()` closes the segment holding the deletes, and `CHECKPOINT` lets
 *    Postgres drop every older segment. Dropping is not erasing: with `wal_recycle` (the default)
 *    old segments are *renamed* to future names with their bytes intact. So the scrub then writes
 *    through every segment file ahead of the insert position — a tiny record and a WAL switch each,
 *    which fills the rest of the segment with zeros — until each has been overwritten. Segments a
 *    replication slot, `wal_keep_size` or a failing archiver keeps are reported, not touched.
 *
 * What it cannot reach, and says so in `warnings`: copies outside the data directory (WAL
 * archives, standbys, logical subscribers, backups, server logs) and freed filesystem blocks. It
 * needs a superuser (or `pg_checkpoint`, `pg_monitor` and EXECUTE on `pg_switch_wal`) on a
 * Postgres server; the embedded store always is one. It takes an exclusive lock on each table for
 * its rewrite — run it after a batch of erasures, not per event.
 */
import type { SqlStore } from './sql-store.js';

export interface ScrubReport {
  /** Tables rewritten (heap, indexes and TOAST). */
  tables: string[];
  /** `rewritten`: statistics recomputed and `pg_statistic` rewritten. */
  statistics: 'rewritten' | 'not_permitted';
  wal: {
    /**
     * `clean`: no WAL segment in the data directory holds bytes written before the scrub.
     * `retained`: segments kept for a slot, `wal_keep_size` or the archiver still do (`retained`).
     * `not_permitted`: the store's role may not switch WAL or checkpoint; nothing was done to the WAL.
     */
    status: 'clean' | 'retained' | 'not_permitted';
    /** Segment files written over because recycling had kept their old bytes under a future name. */
    overwritten: number;
    /** Names of segments from before the scrub that Postgres kept. */
    retained: string[];
  };
  /** What the scrub could not reach (archives, standbys) or was not allowed to do. */
  warnings: string[];
  durationMs: number;
  /** One line for an audit record; names tables and counts only. */
  detail: string;
}

const SEGMENT = /^[0-9A-F]{24}$/;
const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

function denied(error: unknown): boolean {
  return (error as { code?: string })?.code === '42501';
}

/** The WAL segment files in `pg_wal`, sorted (their names sort in WAL order on one timeline). */
async function segments(store: SqlStore): Promise<string[]> {
  const rows = await store.query<{ name: string }>('select name from pg_ls_waldir() order by name');
  return rows.map((r) => r.name).filter((n) => SEGMENT.test(n));
}

async function currentSegment(store: SqlStore): Promise<string> {
  const [row] = await store.query<{ name: string }>('select pg_walfile_name(pg_current_wal_insert_lsn()) as name');
  return row!.name;
}

/** Writes a record and switches, so the current segment is closed and the rest of it zero-filled. */
async function switchSegment(store: SqlStore): Promise<void> {
  // An xid makes the commit write WAL; a switch at the very start of a segment would do nothing.
  await store.query('select pg_current_xact_id()');
  await store.query('select pg_switch_wal()');
}

async function scrubWal(store: SqlStore, warnings: string[]): Promise<ScrubReport['wal']> {
  const embedded = store.kind === 'embedded';
  try {
    // PGlite is one backend that also checkpoints, so this session setting governs its checkpoints:
    // old segments are unlinked rather than renamed. A server's checkpointer ignores it; step 3 copes.
    if (embedded) await store.query('set wal_recycle = off');
    await switchSegment(store);
    await store.query('checkpoint');
    const current = await currentSegment(store);
    const before = await segments(store);
    // Older than the checkpoint's segment yet still here: kept for a slot, wal_keep_size or the archiver.
    const retained = before.filter((n) => n < current);
    // Ahead of the insert position: renamed old segments whose bytes are still the old ones.
    const ahead = before.filter((n) => n > current).length;
    for (let i = 0; i <= ahead; i++) await switchSegment(store);
    await store.query('checkpoint');
    const still = new Set(await segments(store));
    const kept = retained.filter((n) => still.has(n));
    if (kept.length > 0)
      warnings.push(
        `${kept.length} WAL segment(s) from before the scrub are kept by a replication slot, wal_keep_size or the archiver`,
      );
    return { status: kept.length > 0 ? 'retained' : 'clean', overwritten: ahead + 1, retained: kept };
  } catch (error) {
    if (!denied(error)) throw error;
    warnings.push(
      'WAL not scrubbed: the role may not call pg_switch_wal(), CHECKPOINT or pg_ls_waldir() (grant pg_checkpoint, pg_monitor and EXECUTE on pg_switch_wal, or run as a superuser)',
    );
    return { status: 'not_permitted', overwritten: 0, retained: [] };
  } finally {
    if (embedded) await store.query('reset wal_recycle');
  }
}

async function serverWarnings(store: SqlStore, warnings: string[]): Promise<void> {
  const [row] = await store.query<{ archive: string; slots: unknown }>(
    `select current_setting('archive_mode') as archive, (select count(*) from pg_replication_slots) as slots`,
  );
  if (row && row.archive !== 'off')
    warnings.push('archive_mode is on: archived WAL segments outside the data directory still hold the deleted rows');
  if (row && Number(row.slots) > 0)
    warnings.push('replication slots exist: standbys and subscribers hold their own copies of the deleted rows');
}

/**
 * Removes the bytes of deleted rows from the store's data files and WAL; call it after
 * erasures (or retention) on the identity graph, the case book and the consent ledger.
 *
 * @example
 * await book.erase(subject);
 * await graph.erase(subject);
 * const report = await scrubStore(store); // report.wal.status === 'clean'
 */
export async function scrubStore(store: SqlStore): Promise<ScrubReport> {
  const started = Date.now();
  const warnings: string[] = [];
  /**
   * `VACUUM FULL` skips, with only a notice, a table the role may not vacuum; a new file node is
   * the proof that it was rewritten.
   */
  const rewrite = async (name: string): Promise<boolean> => {
    const node = async () =>
      (await store.query<{ n: unknown }>('select pg_relation_filenode($1::regclass)::text as n', [name]))[0]?.n;
    const before = await node();
    try {
      // VACUUM cannot run inside a transaction: each statement is its own, one table at a time.
      await store.query(`vacuum full ${name}`);
    } catch (error) {
      if (!denied(error)) throw error;
      return false;
    }
    return (await node()) !== before;
  };
  const names = (
    await store.query<{ name: string }>('select tablename as name from pg_tables where schemaname = $1 order by 1', [
      store.schema,
    ])
  ).map((r) => r.name);
  const tables: string[] = [];
  for (const table of names) {
    if (await rewrite(`${quote(store.schema)}.${quote(table)}`)) tables.push(table);
    else warnings.push(`table ${table} not rewritten: the role may not VACUUM FULL it (it is not its owner)`);
  }

  const analysed = (
    await store.query<{ name: string }>(
      // pg_stats, not pg_statistic: any role may read the view for its own tables.
      'select distinct tablename as name from pg_stats where schemaname = $1',
      [store.schema],
    )
  ).map((r) => r.name);
  // Fresh statistics sample only live rows; the rewrite then drops the old versions of those rows.
  for (const table of analysed) await store.query(`analyze ${quote(store.schema)}.${quote(table)}`);
  const statistics: ScrubReport['statistics'] = (await rewrite('pg_catalog.pg_statistic'))
    ? 'rewritten'
    : 'not_permitted';
  if (statistics === 'not_permitted')
    warnings.push('pg_statistic not rewritten: the role may not VACUUM FULL it; old sampled values may remain there');

  if (store.kind === 'postgres') await serverWarnings(store, warnings);
  const wal = await scrubWal(store, warnings);
  const detail = `rewrote ${tables.length} tables${statistics === 'rewritten' ? ' and pg_statistic' : ''}; WAL ${wal.status} (${wal.overwritten} segments overwritten)${warnings.length > 0 ? `; ${warnings.join('; ')}` : ''}`;
  return { tables, statistics, wal, warnings, durationMs: Date.now() - started, detail };
}
