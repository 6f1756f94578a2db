import { describe, expect, it } from 'vitest';
import { chunkBySize, createBatcher } from './batcher.js';
import { createManualClock } from './testing/index.js';

function setup(opts: { maxEvents?: number; maxBytes?: number; maxWaitMs?: number } = {}) {
  const clock = createManualClock(0);
  const batches: { items: number[]; bytes: number; at: number }[] = [];
  const batcher = createBatcher<number>({
    maxEvents: opts.maxEvents ?? 3,
    maxBytes: opts.maxBytes ?? 10_000,
    maxWaitMs: opts.maxWaitMs ?? 1000,
    overheadBytes: 10,
    clock,
    onBatch: (items, bytes) => batches.push({ items, bytes, at: clock.now() }),
  });
  return { clock, batches, batcher };
}

describe('createBatcher', () => {
  it('emits when the count is reached', () => {
    const { batcher, batches } = setup({ maxEvents: 3 });
    for (let i = 1; i <= 7; i++) batcher.add(i, 5);
    expect(batches.map((b) => b.items)).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(batcher.size).toBe(1);
  });

  it('emits maxWaitMs after the first item of a batch, not after the last', () => {
    const { batcher, batches, clock } = setup({ maxEvents: 100, maxWaitMs: 1000 });
    batcher.add(1, 5);
    clock.advance(600);
    batcher.add(2, 5);
    clock.advance(399);
    expect(batches).toHaveLength(0);
    clock.advance(1);
    expect(batches).toEqual([{ items: [1, 2], bytes: 10 + 5 + 5 + 1, at: 1000 }]);
    clock.advance(5000);
    expect(batches).toHaveLength(1); // no empty batches on idle timers
  });

  it('never lets a batch exceed maxBytes: flushes before the item that would overflow', () => {
    const { batcher, batches } = setup({ maxEvents: 100, maxBytes: 100 });
    batcher.add(1, 40);
    batcher.add(2, 40);
    batcher.add(3, 40);
    expect(batches[0]!.items).toEqual([1, 2]);
    expect(batches[0]!.bytes).toBeLessThanOrEqual(100);
    expect(batcher.size).toBe(1);
  });

  it('sends an item bigger than maxBytes on its own rather than holding it forever', () => {
    const { batcher, batches } = setup({ maxEvents: 100, maxBytes: 100 });
    batcher.add(1, 10);
    batcher.add(2, 500);
    expect(batches.map((b) => b.items)).toEqual([[1], [2]]);
  });

  it('flush() sends what waits and cancels the timer; dispose() hands items back', () => {
    const { batcher, batches, clock } = setup({ maxEvents: 100 });
    batcher.add(1, 5);
    batcher.flush();
    expect(batches).toHaveLength(1);
    expect(clock.pending).toBe(0);
    batcher.add(2, 5);
    expect(batcher.dispose()).toEqual([2]);
    clock.advance(10_000);
    expect(batches).toHaveLength(1);
  });
});

describe('chunkBySize', () => {
  it('splits into chunks that fit the beacon budget, in order', () => {
    const items = Array.from({ length: 10 }, (_, i) => i);
    const chunks = chunkBySize(
      items,
      items.map(() => 20),
      100,
      10,
    );
    expect(chunks.flat()).toEqual(items);
    for (const c of chunks) expect(10 + c.length * 21).toBeLessThanOrEqual(100);
  });
  it('gives an oversized item its own chunk', () => {
    expect(chunkBySize(['a', 'big', 'b'], [5, 500, 5], 100)).toEqual([['a'], ['big'], ['b']]);
  });
});
