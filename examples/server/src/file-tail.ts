/**
 * Reads what was appended to a JSONL file since the last read: complete lines only, so a line the
 * writer is still appending is picked up whole on the next call. The dashboard uses it to follow
 * the forwarder's output file without re-reading it from the start.
 */
import { open } from 'node:fs/promises';

export interface FileTail {
  /** New complete lines since the previous call (none when the file does not exist yet). */
  read(): Promise<string[]>;
}

/**
 * @example
 * const tail = createFileTail('data/touchpoints.jsonl');
 * for (const line of await tail.read()) aggregator.add(JSON.parse(line));
 */
export function createFileTail(path: string): FileTail {
  let offset = 0;
  let partial = '';
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
          partial = '';
        }
        if (size === offset) return [];
        const buffer = Buffer.alloc(size - offset);
        const { bytesRead } = await fh.read(buffer, 0, buffer.length, offset);
        offset += bytesRead;
        const text = partial + buffer.subarray(0, bytesRead).toString('utf8');
        const lines = text.split('\n');
        partial = lines.pop() ?? '';
        return lines.filter((l) => l.trim() !== '');
      } finally {
        await fh.close();
      }
    },
  };
}
