/**
 * Serialise each event once. The forwarder measures every event's JSON size for batching; the
 * queue keeps those strings beside the events and lends them to the destination that writes the
 * batch body (weakly keyed by the batch), instead of stringifying every event a second time.
 */
import type { TouchpointEvent } from '@touchpoint/core';

// Keyed by the batch array the queue hands to `send`: one entry per batch, not per event.
const batches = new WeakMap<readonly TouchpointEvent[], readonly string[]>();

/** Remembers that `jsons[i]` is the JSON of `events[i]`. */
export function rememberBatchJson(events: readonly TouchpointEvent[], jsons: readonly string[]): void {
  batches.set(events, jsons);
}

/** Each event's JSON, from the forwarder's serialisations when it has them. */
export function batchJsons(events: readonly TouchpointEvent[]): readonly string[] {
  const jsons = batches.get(events);
  return jsons && jsons.length === events.length ? jsons : events.map((event) => JSON.stringify(event));
}

/**
 * `head + '[' + jsons.join(',') + ']' + tail` as UTF-8 bytes, written straight into one buffer.
 * Building the same body as a string would put a large flat string (≈ the batch size) into V8's
 * large-object space on every delivery, which only a full GC frees: at high rates that, not the
 * events, is what grows the heap.
 */
export function jsonArrayBody(head: string, jsons: readonly string[], tail: string): Buffer {
  let total = Buffer.byteLength(head) + Buffer.byteLength(tail) + 2 + Math.max(0, jsons.length - 1);
  for (let i = 0; i < jsons.length; i++) total += Buffer.byteLength(jsons[i]!);
  const body = Buffer.allocUnsafe(total);
  let at = body.write(head, 0);
  body[at++] = 0x5b; // [
  for (let i = 0; i < jsons.length; i++) {
    if (i > 0) body[at++] = 0x2c; // ,
    at += body.write(jsons[i]!, at);
  }
  body[at++] = 0x5d; // ]
  body.write(tail, at);
  return body;
}

let lastMs = Number.NaN;
let lastIso = '';
/** `new Date(ms).toISOString()`, reusing the string while the millisecond is the same. */
export function isoAt(ms: number): string {
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}
