/**
 * A dedupe window in Redis, shared by every server instance behind a load balancer: an id is new
 * for exactly one of them. One `SET key 1 PX ttl NX` per id, pipelined into one round trip per
 * batch. The client is typed structurally so `ioredis` stays the caller's dependency, not ours.
 */
import type { DedupeStore } from './dedupe-store.js';

/** The part of an ioredis client (or cluster) this store uses. */
export interface RedisPipelineLike {
  set(key: string, value: string, px: 'PX', ms: number, nx: 'NX'): unknown;
  exec(): Promise<Array<[Error | null, unknown]> | null>;
}
export interface RedisClientLike {
  pipeline(): RedisPipelineLike;
}

export interface RedisDedupeStoreOptions {
  /** Key prefix (default `tp:dedupe:`). */
  prefix?: string;
}

/**
 * @example
 * import Redis from 'ioredis';
 * const dedupe = createRedisDedupeStore(new Redis(process.env.REDIS_URL));
 * const handler = createIngestHandler({ forwarder, writeKeys, dedupe });
 */
export function createRedisDedupeStore(client: RedisClientLike, options: RedisDedupeStoreOptions = {}): DedupeStore {
  const prefix = options.prefix ?? 'tp:dedupe:';
  return {
    async claim(ids, ttlMs) {
      if (ids.length === 0) return [];
      const pipeline = client.pipeline();
      const ttl = Math.max(1, Math.round(ttlMs));
      for (const id of ids) pipeline.set(prefix + id, '1', 'PX', ttl, 'NX');
      const results = await pipeline.exec();
      if (!results) throw new Error('Redis pipeline was discarded (connection lost?)');
      const fresh: boolean[] = [];
      for (let i = 0; i < ids.length; i++) {
        const entry = results[i];
        if (!entry || entry[0]) throw entry?.[0] ?? new Error(`Redis gave no answer for SET #${i}`);
        // NX answers OK when the key was set, null when it existed.
        fresh.push(entry[1] === 'OK');
      }
      // Duplicates inside one batch: Redis already answers null for the second SET of an id.
      return fresh;
    },
  };
}
