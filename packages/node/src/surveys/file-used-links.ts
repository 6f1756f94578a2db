/**
 * A durable record of answered survey links for one server: an append-only file of link ids, each
 * written and `fdatasync`'d before the answer is recorded, so a link answered just before a crash
 * or a restart stays answered. Claims are serialised in this process; several servers need a
 * shared store (Redis `SET NX`, a unique key in SQL — see docs/surveys.md).
 *
 * What the file holds: one line per claim, `<linkId> <expiresAt ms>`, and `-<linkId>` when a claim
 * was given back. A link id is the random nonce of a signed link (`createSurveyLink`), never the
 * customer's id, case or survey: those live only in the link's token, which the customer holds.
 * So an erased customer leaves nothing here that names them, and erasure has nothing to remove.
 * Expired claims are worthless (their link no longer verifies) but stay in an append-only file:
 * `compact()` rewrites the file with only live claims, crash-safe (temp file, `fdatasync`,
 * rename, directory `fsync`) — run it from your retention schedule.
 */
import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { TouchpointConfigError } from '@touchpoint/core';
import { replaceFileDurably } from '../durable-file.js';
import type { UsedLinkStore } from './survey-links.js';

export interface FileUsedLinkStore extends UsedLinkStore {
  /**
   * Rewrites the file with only the claims still live (not expired, not given back); resolves
   * with how many lines were dropped. Claims wait while it runs.
   */
  compact(): Promise<number>;
}

/**
 * @example
 * const usedLinks = createFileUsedLinkStore({ path: 'data/used-survey-links' });
 * createSurveyAnswerHandler({ surveys, secret, forwarder, usedLinks });
 * setInterval(() => usedLinks.compact(), 86_400_000).unref(); // drop expired claims daily
 */
export function createFileUsedLinkStore(options: { path: string; now?: () => number }): FileUsedLinkStore {
  if (typeof options?.path !== 'string' || options.path === '') {
    throw new TouchpointConfigError('path', 'must be the file that keeps answered link ids');
  }
  const now = options.now ?? Date.now;
  let used: Promise<Map<string, number>> | undefined;
  let chain: Promise<unknown> = Promise.resolve();
  // Lines in the file, so `compact` knows how many it drops.
  let lines = 0;

  const load = async () => {
    const map = new Map<string, number>();
    const text = await readFile(options.path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    for (const line of text.split('\n')) {
      if (line === '') continue;
      lines++;
      const [id, until] = line.split(' ');
      // "-id" lines give a claim back (the answer could not be recorded).
      if (id?.startsWith('-')) map.delete(id.slice(1));
      else if (id && Number(until) > now()) map.set(id, Number(until));
    }
    return map;
  };
  const append = async (line: string) => {
    await mkdir(dirname(options.path), { recursive: true });
    const file = await open(options.path, 'a');
    try {
      await file.appendFile(`${line}\n`);
      await file.datasync();
      lines++;
    } finally {
      await file.close();
    }
  };
  // One claim at a time: check and write must not interleave.
  const serial = <T>(fn: (map: Map<string, number>) => Promise<T>): Promise<T> => {
    used ??= load();
    const next = chain.then(async () => fn(await used!));
    chain = next.catch(() => {});
    return next;
  };
  return {
    claim: (linkId, expiresAt) =>
      serial(async (map) => {
        if (!/^[\w-]{1,64}$/.test(linkId)) return false;
        if (map.has(linkId)) return false;
        await append(`${linkId} ${expiresAt}`);
        map.set(linkId, expiresAt);
        return true;
      }),
    release: (linkId) =>
      serial(async (map) => {
        if (!map.delete(linkId)) return;
        await append(`-${linkId}`);
      }),
    compact: () =>
      serial(async (map) => {
        const t = now();
        for (const [id, until] of map) if (until <= t) map.delete(id);
        const before = lines;
        if (before === map.size) return 0;
        let text = '';
        for (const [id, until] of map) text += `${id} ${until}\n`;
        await mkdir(dirname(options.path), { recursive: true });
        await replaceFileDurably(options.path, text);
        lines = map.size;
        return before - map.size;
      }),
  };
}
