/**
 * Recovery: events stored by tabs that have closed (or crashed, or by the previous page before
 * a reload) are adopted by the next tab that claims their owner's lock, and sent from there.
 * Events of tabs that are still open are left alone: their own tab sends them. Loaded with a
 * dynamic `import()` once the tracker holds its own lock, off the first load.
 */

import { entries, type UseStore } from 'idb-keyval';
import { byteLength } from './byte-length.js';
import type { EventQueue, QueueItem } from './queue.js';
import type { TabOwnership } from './tab-ownership.js';

/** Adopts every stored event whose owner lock this tab can claim; resolves to how many. */
export async function adoptOrphans(store: UseStore, queue: EventQueue, ownership: TabOwnership): Promise<number> {
  const stored = await entries<IDBValidKey, string>(store);
  const verdicts = new Map<string, Promise<boolean>>();
  const adopted: QueueItem[] = [];
  for (const [rawKey, json] of stored) {
    const key = String(rawKey);
    const owner = key.slice(0, key.indexOf(':'));
    if (owner === ownership.id_) continue;
    if (!verdicts.has(owner)) verdicts.set(owner, ownership.claim_(owner));
    if (!(await verdicts.get(owner))) continue;
    let messageId = '';
    try {
      messageId = JSON.parse(json).messageId;
    } catch {}
    adopted.push({ key_: key, messageId_: messageId, json_: json, bytes_: byteLength(json) });
  }
  return queue.restore_(adopted);
}
