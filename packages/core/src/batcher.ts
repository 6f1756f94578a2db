/**
 * Groups items into batches by count, bytes and time — the shape both the tracker and the
 * forwarder send in. Platform-free: time comes from an injected clock, and sizes from the caller
 * (who usually serialised the item already, so measuring again would be wasted work).
 */
import { type Clock, systemClock } from './clock.js';

export interface BatcherOptions<T> {
  /** Emit when this many items are waiting. */
  maxEvents: number;
  /** Emit before the JSON body would exceed this many bytes. */
  maxBytes: number;
  /** Emit this long after the first item of a batch arrived. */
  maxWaitMs: number;
  /** Receives each batch. Called synchronously; do slow work asynchronously. */
  onBatch: (items: T[], bytes: number) => void;
  clock?: Clock;
  /** Bytes the batch wrapper adds around its items (`{"batch":[…],"sentAt":…}`). */
  overheadBytes?: number;
}

export interface Batcher<T> {
  /** Adds an item of `bytes` serialized size; may emit a batch before or after adding it. */
  add(item: T, bytes: number): void;
  /** Emits what is waiting now (no-op when empty). */
  flush(): void;
  /** Items waiting. */
  readonly size: number;
  /** Serialized bytes waiting, including the wrapper. */
  readonly bytes: number;
  /** Stops the timer and forgets waiting items (they are returned). */
  dispose(): T[];
}

/**
 * @example
 * const batcher = createBatcher({ maxEvents: 20, maxBytes: 64_000, maxWaitMs: 5000, onBatch: send });
 * batcher.add(event, json.length);
 */
export function createBatcher<T>(options: BatcherOptions<T>): Batcher<T> {
  const clock = options.clock ?? systemClock;
  const overhead = options.overheadBytes ?? 64;
  let items: T[] = [];
  let bytes = overhead;
  let timer: unknown;

  function emit(): void {
    if (timer !== undefined) {
      clock.clearTimeout(timer);
      timer = undefined;
    }
    if (items.length === 0) return;
    const out = items;
    const outBytes = bytes;
    items = [];
    bytes = overhead;
    options.onBatch(out, outBytes);
  }

  return {
    add(item, itemBytes) {
      // +1 for the comma between items.
      if (items.length > 0 && bytes + itemBytes + 1 > options.maxBytes) emit();
      items.push(item);
      bytes += itemBytes + (items.length > 1 ? 1 : 0);
      if (items.length >= options.maxEvents || bytes >= options.maxBytes) emit();
      else if (timer === undefined) timer = clock.setTimeout(emit, options.maxWaitMs);
    },
    flush: emit,
    get size() {
      return items.length;
    },
    get bytes() {
      return items.length === 0 ? 0 : bytes;
    },
    dispose() {
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      const out = items;
      items = [];
      bytes = overhead;
      return out;
    },
  };
}

/**
 * Splits already-serialized items into chunks whose JSON array fits `maxBytes` — used for
 * `sendBeacon`'s 64 KiB budget. An item larger than `maxBytes` on its own gets a chunk of its own.
 */
export function chunkBySize<T>(
  items: readonly T[],
  sizes: readonly number[],
  maxBytes: number,
  overheadBytes = 64,
): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = overheadBytes;
  for (let i = 0; i < items.length; i++) {
    const size = sizes[i]! + 1;
    if (current.length > 0 && bytes + size > maxBytes) {
      chunks.push(current);
      current = [];
      bytes = overheadBytes;
    }
    current.push(items[i]!);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
