/**
 * Writing files so that a crash or power loss leaves either the old content or the new one,
 * never a mix: the two steps every durable store here needs (the erasure journal, rewritten
 * `jsonl` files, log segments). `fdatasync` makes a file's bytes durable; the directory's own
 * `fsync` makes a new or renamed name durable (a file that was synced but whose directory entry
 * was not can vanish after a crash).
 */
import { open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Syncs a directory so entries created, renamed or removed in it survive a crash. */
export async function syncDirectory(dir: string): Promise<void> {
  // Not every platform lets a directory be opened (Windows); there the entry is synced with the file.
  const dh = await open(dir, 'r').catch(() => undefined);
  if (!dh) return;
  try {
    await dh.sync();
  } catch {
    // Some file systems refuse fsync on a directory; the file's own sync is the best we can do there.
  } finally {
    await dh.close();
  }
}

/**
 * Replaces `path` with `data` atomically and durably: writes a temporary file beside it, syncs
 * it, renames it over `path` and syncs the directory. Readers see the old file or the new one.
 */
export async function replaceFileDurably(path: string, data: string | Uint8Array): Promise<void> {
  const temp = `${path}.${process.pid}.${Date.now().toString(36)}.tmp`;
  const fh = await open(temp, 'w');
  try {
    await fh.writeFile(data);
    await fh.datasync();
  } catch (error) {
    await fh.close().catch(() => {});
    await unlink(temp).catch(() => {});
    throw error;
  } finally {
    await fh.close().catch(() => {});
  }
  await rename(temp, path);
  await syncDirectory(dirname(path));
}

/** Removes a file durably; a missing file is already removed. */
export async function removeFileDurably(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  await syncDirectory(dirname(path));
}
