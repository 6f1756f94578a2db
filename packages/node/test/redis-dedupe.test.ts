/** The Redis dedupe store against a real redis-server, shared by two ingest instances. */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisDedupeStore } from '../src/redis-dedupe-store.js';
import { trackEvent } from './events.js';
import { batchBody, startIngest } from './ingest-server.js';
import { findBinary, type Service, shouldRun, startService } from './services.js';

const binary = findBinary('redis-server');
const run = shouldRun(binary, 'redis-server (Redis dedupe tests need /usr/bin/redis-server)');

describe.skipIf(!run)('createRedisDedupeStore with a real Redis', () => {
  let redis: Service;
  let client: Redis;
  beforeAll(async () => {
    redis = await startService(
      binary,
      (port) => ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      'redis',
    );
    client = new Redis({ host: '127.0.0.1', port: redis.port, lazyConnect: true, maxRetriesPerRequest: 1 });
    await client.connect();
  }, 20_000);
  afterAll(async () => {
    client?.disconnect();
    await redis?.stop();
  });

  it('claims ids once within their ttl, in one pipelined round trip', async () => {
    const store = createRedisDedupeStore(client, { prefix: 'test:' });
    expect(await store.claim(['m1', 'm1', 'm2'], 60_000)).toEqual([true, false, true]);
    expect(await store.claim(['m2', 'm3'], 60_000)).toEqual([false, true]);
    const ttl = await client.pttl('test:m1');
    expect(ttl).toBeGreaterThan(59_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(await store.claim([], 1000)).toEqual([]);
  });

  it('lets two ingest instances behind a load balancer forward a resent batch once', async () => {
    const dedupe = createRedisDedupeStore(client, { prefix: 'lb:' });
    const one = await startIngest({ dedupe });
    const two = await startIngest({ dedupe });
    try {
      const events = [trackEvent(), trackEvent(), trackEvent()];
      expect(await (await one.post(batchBody(events))).json()).toMatchObject({ accepted: 3, duplicates: 0 });
      // The beacon retry lands on the other instance.
      expect(await (await two.post(batchBody([events[1], trackEvent()]))).json()).toMatchObject({
        accepted: 2,
        duplicates: 1,
      });
      await Promise.all([one.forwarder.flush(), two.forwarder.flush()]);
      expect(one.received.length + two.received.length).toBe(4);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });

  it("forgets an erased customer's ids: their keys are gone from Redis, others stay", async () => {
    const store = createRedisDedupeStore(client, { prefix: 'erase:', timeoutMs: 5000 });
    const alice = Array.from({ length: 2500 }, (_, i) => `m-alice-${i}`);
    await store.claim([...alice, 'm-bob'], 60_000);
    expect(await client.exists('erase:m-alice-0', 'erase:m-alice-2499')).toBe(2);
    // 2,500 ids go in three pipelines; one id was never claimed.
    expect(await store.forget([...alice, 'm-unknown'])).toBe(2500);
    expect(await client.keys('erase:*')).toEqual(['erase:m-bob']);
    // What the keys hold: message ids only, the value is a constant.
    expect(await client.get('erase:m-bob')).toBe('1');
    expect(await store.claim(['m-alice-0', 'm-bob'], 60_000)).toEqual([true, false]);
  });

  it('does not fail open on forget: an unreachable Redis makes it throw, so the erasure is retried', async () => {
    const dead = new Redis({
      host: '127.0.0.1',
      port: 1,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
    });
    const store = createRedisDedupeStore(dead, { forgetTimeoutMs: 300 });
    await expect(store.forget(['m-1'])).rejects.toThrow(/Redis dedupe forget failed/);
    dead.disconnect();
  });

  it('fails open when Redis is unreachable: events are forwarded and the problem reported', async () => {
    const dead = new Redis({
      host: '127.0.0.1',
      port: 1,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    const errors: string[] = [];
    const ingest = await startIngest({ dedupe: createRedisDedupeStore(dead), onError: (e) => errors.push(e.source) });
    try {
      const res = await ingest.post(batchBody([trackEvent()]));
      expect(res.status).toBe(200);
      await ingest.forwarder.flush();
      expect(ingest.received).toHaveLength(1);
      expect(errors).toEqual(['dedupe']);
    } finally {
      dead.disconnect();
      await ingest.close();
    }
  });
});

describe('createRedisDedupeStore configuration', () => {
  it('names the bad field', () => {
    const client = { pipeline: () => ({ set: () => undefined, exec: async () => [] }) };
    expect(() => createRedisDedupeStore({} as never)).toThrow(/redisDedupe\.client/);
    expect(() => createRedisDedupeStore(client, { timeoutMs: 0 })).toThrow(/redisDedupe\.timeoutMs/);
    expect(() => createRedisDedupeStore(client, { retryAfterMs: Number.NaN })).toThrow(/redisDedupe\.retryAfterMs/);
  });
});
