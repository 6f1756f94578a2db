/**
 * Where erasures are kept durably, in two parts with opposite rules:
 *
 * - `audit.jsonl` — every version of every erasure's audit record, appended and `fdatasync`ed
 *   before anything is reported. It holds no personal data (see `ErasureRecord`), so it is kept
 *   for as long as the shop must prove what it did; the last line of an id is its current state.
 * - `pending/<id>.json` — what an erasure still in progress needs to finish after a crash: the
 *   customer's identifiers (resolved once, before the identity graph forgot them) and which
 *   stores are done. It is written before the first store is touched, so a crash in the middle
 *   resumes instead of leaving half a customer behind, and removed the moment the last store and
 *   destination settle: the only copy of the identifiers Touchpoint keeps, for as short as it can.
 */
import { mkdir, open, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { removeFileDurably, replaceFileDurably, syncDirectory } from '../durable-file.js';
import type { ErasureRequest, SubjectInput } from './subject.js';
import type { ErasureRecord } from './types.js';

/** An erasure in progress, as `pending/<id>.json` holds it. */
export interface PendingErasure {
  id: string;
  subject: Omit<SubjectInput, 'keyOf'>;
  request: ErasureRequest;
  /** Stores already erased; the rest run again on resume. */
  storesDone: string[];
}

export interface ErasureJournal {
  /** Current audit records by id, in the order they were first written. */
  readonly records: Map<string, ErasureRecord>;
  /** Makes `record` the current version at once and appends it durably (resolves when synced). */
  put(record: ErasureRecord): Promise<void>;
  savePending(pending: PendingErasure): Promise<void>;
  loadPending(): Promise<PendingErasure[]>;
  dropPending(id: string): Promise<void>;
  close(): Promise<void>;
}

const ID = /^er_[0-9a-z_-]{8,64}$/;

export async function openErasureJournal(dir: string): Promise<ErasureJournal> {
  const pendingDir = join(dir, 'pending');
  await mkdir(pendingDir, { recursive: true });
  // A temporary file left by a crash during `savePending` may hold identifiers: it goes first.
  for (const name of await readdir(pendingDir))
    if (name.endsWith('.tmp')) await removeFileDurably(join(pendingDir, name));
  await syncDirectory(dir);
  const auditPath = join(dir, 'audit.jsonl');
  const records = new Map<string, ErasureRecord>();
  const text = await readFile(auditPath, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  // A line without its newline was torn by a crash during its write: it was never reported, so it is ignored
  // (and overwritten below, because the file is reopened for appending after the last whole line).
  const whole = text.lastIndexOf('\n') + 1;
  for (const line of text.slice(0, whole).split('\n')) {
    if (line === '') continue;
    const record = JSON.parse(line) as ErasureRecord;
    records.set(record.id, record);
  }
  const fh = await open(auditPath, 'a+');
  if (whole < Buffer.byteLength(text)) await fh.truncate(Buffer.byteLength(text.slice(0, whole)));
  await fh.datasync();
  let writing: Promise<unknown> = Promise.resolve();

  const pendingPath = (id: string) => {
    if (!ID.test(id)) throw new Error(`not an erasure id: ${id}`);
    return join(pendingDir, `${id}.json`);
  };

  return {
    records,
    put(record) {
      const line = `${JSON.stringify(record)}\n`;
      // The current version is set at once, so concurrent updates (two destinations answering
      // together) each build on the other's; callers await the write before they report it.
      records.set(record.id, record);
      // One writer at a time keeps lines whole and in order.
      const done = writing.then(async () => {
        await fh.appendFile(line);
        await fh.datasync();
      });
      writing = done.catch(() => {});
      return done;
    },
    savePending: (pending) => replaceFileDurably(pendingPath(pending.id), JSON.stringify(pending)),
    async loadPending() {
      const names = (await readdir(pendingDir)).filter((n) => n.endsWith('.json')).sort();
      const out: PendingErasure[] = [];
      for (const name of names) out.push(JSON.parse(await readFile(join(pendingDir, name), 'utf8')) as PendingErasure);
      return out;
    },
    dropPending: (id) => removeFileDurably(pendingPath(id)),
    async close() {
      await writing;
      await fh.close();
    },
  };
}
