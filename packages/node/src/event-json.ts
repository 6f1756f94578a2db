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

/** `JSON.stringify(events)`, from the forwarder's serialisations when it has them. */
export function eventsJson(events: readonly TouchpointEvent[]): string {
  const jsons = batches.get(events);
  return jsons && jsons.length === events.length ? `[${jsons.join(',')}]` : JSON.stringify(events);
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
