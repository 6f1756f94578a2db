/**
 * Serialise each event once. The forwarder measures every event's JSON size for batching; the
 * same string is remembered (weakly, so it goes when the event does) and reused when a
 * destination writes the batch body, instead of stringifying every event a second time.
 */
import type { TouchpointEvent } from '@touchpoint/core';

const cache = new WeakMap<TouchpointEvent, string>();

/** Remembers `json` as the serialisation of `event`. */
export function rememberJson(event: TouchpointEvent, json: string): void {
  cache.set(event, json);
}

/** The JSON text of `event`, from the cache when the forwarder already serialised it. */
export function eventJson(event: TouchpointEvent): string {
  return cache.get(event) ?? JSON.stringify(event);
}

/** `[e1,e2,…]` from cached serialisations; equal to `JSON.stringify(events)`. */
export function eventsJson(events: readonly TouchpointEvent[]): string {
  let out = '[';
  for (let i = 0; i < events.length; i++) out += (i === 0 ? '' : ',') + eventJson(events[i]!);
  return `${out}]`;
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
