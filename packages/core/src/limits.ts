/**
 * Wire-format limits, shared by the tracker (which splits batches to fit) and the ingest
 * (which rejects what does not fit). Sizes are UTF-8 bytes of the JSON text.
 */

/** Largest accepted event, in UTF-8 bytes of its JSON. */
export const MAX_EVENT_BYTES = 32 * 1024;
/** Largest accepted batch body, in UTF-8 bytes of its JSON. */
export const MAX_BATCH_BYTES = 500 * 1024;
/** Most events in one batch. */
export const MAX_BATCH_EVENTS = 500;
/** `navigator.sendBeacon` and `fetch(…, { keepalive })` share a 64 KiB in-flight budget. */
export const MAX_BEACON_BYTES = 64 * 1024;
/** Deepest nesting accepted inside `properties`, `traits` and `context`. */
export const MAX_DEPTH = 8;
/** Longest accepted string value. */
export const MAX_STRING_LENGTH = 8 * 1024;
/** Most keys in one object inside an event. */
export const MAX_KEYS = 256;
/** Version of the wire format this package reads and writes. */
export const WIRE_VERSION = 1;

/**
 * UTF-8 byte length of a string without allocating an encoded copy: cheap enough to run on
 * every `track()` call.
 */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}
