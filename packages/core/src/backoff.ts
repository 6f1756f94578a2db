/**
 * Retry decisions shared by the browser tracker and the node forwarder: which answers are worth
 * retrying, and how long to wait (exponential backoff with full jitter, capped, and never less
 * than what the server asked for with `Retry-After`).
 */

export interface BackoffOptions {
  /** First delay's upper bound, in ms. */
  baseMs: number;
  /** Largest delay, in ms. */
  maxMs: number;
}

/**
 * Full-jitter backoff: a random delay in [0, min(maxMs, baseMs * 2^attempt)).
 * Full jitter spreads retries from many clients evenly, so a recovering server is not hit by
 * synchronized waves (see AWS's "Exponential Backoff and Jitter").
 *
 * @example
 * backoffDelay(3, { baseMs: 500, maxMs: 30_000 }); // somewhere in [0, 4000)
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, Math.min(attempt, 30)));
  return Math.floor(random() * ceiling);
}

/**
 * `true` when a delivery answered with `status` should be tried again. `undefined` or `0` means
 * the request never got an answer (network error, timeout). Retried: 408, 429 and 5xx except
 * 501 Not Implemented and 505 HTTP Version Not Supported, which will not change on retry.
 */
export function retryable(status: number | undefined): boolean {
  if (status === undefined || status === 0) return true;
  if (status === 408 || status === 429) return true;
  return status >= 500 && status <= 599 && status !== 501 && status !== 505;
}

/** Most a `Retry-After` may hold us back: a misconfigured server must not park events for days. */
export const MAX_RETRY_AFTER_MS = 10 * 60 * 1000;

/**
 * Parses a `Retry-After` header (delta-seconds or an HTTP date) into milliseconds from `nowMs`.
 * Returns `undefined` when absent or unreadable; caps at ten minutes.
 */
export function parseRetryAfter(header: string | null | undefined, nowMs: number): number | undefined {
  const text = header?.trim();
  if (!text) return undefined;
  const seconds = Number(text);
  const ms = Number.isNaN(seconds) ? Date.parse(text) - nowMs : seconds * 1000;
  return Number.isNaN(ms) ? undefined : Math.max(0, Math.min(MAX_RETRY_AFTER_MS, Math.round(ms)));
}

export interface RetryPolicyOptions extends BackoffOptions {
  /** Total attempts including the first. */
  maxAttempts: number;
  random?: () => number;
}

export type RetryDecision =
  | { retry: true; delayMs: number }
  | { retry: false; reason: 'not_retryable' | 'attempts_exhausted' };

/**
 * Decides what to do after a failed attempt.
 *
 * @example
 * const policy = createRetryPolicy({ maxAttempts: 5, baseMs: 500, maxMs: 30_000 });
 * policy.next(1, { status: 429, retryAfter: '2' }); // { retry: true, delayMs: ≥ 2000 }
 */
export function createRetryPolicy(options: RetryPolicyOptions) {
  const random = options.random ?? Math.random;
  return {
    options,
    /**
     * @param attempt how many attempts have been made so far (1 after the first failure)
     * @param failure the answer's status (undefined for a network error) and its Retry-After
     */
    next(attempt: number, failure: { status?: number; retryAfter?: string | null; nowMs?: number }): RetryDecision {
      if (!retryable(failure.status)) return { retry: false, reason: 'not_retryable' };
      if (attempt >= options.maxAttempts) return { retry: false, reason: 'attempts_exhausted' };
      const jittered = backoffDelay(attempt - 1, options, random);
      const asked = parseRetryAfter(failure.retryAfter, failure.nowMs ?? Date.now());
      return { retry: true, delayMs: asked === undefined ? jittered : Math.max(asked, jittered) };
    },
  };
}

export type RetryPolicy = ReturnType<typeof createRetryPolicy>;
