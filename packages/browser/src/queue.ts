/**
 * The durable event queue. Every accepted event is kept in memory (what this tab sends from)
 * and written to IndexedDB through idb-keyval in its own store (what survives reloads, crashes
 * and browser restarts). Keys start with the id of the tab that owns the event, so another tab
 * can adopt a closed tab's events without touching a live tab's (see `adopt-orphans.ts`).
 *
 * Writes are grouped per microtask into one transaction. Where IndexedDB is unavailable the
 * queue still works in memory. The queue is capped by count and bytes; beyond the cap the
 * oldest events are dropped and handed to `onOverflow_`, never lost silently.
 *
 * Names ending in `_` are internal: the build shortens them (see tsup.config.ts). Nothing here
 * is stored under such a name: IndexedDB holds an item's `json_` under its `key_`.
 */
import { promisifyRequest, type UseStore } from 'idb-keyval';

export interface QueueItem {
  /** Storage key: `<owner>:<sequence>`. */
  key_: string;
  messageId_: string;
  /** The event's JSON, serialised once at `track()` time. */
  json_: string;
  bytes_: number;
  /** Set while a delivery attempt holds it. */
  sending_?: boolean;
}

export interface EventQueue {
  add_(item: QueueItem): void;
  /** Marks up to `maxEvents` waiting items (and at most `maxBytes`) as sending and returns them. */
  take_(maxEvents: number, maxBytes: number): QueueItem[];
  /** Ends an attempt: delivered (or dropped) items go, the others wait again. */
  settle_(items: QueueItem[], done: boolean): void;
  /** Takes over items already in storage (another tab's); returns how many were new here. */
  restore_(items: QueueItem[]): number;
  /** Forgets every event, stored ones of every tab included. */
  clear_(): void;
  readonly size_: number;
}

export interface QueueOptions {
  /** Where events are written; `undefined`: memory only. */
  store_: UseStore | undefined;
  /** The cap, by count and by bytes. */
  maxEvents_: number;
  maxBytes_: number;
  /** Nothing is written before this resolves (the tab holds its owner lock). */
  ready_: Promise<unknown>;
  /** The oldest events, dropped to stay under the cap. */
  onOverflow_: (dropped: QueueItem[]) => void;
  onStorageError_: (error: unknown) => void;
}

/** A queue capped at `maxEvents_` and `maxBytes_`, written to `store_` once `ready_` resolves. */
export function createQueue({
  store_: store,
  maxEvents_: maxEvents,
  maxBytes_: maxBytes,
  ready_: ready,
  onOverflow_: onOverflow,
  onStorageError_: onStorageError,
}: QueueOptions): EventQueue {
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
          for (const item of sets) s.put(item.json_, item.key_);
          for (const key of dels) s.delete(key);
        });
    });
  }

  function remove(gone: Set<QueueItem>): void {
    items = items.filter((item) => {
      if (!gone.has(item)) return true;
      bytes -= item.bytes_;
      toDelete.push(item.key_);
      return false;
    });
    write();
  }

  return {
    add_(item) {
      items.push(item);
      bytes += item.bytes_;
      toSet.push(item);
      write();
      if (items.length > maxEvents || bytes > maxBytes) {
        const dropped = new Set<QueueItem>();
        let count = items.length;
        let size = bytes;
        for (const old of items) {
          if (count <= maxEvents && size <= maxBytes) break;
          if (old.sending_ || old === item) continue;
          dropped.add(old);
          count--;
          size -= old.bytes_;
        }
        if (dropped.size) {
          remove(dropped);
          onOverflow([...dropped]);
        }
      }
    },
    take_(max, maxSize) {
      const out: QueueItem[] = [];
      let size = 0;
      for (const item of items) {
        if (out.length >= max) break;
        if (item.sending_) continue;
        if (out.length > 0 && size + item.bytes_ + 1 > maxSize) break;
        item.sending_ = true;
        size += item.bytes_ + 1;
        out.push(item);
      }
      return out;
    },
    settle_(done, delivered) {
      if (delivered) remove(new Set(done));
      else for (const item of done) item.sending_ = false;
    },
    restore_(stored) {
      const known = new Set(items.map((i) => i.key_));
      let added = 0;
      for (const item of stored) {
        if (known.has(item.key_)) continue;
        items.push(item);
        bytes += item.bytes_;
        added++;
      }
      return added;
    },
    clear_() {
      items = [];
      bytes = 0;
      toSet = [];
      if (store) transact((s) => s.clear());
    },
    get size_() {
      return items.length;
    },
  };
}
