/**
 * How the file log frames one event on disk, so that a write torn by a crash is found and cut off
 * on restart instead of being read as an event:
 *
 *   u32 LE payload length │ u32 LE CRC-32 of everything after it │ f64 LE sequence │ f64 LE appended-at ms │ payload (UTF-8 JSON)
 *
 * A frame counts only when its length fits what is on disk and its checksum matches.
 *
 * An erased event is a tombstone: the same frame, same length, sequence and time, with every
 * payload byte zero and the checksum of that. JSON never starts with a NUL byte, so a payload that
 * does is a tombstone; readers step over it (see file-log.ts for why erasure rewrites in place).
 */
import * as zlib from 'node:zlib';

export const FRAME_HEADER_BYTES = 24;
/** Larger than any event the schema accepts (32 KB) by far: a bigger length is a torn header. */
export const MAX_FRAME_PAYLOAD = 16 * 1024 * 1024;

// zlib.crc32 is native from Node 20.15 / 22.2; older 20.x get the table version below.
const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
let table: Uint32Array | undefined;
function tableCrc32(data: Uint8Array): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
export const crc32: (data: Uint8Array) => number = nativeCrc32 ? (data) => nativeCrc32(data) : tableCrc32;

/**
 * Encodes events into one buffer of consecutive frames, numbered from `firstSeq`. When `ends` is
 * given, `ends[i]` is set to where frame i ends in the buffer. When `scratch` is large enough the
 * frames are written into (a view of) it instead of a new buffer: an appender that reuses one
 * buffer does not leave megabytes of garbage ArrayBuffers per write for the GC to find.
 */
export function encodeFrames(
  jsons: readonly string[],
  firstSeq: number,
  appendedAt: number,
  ends?: number[],
  scratch?: Buffer,
): Buffer {
  let total = 0;
  for (const json of jsons) total += FRAME_HEADER_BYTES + Buffer.byteLength(json);
  const buffer = scratch && scratch.length >= total ? scratch.subarray(0, total) : Buffer.allocUnsafe(total);
  let at = 0;
  for (let i = 0; i < jsons.length; i++) {
    const length = buffer.write(jsons[i]!, at + FRAME_HEADER_BYTES);
    buffer.writeUInt32LE(length, at);
    buffer.writeDoubleLE(firstSeq + i, at + 8);
    buffer.writeDoubleLE(appendedAt, at + 16);
    buffer.writeUInt32LE(crc32(buffer.subarray(at + 8, at + FRAME_HEADER_BYTES + length)), at + 4);
    at += FRAME_HEADER_BYTES + length;
    if (ends) ends[i] = at;
  }
  return buffer;
}

export interface DecodedFrame {
  seq: number;
  appendedAt: number;
  /** `''` for a tombstone. */
  json: string;
  /** Bytes the whole frame takes. */
  size: number;
  /** An erased event's tombstone: nothing to deliver, it counts as read. */
  erased: boolean;
}

/**
 * The tombstone of a frame: same length, sequence and time, payload zeroed, checksum of the new bytes. Written over the original in place.
 */
export function encodeTombstone(seq: number, appendedAt: number, payloadLength: number): Buffer {
  const buffer = Buffer.alloc(FRAME_HEADER_BYTES + payloadLength);
  buffer.writeUInt32LE(payloadLength, 0);
  buffer.writeDoubleLE(seq, 8);
  buffer.writeDoubleLE(appendedAt, 16);
  buffer.writeUInt32LE(crc32(buffer.subarray(8)), 4);
  return buffer;
}

/**
 * The frame at `at` in `buffer`: `'short'` when the buffer ends inside it (read more),
 * `'corrupt'` when its length or checksum is wrong (a torn write at the tail).
 */
export function decodeFrame(buffer: Buffer, at: number, verify: boolean): DecodedFrame | 'short' | 'corrupt' {
  if (buffer.length - at < FRAME_HEADER_BYTES) return 'short';
  const length = buffer.readUInt32LE(at);
  if (length > MAX_FRAME_PAYLOAD) return 'corrupt';
  const end = at + FRAME_HEADER_BYTES + length;
  if (end > buffer.length) return 'short';
  if (verify && crc32(buffer.subarray(at + 8, end)) !== buffer.readUInt32LE(at + 4)) return 'corrupt';
  const erased = length > 0 && buffer[at + FRAME_HEADER_BYTES] === 0;
  return {
    seq: buffer.readDoubleLE(at + 8),
    appendedAt: buffer.readDoubleLE(at + 16),
    json: erased ? '' : buffer.toString('utf8', at + FRAME_HEADER_BYTES, end),
    size: FRAME_HEADER_BYTES + length,
    erased,
  };
}
