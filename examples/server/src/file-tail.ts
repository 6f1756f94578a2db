/**
 * Reads what was appended to a JSONL file since the last read: complete lines only, so a line the
 * writer is still appending is picked up whole on the next call. The dashboard uses it to follow
 * the forwarder's output file without re-reading it from the start.
 */
import { open } from 'node:fs/promises';

const MAX_READ = 8 * 1024 * 1024;

export interface FileTail {
  /** New complete lines since the previous call (none when the file does not exist yet; at most 8 MB per call). */
  read(): Promise<string[]>;
}

/**
 * @example
 * const tail = createFileTail('data/touchpoints.jsonl');
 * for (const line of await tail.read()) aggregator.add(JSON.parse(line));
 */
export function createFileTail(path: string): FileTail {
  let offset = 0;
  // Bytes after the last newline: kept as bytes so a character split between reads stays whole.
  let rest = Buffer.alloc(0);
  return {
    async read() {
      let fh: Awaited<ReturnType<typeof open>>;
      try {
        fh = await open(path, 'r');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
      try {
        const { size } = await fh.stat();
        if (size < offset) {
          // Truncated or replaced: start again from the top.
          offset = 0;
          rest = Buffer.alloc(0);
        }
        if (size === offset) return [];
        // At most MAX_READ per call: a large existing file is taken in steps, not in one allocation.
        const buffer = Buffer.alloc(Math.min(size - offset, MAX_READ));
        const { bytesRead } = await fh.read(buffer, 0, buffer.length, offset);
        offset += bytesRead;
        const bytes = Buffer.concat([rest, buffer.subarray(0, bytesRead)]);
        const end = bytes.lastIndexOf(0x0a);
        if (end === -1) {
          rest = bytes;
          return [];
        }
        rest = bytes.subarray(end + 1);
        return bytes
          .subarray(0, end)
          .toString('utf8')
          .split('\n')
          .filter((l) => l.trim() !== '');
      } finally {
        await fh.close();
      }
    },
  };
}
