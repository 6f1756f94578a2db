/**
 * A durable record of answered survey links for one server: an append-only file of link ids, each
 * written and `fdatasync`'d before the answer is recorded, so a link answered just before a crash
 * or a restart stays answered. Claims are serialised in this process; several servers need a
 * shared store (Redis `SET NX`, a unique key in SQL — see docs/surveys.md).
 */
import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { TouchpointConfigError } from '@touchpoint/core';
import type { UsedLinkStore } from './survey-links.js';

/**
 * @example
 * createSurveyAnswerHandler({ surveys, secret, forwarder, usedLinks: createFileUsedLinkStore({ path: 'data/used-survey-links' }) });
 */
export function createFileUsedLinkStore(options: { path: string; now?: () => number }): UsedLinkStore {
  if (typeof options?.path !== 'string' || options.path === '') {
    throw new TouchpointConfigError('path', 'must be the file that keeps answered link ids');
  }
  const now = options.now ?? Date.now;
  let used: Promise<Map<string, number>> | undefined;
  let chain: Promise<unknown> = Promise.resolve();

  const load = async () => {
    const map = new Map<string, number>();
    const text = await readFile(options.path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    for (const line of text.split('\n')) {
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
  };
}
