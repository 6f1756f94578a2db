/**
 * The durable event queue. Every accepted event is kept in memory (what this tab sends from)
 * and written to IndexedDB through idb-keyval in its own store (what survives reloads, crashes
 * and browser restarts). Keys start with the id of the tab that owns the event, so another tab
 * can adopt a closed tab's events without touching a live tab's (see `adopt-orphans.ts`).
 *
 * Writes are grouped per microtask into one transaction. Where IndexedDB is unavailable the
 * queue still works in memory. The queue is capped by count and bytes; beyond the cap the
 * oldest events are dropped and handed to `onOverflow`, never lost silently.
 */
import { promisifyRequest, type UseStore } from 'idb-keyval';

export interface QueueItem {
  /** Storage key: `<owner>:<sequence>`. */
  key: string;
  messageId: string;
  /** The event's JSON, serialised once at `track()` time. */
  json: string;
  bytes: number;
  /** Set while a delivery attempt holds it. */
  sending?: boolean;
}

export interface EventQueue {
  add(item: QueueItem): void;
  /** Marks up to `maxEvents` waiting items (and at most `maxBytes`) as sending and returns them. */
  take(maxEvents: number, maxBytes: number): QueueItem[];
  /** Ends an attempt: delivered (or dropped) items go, the others wait again. */
  settle(items: QueueItem[], done: boolean): void;
  /** Takes over items already in storage (another tab's); returns how many were new here. */
  restore(items: QueueItem[]): number;
  /** Forgets every event, stored ones of every tab included. */
  clear(): void;
  readonly size: number;
}

/**
 * A queue capped at `maxEvents` and `maxBytes`, written to `store` (`undefined`: memory only)
 * once `ready` resolves (the tab holds its owner lock). Overflow and storage failures are
 * handed to the callbacks. Arguments are positional to keep the first load small.
 */
export function createQueue(
  store: UseStore | undefined,
  maxEvents: number,
  maxBytes: number,
  ready: Promise<unknown>,
  onOverflow: (dropped: QueueItem[]) => void,
  onStorageError: (error: unknown) => void,
): EventQueue {
  let items: QueueItem[] = [];
  let bytes = 0;
  let toSet: QueueItem[] = [];
  let toDelete: string[] = [];
  let writing = ready;
  let scheduled = false;

  /** One readwrite transaction on the store, after the writes already queued. */
  const transact = (fn: (s: IDBObjectStore) => void) =>
    (writing = writing
      .then(() =>
        store!('readwrite', (s) => {
          fn(s);
          return promisifyRequest(s.transaction);
        }),
      )
      .catch(onStorageError));

  function write(): void {
    if (!store || scheduled) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      const sets = toSet;
      const dels = toDelete;
      toSet = [];
      toDelete = [];
      // Requests in one transaction run in order, so an event added and settled in the same
      // tick is put, then deleted.
      if (sets.length + dels.length)
        transact((s) => {
          for (const item of sets) s.put(item.json, item.key);
          for (const key of dels) s.delete(key);
        });
    });
  }

  function remove(gone: Set<QueueItem>): void {
    items = items.filter((item) => {
      if (!gone.has(item)) return true;
      bytes -= item.bytes;
      toDelete.push(item.key);
      return false;
    });
    write();
  }

  return {
    add(item) {
      items.push(item);
      bytes += item.bytes;
      toSet.push(item);
      write();
      if (items.length > maxEvents || bytes > maxBytes) {
        const dropped = new Set<QueueItem>();
        let count = items.length;
        let size = bytes;
        for (const old of items) {
          if (count <= maxEvents && size <= maxBytes) break;
          if (old.sending || old === item) continue;
          dropped.add(old);
          count--;
          size -= old.bytes;
        }
        if (dropped.size) {
          remove(dropped);
          onOverflow([...dropped]);
        }
      }
    },
    take(max, maxSize) {
      const out: QueueItem[] = [];
      let size = 0;
      for (const item of items) {
        if (out.length >= max) break;
        if (item.sending) continue;
        if (out.length > 0 && size + item.bytes + 1 > maxSize) break;
        item.sending = true;
        size += item.bytes + 1;
        out.push(item);
      }
      return out;
    },
    settle(done, delivered) {
      if (delivered) remove(new Set(done));
      else for (const item of done) item.sending = false;
    },
    restore(stored) {
      const known = new Set(items.map((i) => i.key));
      let added = 0;
      for (const item of stored) {
        if (known.has(item.key)) continue;
        items.push(item);
        bytes += item.bytes;
        added++;
      }
      return added;
    },
    clear() {
      items = [];
      bytes = 0;
      toSet = [];
      if (store) transact((s) => s.clear());
    },
    get size() {
      return items.length;
    },
  };
}
