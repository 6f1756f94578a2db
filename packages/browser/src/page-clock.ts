/**
 * The page's clock. Core's `systemClock` also unrefs Node timers, code a page never needs;
 * this one is the same contract in fewer bytes of the first load.
 */
import type { Clock } from '@touchpoint/core';

export const pageClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as number),
};
