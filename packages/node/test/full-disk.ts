/**
 * A small disk that tests can fill up and free again, to prove that a full disk is an error
 * someone hears about and never a lost or torn event.
 *
 * `withFullDisk(sizeBytes, fn)` mounts a `tmpfs` of that size on a fresh directory when the test
 * may mount one (root on Linux: what CI and the dev machines are), so writes fail with the kernel's
 * own `ENOSPC`, short writes included. Where mounting is not permitted it falls back to an injected
 * `ENOSPC`: node:fs's write functions (FileHandle `write`/`writev`, `fs.write*`) are wrapped so that
 * writes to files under the directory past `sizeBytes` in total are cut short, then refused — the
 * same sequence a real disk gives. `disk.mode` says which ran; `TOUCHPOINT_FULL_DISK=injected`
 * forces the fallback. The directory is always unmounted (or the wrappers removed) and deleted
 * when `fn` settles.
 *
 * @example
 * await withFullDisk(1 << 20, async (disk) => {
 *   const log = fileLog({ dir: disk.dir });
 *   await disk.fill();        // no byte left
 *   expect(await log.append([json])).toMatchObject({ ok: false, reason: 'unavailable' });
 *   await disk.free();        // space is back
 * });
 */
import { execFile } from 'node:child_process';
import fs, { readlinkSync } from 'node:fs';
import { mkdtemp, open, rm, statfs } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type FullDiskMode = 'tmpfs' | 'injected';

export interface FullDisk {
  /** An empty directory on the small disk: put the files under test here. */
  readonly dir: string;
  /** `tmpfs`: a real file system of `sizeBytes`; `injected`: node:fs writes under `dir` fail past it. */
  readonly mode: FullDiskMode;
  /** Fills the disk with a filler file until at most `leaveBytes` are free (default 0: none). */
  fill(leaveBytes?: number): Promise<void>;
  /** Deletes the filler file: the space is back. */
  free(): Promise<void>;
  /** Bytes that can still be written. */
  available(): Promise<number>;
}

export interface FullDiskOptions {
  /** `auto` (default): tmpfs when mounting works, injected otherwise. */
  mode?: FullDiskMode | 'auto';
}

/** Runs `fn` with a disk of `sizeBytes` (tmpfs rounds up to whole pages), then removes it. */
export async function withFullDisk<T>(
  sizeBytes: number,
  fn: (disk: FullDisk) => Promise<T>,
  options: FullDiskOptions = {},
): Promise<T> {
  const wanted = options.mode ?? (process.env.TOUCHPOINT_FULL_DISK as FullDiskMode | undefined) ?? 'auto';
  const dir = await mkdtemp(join(tmpdir(), 'tp-full-disk-'));
  const mounted = wanted !== 'injected' && (await mountTmpfs(dir, sizeBytes));
  if (wanted === 'tmpfs' && !mounted) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`withFullDisk: mounting a tmpfs on ${dir} is not permitted here (mode 'tmpfs' was asked for)`);
  }
  const filler = join(dir, '.filler');
  const uninject = mounted ? undefined : injectQuota(dir, sizeBytes, await fileHandlePrototype());
  const available = mounted
    ? async () => {
        const s = await statfs(dir);
        return s.bavail * s.bsize;
      }
    : async () => Math.max(0, sizeBytes - usedBytes(dir));
  const disk: FullDisk = {
    dir,
    mode: mounted ? 'tmpfs' : 'injected',
    available,
    async fill(leaveBytes = 0) {
      const fh = await open(filler, 'a');
      try {
        // Real writes, in page-sized steps, so tmpfs really allocates what it counts.
        const chunk = Buffer.alloc(4096);
        for (let free = await available(); free > leaveBytes; free = await available()) {
          const { bytesWritten } = await fh.write(chunk, 0, Math.min(chunk.length, free - leaveBytes));
          if (bytesWritten === 0) break;
        }
      } catch (error) {
        if ((error as { code?: string }).code !== 'ENOSPC') throw error;
      } finally {
        await fh.close();
      }
    },
    async free() {
      await rm(filler, { force: true });
    },
  };
  try {
    return await fn(disk);
  } finally {
    uninject?.();
    if (mounted) await unmount(dir);
    await rm(dir, { recursive: true, force: true });
  }
}

async function mountTmpfs(dir: string, sizeBytes: number): Promise<boolean> {
  if (process.platform !== 'linux') return false;
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0700`, 'tmpfs', dir]);
    return true;
  } catch {
    return false;
  }
}

async function unmount(dir: string): Promise<void> {
  try {
    await run('umount', [dir]);
  } catch {
    // Still busy (a handle the code under test left open): detach now, freed when it closes.
    await run('umount', ['-l', dir]);
  }
}

/** Bytes in the files under `dir` (what the injected disk counts as used). */
function usedBytes(dir: string): number {
  let total = 0;
  for (let attempt = 0; ; attempt++) {
    try {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
        // A file may go between the listing and its stat (renamed over, deleted): it holds nothing then.
        if (entry.isFile())
          total += fs.statSync(join(entry.parentPath ?? entry.path, entry.name), { throwIfNoEntry: false })?.size ?? 0;
      }
      return total;
    } catch (error) {
      // A directory removed during the walk: walk again.
      if ((error as { code?: string }).code !== 'ENOENT' || attempt > 3) throw error;
      total = 0;
    }
  }
}

function enospc(syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`ENOSPC: no space left on device, ${syscall}`), {
    code: 'ENOSPC',
    errno: -28,
    syscall,
  });
}

type Patch = [target: Record<string, unknown>, key: string, original: unknown];

/**
 * Wraps node:fs's fd-based write functions so writes to files under `dir` see a disk of
 * `sizeBytes`: a write that fits passes, one that does not is cut to what is left (a short write),
 * and once nothing is left it fails with `ENOSPC`. Returns the function that removes the wrappers.
 */
function injectQuota(dir: string, sizeBytes: number, handleProto: Record<string, unknown>): () => void {
  const prefix = dir.endsWith(sep) ? dir : dir + sep;
  const underDir = (fd: number) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith(prefix);
    } catch {
      return false;
    }
  };
  /** How many of `length` bytes fit now; throws ENOSPC when none does. */
  const allow = (fd: number, length: number, syscall: string) => {
    if (length === 0 || !underDir(fd)) return length;
    const left = sizeBytes - usedBytes(dir);
    if (left <= 0) throw enospc(syscall);
    return Math.min(length, left);
  };
  /** `(data, offset?, length?, position?)` or `(string, position?, encoding?)` as one buffer slice. */
  const asSlice = (data: unknown, args: unknown[]) => {
    if (typeof data === 'string') {
      const buf = Buffer.from(data, (args[1] as BufferEncoding) ?? 'utf8');
      return { buf, offset: 0, length: buf.length, position: args[0] ?? null };
    }
    const view = data as ArrayBufferView;
    const buf = Buffer.from(view.buffer, view.byteOffset, view.byteLength);
    const opts = args[0] !== null && typeof args[0] === 'object' ? (args[0] as Record<string, unknown>) : undefined;
    const offset = Number((opts ? opts.offset : args[0]) ?? 0);
    const length = Number((opts ? opts.length : args[1]) ?? buf.length - offset);
    return { buf, offset, length, position: (opts ? opts.position : args[2]) ?? null };
  };
  /** Buffers cut to `bytes` in total. */
  const cutBuffers = (buffers: readonly ArrayBufferView[], bytes: number) => {
    const out: Buffer[] = [];
    for (const b of buffers) {
      if (bytes <= 0) break;
      const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
      out.push(buf.subarray(0, Math.min(buf.length, bytes)));
      bytes -= buf.length;
    }
    return out;
  };
  const total = (buffers: readonly ArrayBufferView[]) => buffers.reduce((n, b) => n + b.byteLength, 0);

  const patches: Patch[] = [];
  const patch = (target: object, key: string, make: (original: Function) => Function) => {
    const t = target as Record<string, unknown>;
    patches.push([t, key, t[key]]);
    t[key] = make(t[key] as Function);
  };

  // FileHandle: node:fs/promises' handles (the class is not exported; its prototype is shared).
  patch(
    handleProto,
    'write',
    (original) =>
      async function (this: { fd: number }, data: unknown, ...args: unknown[]) {
        const s = asSlice(data, args);
        const n = allow(this.fd, s.length, 'write');
        return original.call(this, s.buf, s.offset, n, s.position);
      },
  );
  patch(
    handleProto,
    'writev',
    (original) =>
      async function (this: { fd: number }, buffers: ArrayBufferView[], position?: number | null) {
        const n = allow(this.fd, total(buffers), 'writev');
        return original.call(this, cutBuffers(buffers, n), position);
      },
  );
  // node:fs: sync and callback forms (write streams go through fs.write / fs.writev).
  const fsObject = fs as unknown as Record<string, unknown>;
  patch(fsObject, 'writeSync', (original) => (fd: number, data: unknown, ...args: unknown[]) => {
    const s = asSlice(data, args);
    return original(fd, s.buf, s.offset, allow(fd, s.length, 'write'), s.position);
  });
  patch(
    fsObject,
    'writevSync',
    (original) => (fd: number, buffers: ArrayBufferView[], position?: number | null) =>
      original(fd, cutBuffers(buffers, allow(fd, total(buffers), 'writev')), position),
  );
  patch(fsObject, 'write', (original) => (fd: number, data: unknown, ...args: unknown[]) => {
    const callback = args.pop() as (error: Error | null, ...rest: unknown[]) => void;
    const s = asSlice(data, args);
    let n: number;
    try {
      n = allow(fd, s.length, 'write');
    } catch (error) {
      process.nextTick(callback, error);
      return;
    }
    original(fd, s.buf, s.offset, n, s.position, callback);
  });
  patch(fsObject, 'writev', (original) => (fd: number, buffers: ArrayBufferView[], ...args: unknown[]) => {
    const callback = args.pop() as (error: Error | null, ...rest: unknown[]) => void;
    let n: number;
    try {
      n = allow(fd, total(buffers), 'writev');
    } catch (error) {
      process.nextTick(callback, error);
      return;
    }
    original(fd, cutBuffers(buffers, n), args[0] ?? null, callback);
  });
  // Named ESM imports of node:fs (`import { writeSync } from 'node:fs'`) see the wrappers too.
  syncBuiltinESMExports();
  return () => {
    for (const [target, key, original] of patches.reverse()) target[key] = original;
    syncBuiltinESMExports();
  };
}

/** The prototype of node:fs/promises' FileHandle, taken from a handle (the class is not exported). */
async function fileHandlePrototype(): Promise<Record<string, unknown>> {
  const fh = await open(process.execPath, 'r');
  await fh.close();
  return Object.getPrototypeOf(fh);
}
