/**
 * Runs a stepwise fit (a generator that pauses between bounded steps) in the background: it
 * gives the event loop back after every step, so a server keeps answering while the learned
 * ranker refits (a refit takes seconds at 100k customers; one step a few milliseconds).
 *
 * Guarantees: concurrent starts share one run; `restart()` (an erasure) throws away what the
 * running fit has read and starts it again from fresh data, so an erased customer never reaches
 * the applied result; an error ends the run, is kept in the status and goes to `onError` — never
 * an unhandled rejection, never a throw into the caller that started it.
 */

export interface BackgroundFitStatus {
  /** A fit is running (or waiting for its first step). */
  running: boolean;
  /** Fits run to the end and applied. */
  completed: number;
  /** Steps of the last applied fit, and the longest of them in milliseconds (the longest the event loop waited). */
  lastSteps: number;
  lastLongestStepMs: number;
  /** The last fit's error, if it failed (cleared by the next applied fit). */
  lastError: unknown;
}

export interface BackgroundFit {
  /** Starts a fit, or joins the running one; resolves when its result is applied (or it failed: see `status`). */
  start(): Promise<void>;
  /** The data changed in a way the running fit must not keep (an erasure): it starts over. */
  restart(): void;
  status(): BackgroundFitStatus;
}

export interface BackgroundFitOptions<T> {
  /** A fresh fit over the data as it is when the generator starts. */
  steps: () => Generator<void, T>;
  /** Applies a finished fit's result. */
  apply: (result: T) => void;
  /** Told about a failed fit (a throwing `onError` is ignored: it must not stop the fits). */
  onError?: (error: unknown) => void;
  /** Gives the event loop back between steps (default: `setImmediate`, else `setTimeout(0)`). */
  yieldToEventLoop?: () => Promise<void>;
  /** Clock for the step lengths in the status (default `performance.now`). */
  now?: () => number;
}

const defaultYield = (): Promise<void> =>
  new Promise((resolve) => {
    const immediate = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate;
    if (immediate) immediate(resolve);
    else setTimeout(resolve, 0);
  });

/**
 * @example
 * const fit = createBackgroundFit({ steps: () => fitInSteps(snapshot()), apply: (trees) => { current = trees; } });
 * void fit.start(); // answers go on with the current trees meanwhile
 */
export function createBackgroundFit<T>(options: BackgroundFitOptions<T>): BackgroundFit {
  const yieldToEventLoop = options.yieldToEventLoop ?? defaultYield;
  const now = options.now ?? (() => performance.now());
  let running: Promise<void> | undefined;
  let generation = 0;
  const status: BackgroundFitStatus = {
    running: false,
    completed: 0,
    lastSteps: 0,
    lastLongestStepMs: 0,
    lastError: undefined,
  };

  async function run(): Promise<void> {
    // The caller is answering a request: the first step waits for the next turn of the loop.
    await yieldToEventLoop();
    for (;;) {
      const mine = generation;
      const fit = options.steps();
      let steps = 0;
      let longest = 0;
      let result: IteratorResult<void, T>;
      for (;;) {
        const t0 = now();
        result = fit.next();
        const took = now() - t0;
        steps++;
        if (took > longest) longest = took;
        if (result.done || mine !== generation) break;
        await yieldToEventLoop();
      }
      if (mine !== generation) continue; // erased meanwhile: start over from fresh data
      options.apply(result.value as T);
      status.completed++;
      status.lastSteps = steps;
      status.lastLongestStepMs = longest;
      status.lastError = undefined;
      return;
    }
  }

  function start(): Promise<void> {
    if (!running) {
      status.running = true;
      running = run()
        .catch((error: unknown) => {
          status.lastError = error;
          try {
            options.onError?.(error);
          } catch {
            // The report is best effort; the error stays in the status.
          }
        })
        .finally(() => {
          status.running = false;
          running = undefined;
        });
    }
    return running;
  }

  return {
    start,
    restart() {
      generation++;
    },
    status: () => ({ ...status }),
  };
}
