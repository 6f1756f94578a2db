/**
 * Random (version 4) UUIDs for the messageIds `forwarder.track()` stamps — the hot path of
 * server-side tracking. `crypto.randomUUID()` builds each id from 20 small strings: about 580 bytes
 * of garbage per event, a fifth of everything `track()` allocates, and the young-generation
 * collections that garbage causes were the largest single cost of a tight `track()` loop. Here
 * the 36 characters are written into one reused buffer and read out as one string (≈ 56 bytes).
 * Entropy comes from `randomFillSync`, drawn 2 048 ids at a time, as `randomUUID()`'s own cache does.
 */
import { randomFillSync } from 'node:crypto';

const IDS_PER_FILL = 2048;
// Where each of the 16 bytes goes in the 36-character text (the dashes sit at 8, 13, 18 and 23).
const AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

// Two lower-case hex digits per byte value, as one 16-bit little-endian code unit pair. Built on
// the first call: a module-level loop would be a side effect every bundle importing this chunk keeps.
let HEX: Uint16Array | undefined;
let pool: Buffer | undefined;
let next = 0;
let text: Buffer | undefined;

/** A random UUID, e.g. `'0fc651b0-c24c-4741-a8fc-5c21eb0884a4'` — the same format and randomness as `crypto.randomUUID()`. */
export function uuidV4(): string {
  if (!pool || next === pool.length) {
    pool ??= Buffer.allocUnsafeSlow(16 * IDS_PER_FILL);
    randomFillSync(pool);
    next = 0;
  }
  if (!text || !HEX) {
    HEX = new Uint16Array(256);
    for (let i = 0; i < 256; i++) {
      const h = (i + 0x100).toString(16);
      HEX[i] = h.charCodeAt(1) | (h.charCodeAt(2) << 8);
    }
    text = Buffer.allocUnsafeSlow(36);
    text[8] = text[13] = text[18] = text[23] = 0x2d; // -
  }
  const b = pool;
  const hex = HEX;
  const at = next;
  next += 16;
  b[at + 6] = (b[at + 6]! & 0x0f) | 0x40; // version 4
  b[at + 8] = (b[at + 8]! & 0x3f) | 0x80; // variant 10xx
  for (let i = 0; i < 16; i++) {
    const pair = hex[b[at + i]!]!;
    text[AT[i]!] = pair & 0xff;
    text[AT[i]! + 1] = pair >> 8;
  }
  return text.toString('latin1', 0, 36);
}
