/**
 * When the learned next-basket ranker is (re)fitted, and which trees answer meanwhile. A refit
 * never runs on the request path by default: an answer that finds the trees stale (more than
 * `refitShare` of the orders new since their fit) keeps answering with them — still a valid
 * model — and starts a background refit (background-fit.ts); an answer that finds no trees
 * (before the first fit, or after a `forget`, whose customer the old trees were fitted on) gets
 * none, so the frequency ranker answers until the refit is done. `refitShare: 0` keeps the exact
 * path: a fit in one go on the next answer after every change (incremental equals batch).
 */
import { createBackgroundFit } from './background-fit.js';
import type { BoostedTrees } from './boosted-trees.js';
import { runToEnd } from './boosted-trees.js';
import type { FittedRankers } from './next-basket-ranker.js';
import type { RankerStatus } from './types.js';

/** A finished fit and what it read: the orders then, and the count of learned orders then (`basis`). */
export interface RankerFit extends FittedRankers {
  fittedOn: number;
  basis: number;
}

/** The trees as saved in (or restored from) the model's JSON. */
export interface SavedRankers {
  ahead: BoostedTrees;
  visit: BoostedTrees | undefined;
  fittedOn: number;
  changedSince: number;
}

export interface RankerRefitsOptions {
  /** A fit in steps over the data as it is when it starts (it copies what it must). */
  steps: () => Generator<void, RankerFit>;
  refitShare: number;
  /** Orders learned so far (merges included), never decreasing. */
  changes: () => number;
  onError?: ((error: unknown) => void) | undefined;
}

export interface RankerRefits {
  /** The trees to answer with now (starting a refit if they are stale or missing); undefined: none usable. */
  forAnswer(): FittedRankers | undefined;
  /** Fits in one go now (exact; blocks). */
  fitNow(): void;
  /** Starts or joins a background refit; resolves when its trees answer, rejects with its error. */
  refit(): Promise<void>;
  /** A customer was erased: the trees never answer again, and a running refit starts over. */
  erase(): void;
  restore(saved: SavedRankers): void;
  saved(): SavedRankers | undefined;
  status(): RankerStatus;
}

/**
 * @example
 * const refits = createRankerRefits({ steps: fitSteps, refitShare: 0.1, changes: () => learned });
 * const trees = refits.forAnswer(); // undefined: answer with the frequency ranker
 */
export function createRankerRefits(options: RankerRefitsOptions): RankerRefits {
  let rankers: FittedRankers | undefined;
  let fittedOn = 0;
  let basis = 0;
  // A background refit that failed is retried by answers only once the orders change again (a
  // fit that fails on the same data would fail again, every answer).
  let failedAt = -1;

  function apply(fit: RankerFit): void {
    // A background fit that read older data than the trees answering now is not applied.
    if (rankers && fit.basis < basis) return;
    rankers = { ahead: fit.ahead, visit: fit.visit };
    fittedOn = fit.fittedOn;
    basis = fit.basis;
  }
  const background = createBackgroundFit<RankerFit>({
    steps: options.steps,
    apply,
    onError: (error) => {
      failedAt = options.changes();
      options.onError?.(error);
    },
  });
  const stale = () => !rankers || options.changes() - basis > options.refitShare * fittedOn;

  function fitNow(): void {
    background.restart(); // a running background fit read older data: it starts over
    apply(runToEnd(options.steps()));
    failedAt = -1;
  }

  return {
    forAnswer() {
      if (!stale()) return rankers;
      if (options.refitShare === 0) {
        fitNow();
        return rankers;
      }
      if (!background.status().running && failedAt !== options.changes()) void background.start();
      return rankers;
    },
    fitNow,
    async refit() {
      await background.start();
      const error = background.status().lastError;
      if (error !== undefined) throw error;
    },
    erase() {
      rankers = undefined;
      failedAt = -1; // the data changed: answers may try again
      background.restart();
    },
    restore(saved) {
      rankers = { ahead: saved.ahead, visit: saved.visit };
      fittedOn = saved.fittedOn;
      basis = options.changes() - saved.changedSince;
    },
    saved: () =>
      rankers && { ahead: rankers.ahead, visit: rankers.visit, fittedOn, changedSince: options.changes() - basis },
    status() {
      const b = background.status();
      return {
        answersWith: rankers ? 'learned' : 'frequency',
        state: b.running ? 'refitting' : !rankers ? 'unfitted' : stale() ? 'stale' : 'fitted',
        fittedOn: rankers ? fittedOn : 0,
        changedSince: options.changes() - (rankers ? basis : 0),
        backgroundRefits: b.completed,
        lastRefitSteps: b.lastSteps,
        lastRefitLongestStepMs: b.lastLongestStepMs,
        lastError: b.lastError,
      };
    },
  };
}

/** FNV-1a of a string: a fixed, learning-order-free order of customers. */
function hashOf(s: string): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < s.length; k++) h = Math.imul(h ^ s.charCodeAt(k), 0x01000193);
  return h >>> 0;
}

/**
 * `names` in a fixed order that does not depend on the order of learning: by hash (so a capped
 * sample of customers is not the alphabetically first ones), equal hashes by name.
 */
export function hashOrder(names: readonly string[]): string[] {
  const SPAN = 2 ** 21;
  if (names.length >= SPAN)
    return names
      .map((c) => [hashOf(c), c] as const)
      .sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
      .map((x) => x[1]);
  // Hash and position packed in one float and sorted as a typed array: at 100k customers the
  // sort of [hash, name] pairs alone held the event loop for tens of milliseconds.
  const keys = new Float64Array(names.length);
  for (let k = 0; k < names.length; k++) keys[k] = hashOf(names[k]!) * SPAN + k;
  keys.sort();
  const out = new Array<string>(names.length);
  for (let k = 0; k < keys.length; k++) out[k] = names[keys[k]! % SPAN]!;
  const hashAt = (k: number) => Math.floor(keys[k]! / SPAN);
  // Equal hashes go by name, as in the plain sort (rare).
  for (let k = 1; k < keys.length; k++) {
    if (hashAt(k) !== hashAt(k - 1)) continue;
    let end = k + 1;
    while (end < keys.length && hashAt(end) === hashAt(k)) end++;
    const run = out.slice(k - 1, end).sort();
    for (let j = 0; j < run.length; j++) out[k - 1 + j] = run[j]!;
    k = end - 1;
  }
  return out;
}
