// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { createBackgroundFit } from './background-fit.js';

/** A fit of `n` steps over `data` (read when it starts): sums the data, one value per step. */
function* summing(data: number[], n: number, log: string[]): Generator<void, number> {
  const copy = data.slice();
  log.push(`start ${copy.join(',')}`);
  let sum = 0;
  for (let k = 0; k < n; k++) {
    sum += copy[k % copy.length]!;
    yield;
  }
  return sum;
}

/** An event loop we turn by hand: each yield waits until `turn()`. */
function manualLoop() {
  const waiting: (() => void)[] = [];
  return {
    yieldToEventLoop: () => new Promise<void>((resolve) => waiting.push(resolve)),
    /** Lets one waiting step go on; false when nothing waits. */
    async turn() {
      const next = waiting.shift();
      if (!next) return false;
      next();
      await Promise.resolve();
      await Promise.resolve();
      return true;
    },
    get waiting() {
      return waiting.length;
    },
  };
}

describe('createBackgroundFit', () => {
  it('gives the event loop back after every step, and shares one run between starts', async () => {
    const loop = manualLoop();
    const log: string[] = [];
    let applied: number | undefined;
    const fit = createBackgroundFit({
      steps: () => summing([1, 2, 3], 6, log),
      apply: (v) => {
        applied = v;
      },
      yieldToEventLoop: loop.yieldToEventLoop,
    });
    const a = fit.start();
    const b = fit.start();
    expect(a).toBe(b);
    expect(log).toEqual([]); // nothing runs inside the caller's turn
    let turns = 0;
    while (await loop.turn()) turns++;
    await a;
    expect(log).toEqual(['start 1,2,3']);
    expect(applied).toBe(12);
    // One turn before the first step, then one after each of the 6 pausing steps.
    expect(turns).toBe(7);
    expect(fit.status()).toMatchObject({ running: false, completed: 1, lastSteps: 7, lastError: undefined });
  });

  it('starts over from fresh data when restarted, and applies only that result', async () => {
    const loop = manualLoop();
    const log: string[] = [];
    const data = [1, 1, 1];
    const applied: number[] = [];
    const fit = createBackgroundFit({
      steps: () => summing(data, 4, log),
      apply: (v) => applied.push(v),
      yieldToEventLoop: loop.yieldToEventLoop,
    });
    const done = fit.start();
    await loop.turn();
    await loop.turn(); // two steps read the old data
    data[0] = 100; // an erasure changes the data…
    fit.restart(); // …so what was read must not be applied
    while (await loop.turn());
    await done;
    expect(log).toEqual(['start 1,1,1', 'start 100,1,1']);
    expect(applied).toEqual([202]); // 100 + 1 + 1 + 100: only the fresh data
  });

  it('reports a failed fit to onError and the status, and never rejects', async () => {
    const errors: unknown[] = [];
    const fit = createBackgroundFit<number>({
      steps: function* () {
        yield;
        throw new Error('out of memory');
      },
      apply: () => {
        throw new Error('unreachable');
      },
      onError: (e) => {
        errors.push(e);
        throw new Error('a broken onError does not stop anything');
      },
    });
    await expect(fit.start()).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('out of memory');
    expect(fit.status()).toMatchObject({ running: false, completed: 0 });
    expect((fit.status().lastError as Error).message).toBe('out of memory');
  });
});
