/**
 * A dedupe window in Redis, shared by every server instance behind a load balancer: an id is new
 * for exactly one of them. One `SET key 1 PX ttl NX` per id, pipelined into one round trip per
 * batch. The client is typed structurally so `ioredis` stays the caller's dependency, not ours.
 *
 * What it guarantees when Redis is slow or down: no claim waits longer than `timeoutMs` (200 ms by
 * default), whatever the client's own settings — a late answer is ignored and the claim throws, so
 * the ingest forwards the events anyway (fails open) and reports the error through its `onError`.
 * After a failure the store stops asking Redis for `retryAfterMs` (a circuit breaker): claims
 * throw at once, then a single claim probes Redis, and the first answer closes the circuit again.
 * So a dead Redis costs each ingest answer at most one timeout, and the client's offline queue
 * receives at most one batch of commands per `retryAfterMs` instead of one per request.
 *
 * What Redis holds: one key per message id (`<prefix><messageId>`, value `1`, expiring with the
 * window). `forget` deletes an erased customer's keys; unlike a claim it does not fail open — it
 * goes to Redis whatever the circuit says and throws when Redis does not confirm, so the erasure
 * records the store as failed and retries it. Redis's own persistence keeps deleted keys until
 * its next snapshot or AOF rewrite; keys hold message ids only, no personal data.
 */
import { TouchpointConfigError } from '@touchpoint/core';
import type { DedupeStore } from './dedupe-store.js';

/** The part of an ioredis client (or cluster) this store uses. */
export interface RedisPipelineLike {
  set(key: string, value: string, px: 'PX', ms: number, nx: 'NX'): unknown;
  /** Used by `release` (ids whose events the log refused) and `forget`; ioredis pipelines have it. */
  del?(key: string): unknown;
  exec(): Promise<Array<[Error | null, unknown]> | null>;
}
export interface RedisClientLike {
  pipeline(): RedisPipelineLike;
}

export interface RedisDedupeStoreOptions {
  /** Key prefix (default `tp:dedupe:`). */
  prefix?: string;
  /** Longest one claim waits for Redis before it throws and the ingest fails open (default 200 ms). */
  timeoutMs?: number;
  /** After a failure, claims throw at once for this long before one of them tries Redis again (default 1000 ms). */
  retryAfterMs?: number;
  /** Longest `forget` waits for Redis per 1,000 ids before it throws (default 5000 ms). */
  forgetTimeoutMs?: number;
}

export interface RedisDedupeStats {
  /** `up` while claims go to Redis; `down` while the circuit is open after a failure. */
  state: 'up' | 'down';
  /** Claims sent to Redis (those that failed included). */
  claims: number;
  /** Claims that failed: Redis errors and timeouts. */
  failures: number;
  /** Failures that were timeouts. */
  timeouts: number;
  /** Claims that did not try Redis because the circuit was open. */
  skipped: number;
  /** The last failure's message, if any. */
  lastError?: string;
}

export interface RedisDedupeStore extends DedupeStore {
  forget(messageIds: readonly string[]): Promise<number>;
  /** Counters for your metrics, and whether Redis is considered up. */
  stats(): RedisDedupeStats;
}

/**
 * Shares the ingest's dedupe window between instances through Redis, bounded in time: a slow or
 * dead Redis makes claims fail fast (the ingest then forwards without dedupe and calls `onError`),
 * never makes the browser wait.
 *
 * Recommended client settings, so the client itself also gives up quickly while Redis is away:
 * `new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 })`.
 * The store is safe with the client's defaults too: its own timeout and circuit breaker bound
 * every claim and what reaches the client's offline queue.
 *
 * @example
 * import Redis from 'ioredis';
 * const redis = new Redis(process.env.REDIS_URL!, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
 * const dedupe = createRedisDedupeStore(redis, { timeoutMs: 200 });
 * const handler = createIngestHandler({ forwarder, writeKeys, dedupe, onError: (e) => log.warn(e.message) });
 */
export function createRedisDedupeStore(
  client: RedisClientLike,
  options: RedisDedupeStoreOptions = {},
): RedisDedupeStore {
  if (typeof client?.pipeline !== 'function')
    throw new TouchpointConfigError(
      'redisDedupe.client',
      'must be a Redis client with pipeline(), e.g. new Redis(url) from ioredis',
    );
  const prefix = options.prefix ?? 'tp:dedupe:';
  if (typeof prefix !== 'string') throw new TouchpointConfigError('redisDedupe.prefix', 'must be a string');
  const timeoutMs = positive(options.timeoutMs, 200, 'timeoutMs');
  const retryAfterMs = positive(options.retryAfterMs, 1000, 'retryAfterMs');
  const forgetTimeoutMs = positive(options.forgetTimeoutMs, 5000, 'forgetTimeoutMs');

  // Circuit breaker: 0 while Redis is up; otherwise when the next probe may go.
  let downUntil = 0;
  let probing = false;
  let lastFailureAt = 0;
  const counts = { claims: 0, failures: 0, timeouts: 0, skipped: 0 };
  let lastError: string | undefined;

  async function setAll(ids: readonly string[], ttlMs: number): Promise<boolean[]> {
    const pipeline = client.pipeline();
    const ttl = Math.max(1, Math.round(ttlMs));
    for (const id of ids) pipeline.set(prefix + id, '1', 'PX', ttl, 'NX');
    const results = await pipeline.exec();
    if (!results) throw new Error('Redis pipeline was discarded (connection lost?)');
    const fresh: boolean[] = [];
    for (let i = 0; i < ids.length; i++) {
      const entry = results[i];
      if (!entry || entry[0]) throw entry?.[0] ?? new Error(`Redis gave no answer for SET #${i}`);
      // NX answers OK when the key was set, null when it existed. Duplicates inside one batch:
      // Redis already answers null for the second SET of an id.
      fresh.push(entry[1] === 'OK');
    }
    return fresh;
  }

  return {
    async claim(ids, ttlMs) {
      if (ids.length === 0) return [];
      const now = Date.now();
      const probe = downUntil !== 0;
      if (probe && (now < downUntil || probing)) {
        counts.skipped++;
        const next = Math.max(0, downUntil - now);
        throw new Error(
          `Redis dedupe skipped: Redis failed ${now - lastFailureAt} ms ago (${lastError}); next try in ${next} ms`,
        );
      }
      if (probe) probing = true;
      counts.claims++;
      try {
        const fresh = await withTimeout(() => setAll(ids, ttlMs), timeoutMs);
        downUntil = 0;
        return fresh;
      } catch (error) {
        counts.failures++;
        const timedOut = error === TIMED_OUT;
        if (timedOut) counts.timeouts++;
        lastFailureAt = Date.now();
        downUntil = lastFailureAt + retryAfterMs;
        lastError = timedOut
          ? `no answer within ${timeoutMs} ms`
          : error instanceof Error
            ? error.message
            : String(error);
        throw new Error(`Redis dedupe failed: ${lastError}; claims skip Redis for ${retryAfterMs} ms`, {
          ...(!timedOut && { cause: error }),
        });
      } finally {
        if (probe) probing = false;
      }
    },
    async release(ids) {
      if (ids.length === 0) return;
      const pipeline = client.pipeline();
      if (typeof pipeline.del !== 'function') return;
      for (const id of ids) pipeline.del(prefix + id);
      await withTimeout(() => pipeline.exec(), timeoutMs);
    },
    async forget(messageIds) {
      let forgotten = 0;
      // In slices, so a customer with 100k events sends bounded pipelines (and a cluster's
      // client splits each by slot; per-key DEL never crosses slots).
      for (let start = 0; start < messageIds.length; start += FORGET_SLICE) {
        const slice = messageIds.slice(start, start + FORGET_SLICE);
        const pipeline = client.pipeline();
        if (typeof pipeline.del !== 'function')
          throw new Error('Redis dedupe forget needs a client whose pipeline has del() (ioredis has)');
        for (const id of slice) pipeline.del(prefix + id);
        const results = await withTimeout(() => pipeline.exec(), forgetTimeoutMs).catch((error) => {
          throw new Error(
            `Redis dedupe forget failed: ${error === TIMED_OUT ? `no answer within ${forgetTimeoutMs} ms` : String(error)}`,
            { cause: error },
          );
        });
        if (!results) throw new Error('Redis dedupe forget: pipeline discarded (connection lost?)');
        for (const [error, deleted] of results) {
          if (error) throw new Error(`Redis dedupe forget failed: ${error.message}`, { cause: error });
          forgotten += Number(deleted) || 0;
        }
      }
      return forgotten;
    },
    stats() {
      return { state: downUntil === 0 ? 'up' : 'down', ...counts, ...(lastError !== undefined && { lastError }) };
    },
  };
}

const TIMED_OUT = Symbol('timed out');
/** Ids per `forget` pipeline. */
const FORGET_SLICE = 1000;

/** `run()`'s result, or a rejection with `TIMED_OUT` after `ms`; a late result is ignored. */
function withTimeout<T>(run: () => Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(TIMED_OUT), ms);
    timer.unref?.();
    let work: Promise<T>;
    try {
      work = run();
    } catch (error) {
      work = Promise.reject(error);
    }
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

function positive(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    throw new TouchpointConfigError(
      `redisDedupe.${field}`,
      `must be a positive number of milliseconds, got ${String(value)}`,
    );
  return value;
}
