/**
 * `destinations.jsonl`: an append-only local file, one event per line — the embedded default that
 * needs no other system, and a handy audit trail. Each batch is one write to a file handle kept
 * open between batches (reopened after an error).
 */
import { type FileHandle, mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { TouchpointConfigError } from '@touchpoint/core';
import type { Destination } from '../types.js';
import { type CommonDestinationOptions, withCommon } from './options.js';

export interface JsonlDestinationOptions extends CommonDestinationOptions {
  path: string;
  /** `fsync` after every batch: slower, survives power loss (default false). */
  fsync?: boolean;
}

/**
 * @example
 * destinations.jsonl({ path: './data/touchpoints.jsonl' });
 */
export function jsonl(options: JsonlDestinationOptions): Destination {
  if (typeof options?.path !== 'string' || options.path === '')
    throw new TouchpointConfigError('jsonl.path', 'must be a file path');
  let handle: Promise<FileHandle> | undefined;
  const file = () => {
    handle ??= mkdir(dirname(options.path), { recursive: true }).then(() => open(options.path, 'a'));
    return handle;
  };
  return withCommon('jsonl', options, {
    // One writer at a time keeps every line whole.
    concurrency: 1,
    async send(events) {
      let text = '';
      for (const event of events) text += `${JSON.stringify(event)}\n`;
      try {
        const fh = await file();
        await fh.write(text);
        if (options.fsync) await fh.sync();
      } catch (error) {
        const stale = handle;
        handle = undefined;
        await stale?.then((fh) => fh.close()).catch(() => {});
        throw error;
      }
    },
    async close() {
      const fh = handle;
      handle = undefined;
      await fh?.then((h) => h.close());
    },
  });
}
