/**
 * Batch bodies built from events' JSON text without a second serialisation: the log hands each
 * destination the JSON it holds (`Destination.sendSerialized`), and these helpers splice it.
 */
import type { TouchpointEvent } from '@touchpoint/core';

/** Each event's JSON, for destinations that are handed parsed events. */
export function batchJsons(events: readonly TouchpointEvent[]): readonly string[] {
  return events.map((event) => JSON.stringify(event));
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
