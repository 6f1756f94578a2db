/**
 * `@touchpoint/core/testing` — a manual clock for tests of code that batches, retries or waits.
 * Time moves only when the test says so: no sleeps, no flakes on a busy machine.
 */
import type { Clock } from '../clock.js';

export interface ManualClock extends Clock {
  /** Moves time forward, running every timer that falls due, in order. */
  advance(ms: number): void;
  /** Moves time forward and lets promise callbacks settle between timers. */
  advanceAsync(ms: number): Promise<void>;
  /** Runs timers until none is left (or `limit` have run). */
  runAll(limit?: number): void;
  /** Timers waiting. */
  readonly pending: number;
}

/**
 * @example
 * const clock = createManualClock(Date.parse('2026-11-22T10:00:00Z'));
 * const batcher = createBatcher({ maxEvents: 10, maxBytes: 1e5, maxWaitMs: 1000, clock, onBatch });
 * batcher.add(x, 10); clock.advance(1000); // onBatch has run
 */
export function createManualClock(startMs = 0): ManualClock {
  let now = startMs;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void; seq: number }>();

  function nextDue(until: number) {
    let best: { id: number; at: number; seq: number; fn: () => void } | undefined;
    for (const [id, t] of timers) {
      if (t.at <= until && (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq))) best = { id, ...t };
    }
    return best;
  }

  const clock: ManualClock = {
    now: () => now,
    setTimeout(fn, ms) {
      const id = ++seq;
      timers.set(id, { at: now + Math.max(0, ms), fn, seq: id });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    advance(ms) {
      const until = now + ms;
      for (let t = nextDue(until); t; t = nextDue(until)) {
        timers.delete(t.id);
        now = Math.max(now, t.at);
        t.fn();
      }
      now = until;
    },
    async advanceAsync(ms) {
      const until = now + ms;
      for (let i = 0; i < 20; i++) await Promise.resolve();
      for (let t = nextDue(until); t; t = nextDue(until)) {
        timers.delete(t.id);
        now = Math.max(now, t.at);
        t.fn();
        for (let i = 0; i < 20; i++) await Promise.resolve();
      }
      now = until;
    },
    runAll(limit = 10_000) {
      for (let i = 0; i < limit; i++) {
        const t = nextDue(Number.POSITIVE_INFINITY);
        if (!t) return;
        timers.delete(t.id);
        now = Math.max(now, t.at);
        t.fn();
      }
    },
    get pending() {
      return timers.size;
    },
  };
  return clock;
}
