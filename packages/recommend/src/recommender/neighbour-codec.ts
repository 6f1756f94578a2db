/**
 * The packed form of a serving model's neighbour lists, in memory and on the wire. Weights are
 * quantised to one byte per neighbour relative to the row's largest weight, and the in-memory
 * model scores with those same quantised weights — so a model loaded from JSON answers exactly
 * like the one that was saved.
 */
import { decodeBase64, encodeBase64 } from './base64.js';

export interface PackedNeighbours {
  /** Row `i` is entries `rowStart[i]` to `rowStart[i + 1]`. */
  rowStart: Int32Array;
  /** Neighbour item index per entry, ascending within a row. */
  to: Int32Array;
  /** Dequantised weight per entry. */
  weight: Float64Array;
  /** Per row: the largest weight (float32); per entry: weight / scale in 1/255 steps. */
  scale: Float32Array;
  level: Uint8Array;
}

/**
 * Packs neighbour lists given row by row (entries `rowStart[i]` to `rowStart[i + 1]`, positive
 * weights, any order; already pruned to top-K). Weights that round to level 0 are dropped.
 * @example
 * packNeighbours(Int32Array.of(0, 1, 2), Int32Array.of(1, 0), Float64Array.of(0.5, 0.5));
 */
export function packNeighbours(rowStart: Int32Array, to: Int32Array, weight: Float64Array): PackedNeighbours {
  const steps = packNeighboursInSteps(rowStart, to, weight, Number.POSITIVE_INFINITY);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** `packNeighbours`, pausing (yielding) after every `rowsPerStep` rows so a caller can interleave work. */
export function* packNeighboursInSteps(
  rowStart: Int32Array,
  to: Int32Array,
  weight: Float64Array,
  rowsPerStep: number,
): Generator<void, PackedNeighbours> {
  const rows = rowStart.length - 1;
  const outStart = new Int32Array(rows + 1);
  const outTo = new Int32Array(to.length);
  const level = new Uint8Array(to.length);
  const scale = new Float32Array(rows);
  const order: number[] = [];
  let e = 0;
  for (let i = 0; i < rows; i++) {
    outStart[i] = e;
    const start = rowStart[i]!;
    const end = rowStart[i + 1]!;
    let max = 0;
    order.length = 0;
    for (let p = start; p < end; p++) {
      if (weight[p]! > max) max = weight[p]!;
      order.push(p);
    }
    scale[i] = max;
    const s = scale[i]!;
    if (!(s > 0)) continue;
    order.sort((x, y) => to[x]! - to[y]!);
    for (const p of order) {
      const q = Math.min(255, Math.round((weight[p]! / s) * 255));
      if (!(q > 0)) continue;
      outTo[e] = to[p]!;
      level[e++] = q;
    }
    if ((i + 1) % rowsPerStep === 0) yield;
  }
  outStart[rows] = e;
  return finish(outStart, outTo.slice(0, e), level.slice(0, e), scale);
}

function finish(rowStart: Int32Array, to: Int32Array, level: Uint8Array, scale: Float32Array): PackedNeighbours {
  const weight = new Float64Array(to.length);
  for (let i = 0; i + 1 < rowStart.length; i++) {
    for (let e = rowStart[i]!; e < rowStart[i + 1]!; e++) weight[e] = (scale[i]! * level[e]!) / 255;
  }
  return { rowStart, to, weight, scale, level };
}

/** Per row: varint count, then (if any) float32 scale and (varint index delta, level byte) pairs. */
export function encodeNeighbours(p: PackedNeighbours): string {
  const rows = p.rowStart.length - 1;
  const bytes = new Uint8Array(rows * 5 + p.to.length * 6);
  const view = new DataView(bytes.buffer);
  let o = 0;
  const varint = (v: number) => {
    while (v >= 128) {
      bytes[o++] = (v & 127) | 128;
      v >>>= 7;
    }
    bytes[o++] = v;
  };
  for (let i = 0; i < rows; i++) {
    const start = p.rowStart[i]!;
    const end = p.rowStart[i + 1]!;
    varint(end - start);
    if (end === start) continue;
    view.setFloat32(o, p.scale[i]!, true);
    o += 4;
    let prev = -1;
    for (let e = start; e < end; e++) {
      varint(p.to[e]! - prev - 1);
      prev = p.to[e]!;
      bytes[o++] = p.level[e]!;
    }
  }
  return encodeBase64(bytes.subarray(0, o));
}

/** Inverse of `encodeNeighbours`; throws a `TypeError` naming the row when the data is corrupt. */
export function decodeNeighbours(text: string, rows: number): PackedNeighbours {
  const bytes = decodeBase64(text);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let o = 0;
  const varint = () => {
    let v = 0;
    let shift = 0;
    for (;;) {
      if (o >= bytes.length) throw new TypeError('model neighbours: unexpected end of data');
      const b = bytes[o++]!;
      v += (b & 127) * 2 ** shift;
      if (b < 128) return v;
      shift += 7;
    }
  };
  const rowStart = new Int32Array(rows + 1);
  const scale = new Float32Array(rows);
  const to: number[] = [];
  const level: number[] = [];
  for (let i = 0; i < rows; i++) {
    rowStart[i] = to.length;
    const count = varint();
    if (count === 0) continue;
    if (o + 4 > bytes.length) throw new TypeError(`model neighbours: row ${i} is truncated`);
    scale[i] = view.getFloat32(o, true);
    o += 4;
    let prev = -1;
    for (let c = 0; c < count; c++) {
      prev += varint() + 1;
      if (prev >= rows || o >= bytes.length)
        throw new TypeError(`model neighbours: row ${i} refers past the item list`);
      to.push(prev);
      level.push(bytes[o++]!);
    }
  }
  rowStart[rows] = to.length;
  if (o !== bytes.length) throw new TypeError('model neighbours: trailing data');
  return finish(rowStart, Int32Array.from(to), Uint8Array.from(level), scale);
}
