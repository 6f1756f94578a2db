import { describe, expect, it } from 'vitest';
import { backoffDelay, createRetryPolicy, MAX_RETRY_AFTER_MS, parseRetryAfter, retryable } from './backoff.js';

describe('retryable', () => {
  it('retries network errors, 408, 429 and 5xx; not 4xx, 501 or 505', () => {
    for (const s of [undefined, 0, 408, 429, 500, 502, 503, 504, 599]) expect(retryable(s), String(s)).toBe(true);
    for (const s of [200, 204, 400, 401, 403, 404, 413, 422, 501, 505]) expect(retryable(s), String(s)).toBe(false);
  });
});

describe('backoffDelay (full jitter)', () => {
  it('spans [0, base * 2^attempt) and caps at maxMs', () => {
    const opts = { baseMs: 100, maxMs: 5000 };
    expect(backoffDelay(0, opts, () => 0)).toBe(0);
    expect(backoffDelay(0, opts, () => 0.999)).toBe(99);
    expect(backoffDelay(3, opts, () => 0.5)).toBe(400);
    expect(backoffDelay(20, opts, () => 0.999)).toBe(4995);
    expect(backoffDelay(1e9, opts, () => 0.999)).toBeLessThan(5000);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-22T10:00:00Z');
  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
    expect(parseRetryAfter('Sun, 22 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 09:00:00 GMT', now)).toBe(0);
  });
  it('ignores garbage and caps absurd waits', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('999999', now)).toBe(MAX_RETRY_AFTER_MS);
  });
});

describe('createRetryPolicy', () => {
  const policy = createRetryPolicy({ maxAttempts: 3, baseMs: 100, maxMs: 1000, random: () => 0.5 });
  it('backs off on retryable failures until attempts run out', () => {
    expect(policy.next(1, { status: 503 })).toEqual({ retry: true, delayMs: 50 });
    expect(policy.next(2, {})).toEqual({ retry: true, delayMs: 100 });
    expect(policy.next(3, { status: 503 })).toEqual({ retry: false, reason: 'attempts_exhausted' });
  });
  it('never retries a client error', () => {
    expect(policy.next(1, { status: 400 })).toEqual({ retry: false, reason: 'not_retryable' });
  });
  it('waits at least what Retry-After asks', () => {
    expect(policy.next(1, { status: 429, retryAfter: '2', nowMs: 0 })).toEqual({ retry: true, delayMs: 2000 });
  });
});
