/**
 * A growable sparse matrix of float sums, one open-addressing hash table per row, in typed
 * arrays. The co-occurrence statistics of a 50k-item shop have millions of pairs: a `Map` per
 * row would cost ~5x the memory and the garbage collector's time.
 */

const EMPTY = -1;

interface Row {
  keys: Int32Array;
  vals: Float64Array;
  size: number;
}

function newRow(capacity: number): Row {
  return { keys: new Int32Array(capacity).fill(EMPTY), vals: new Float64Array(capacity), size: 0 };
}

// Knuth's multiplicative hash spreads consecutive item indexes across the table.
function slot(key: number, mask: number): number {
  return (Math.imul(key, 0x9e3779b1) >>> 0) & mask;
}

export interface SparseRows {
  /** Adds `delta` to cell (row, col). */
  add(row: number, col: number, delta: number): void;
  get(row: number, col: number): number;
  /** Calls `fn` for every stored cell of the row, in storage order. */
  forEach(row: number, fn: (col: number, value: number) => void): void;
  /** Stored cells of the row (cells that summed back to zero stay stored). */
  rowSize(row: number): number;
  readonly rows: number;
}

/**
 * @example
 * const m = createSparseRows();
 * m.add(3, 7, 0.5); m.get(3, 7); // 0.5
 */
export function createSparseRows(): SparseRows {
  const rows: (Row | undefined)[] = [];

  function grow(r: Row): Row {
    const bigger = newRow(r.keys.length * 2);
    const mask = bigger.keys.length - 1;
    for (let i = 0; i < r.keys.length; i++) {
      const k = r.keys[i]!;
      if (k === EMPTY) continue;
      let s = slot(k, mask);
      while (bigger.keys[s] !== EMPTY) s = (s + 1) & mask;
      bigger.keys[s] = k;
      bigger.vals[s] = r.vals[i]!;
    }
    bigger.size = r.size;
    return bigger;
  }

  return {
    add(row, col, delta) {
      let r = rows[row];
      if (!r) {
        r = newRow(8);
        rows[row] = r;
      } else if ((r.size + 1) * 4 > r.keys.length * 3) {
        r = grow(r);
        rows[row] = r;
      }
      const mask = r.keys.length - 1;
      let s = slot(col, mask);
      for (;;) {
        const k = r.keys[s]!;
        if (k === col) {
          r.vals[s] = r.vals[s]! + delta;
          return;
        }
        if (k === EMPTY) {
          r.keys[s] = col;
          r.vals[s] = delta;
          r.size++;
          return;
        }
        s = (s + 1) & mask;
      }
    },
    get(row, col) {
      const r = rows[row];
      if (!r) return 0;
      const mask = r.keys.length - 1;
      let s = slot(col, mask);
      for (;;) {
        const k = r.keys[s]!;
        if (k === col) return r.vals[s]!;
        if (k === EMPTY) return 0;
        s = (s + 1) & mask;
      }
    },
    forEach(row, fn) {
      const r = rows[row];
      if (!r) return;
      for (let i = 0; i < r.keys.length; i++) {
        const k = r.keys[i]!;
        if (k !== EMPTY) fn(k, r.vals[i]!);
      }
    },
    rowSize: (row) => rows[row]?.size ?? 0,
    get rows() {
      return rows.length;
    },
  };
}
