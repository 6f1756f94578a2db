/**
 * Redis behind `createRedisDedupeStore` freezes and then dies for some seconds while browsers keep
 * sending: every ingest answer stays fast, `onError` hears about it, every event is forwarded, and
 * dedupe works again once Redis is back. The client is created the way users create it (ioredis
 * defaults: offline queue on, 20 retries per request).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { TouchpointEvent } from '@touchpoint/core';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DedupeStore } from '../src/dedupe-store.js';
import { createRedisDedupeStore } from '../src/redis-dedupe-store.js';
import { trackEvent } from './events.js';
import { batchBody, startIngest } from './ingest-server.js';
import { findBinary, freePort, shouldRun } from './services.js';

const binary = findBinary('redis-server');
const run = shouldRun(binary, 'redis-server (the Redis outage test needs /usr/bin/redis-server)');

/** A redis-server we can freeze (SIGSTOP), kill and start again on the same port. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(binary!, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const end = Date.now() + 10_000;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return child;
    if (Date.now() > end || child.exitCode !== null) throw new Error(`redis-server did not start on ${port}`);
    await sleep(20);
  }
}

async function kill(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGCONT');
  child.kill('SIGKILL');
  await exited;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
}

describe.skipIf(!run)('Redis dedupe during a Redis outage', () => {
  let port: number;
  let redis: ChildProcess | undefined;
  let client: Redis;
  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port);
    client = new Redis({ host: '127.0.0.1', port });
    // Users attach one too; without it ioredis prints every reconnection failure.
    client.on('error', () => {});
    await client.ping();
  }, 20_000);
  afterAll(async () => {
    client?.disconnect();
    await kill(redis);
  });

  it('times out a frozen Redis promptly, skips it while down, probes once per interval, and recovers', async () => {
    const store = createRedisDedupeStore(client, { prefix: 'breaker:', timeoutMs: 250, retryAfterMs: 400 });
    expect(await store.claim(['a'], 60_000)).toEqual([true]);
    redis!.kill('SIGSTOP');
    try {
      let started = Date.now();
      await expect(store.claim(['b'], 60_000)).rejects.toThrow(/no answer within 250 ms/);
      expect(Date.now() - started).toBeLessThan(600);
      started = Date.now();
      for (let i = 0; i < 20; i++) await expect(store.claim(['c'], 60_000)).rejects.toThrow(/skipped/);
      expect(Date.now() - started).toBeLessThan(150);
      expect(store.stats()).toMatchObject({ state: 'down', claims: 2, failures: 1, timeouts: 1, skipped: 20 });
      await sleep(420);
      // One probe goes to Redis (and times out again); the claims beside it do not wait for it.
      const probe = store.claim(['d'], 60_000).catch((e: Error) => e.message);
      await expect(store.claim(['e'], 60_000)).rejects.toThrow(/skipped/);
      expect(await probe).toMatch(/no answer within 250 ms/);
      expect(store.stats()).toMatchObject({ claims: 3, timeouts: 2, skipped: 21 });
    } finally {
      redis!.kill('SIGCONT');
    }
    await sleep(420);
    // Redis answers again: the probe closes the circuit. `b` was set late, when Redis woke up.
    expect(await store.claim(['a', 'f'], 60_000)).toEqual([false, true]);
    expect(store.stats().state).toBe('up');
  });

  it('keeps ingest answers fast and forwards every event while Redis freezes, dies and comes back', async () => {
    const store = createRedisDedupeStore(client, { prefix: 'outage:' });
    // How long each claim kept its ingest request waiting.
    const claimMs: number[] = [];
    const timed: DedupeStore = {
      async claim(ids, ttlMs) {
        const started = performance.now();
        try {
          return await store.claim(ids, ttlMs);
        } finally {
          claimMs.push(performance.now() - started);
        }
      },
    };
    const errors: string[] = [];
    const ingest = await startIngest({
      dedupe: timed,
      onError: (e) => {
        if (e.source === 'dedupe') errors.push(e.message);
      },
    });
    const sent: TouchpointEvent[] = [];
    const latencies: number[] = [];
    const statuses = new Map<number, number>();
    const post = async (events: TouchpointEvent[]) => {
      const started = performance.now();
      const res = await ingest.post(batchBody(events));
      latencies.push(performance.now() - started);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      return res.json() as Promise<{ accepted: number; duplicates: number }>;
    };
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    try {
      // Four browsers send batches of 5 new events, one after another, for the whole run.
      let running = true;
      const browsers = Array.from({ length: 4 }, async () => {
        while (running) {
          const events = Array.from({ length: 5 }, () => trackEvent());
          sent.push(...events);
          await post(events);
          await sleep(5);
        }
      });
      await sleep(700);
      redis!.kill('SIGSTOP'); // frozen: connections stay open, nothing answers
      await sleep(1500);
      redis!.kill('SIGCONT');
      await sleep(700);
      await kill(redis); // dead: connection refused, the client reconnects in the background
      const outageStarted = Date.now();
      await sleep(3000);
      redis = await startRedis(port);
      const down = Date.now() - outageStarted;

      // Back: a batch sent twice is forwarded once again (the client reconnects with backoff).
      let deduped = false;
      const end = Date.now() + 10_000;
      while (!deduped && Date.now() < end) {
        const events = [trackEvent(), trackEvent()];
        sent.push(...events);
        await post(events);
        deduped = (await post(events)).duplicates === events.length;
        if (!deduped) await sleep(100);
      }
      running = false;
      await Promise.all(browsers);
      await ingest.forwarder.flush();

      const sorted = [...latencies].sort((a, b) => a - b);
      const p50 = percentile(sorted, 50);
      const p99 = percentile(sorted, 99);
      const max = sorted[sorted.length - 1] ?? 0;
      lag.disable();
      const lagMax = lag.max / 1e6;
      const claimMax = Math.max(...claimMs);
      const received = new Set(ingest.received.map((e) => e.messageId));
      console.info(
        `Redis outage (frozen 1.5 s, dead ${(down / 1000).toFixed(1)} s): ${latencies.length} ingest answers, ` +
          `p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${max.toFixed(1)} ms (longest dedupe claim ${claimMax.toFixed(1)} ms, event loop late by up to ${lagMax.toFixed(0)} ms); ` +
          `${sent.length} events sent, ${received.size} forwarded; onError(dedupe) ${errors.length}×; ` +
          `store ${JSON.stringify(store.stats())}`,
      );
      expect([...statuses.keys()]).toEqual([200]);
      expect(deduped).toBe(true);
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.some((m) => /no answer within 200 ms|ECONNREFUSED|Connection is closed/.test(m))).toBe(true);
      expect(errors.some((m) => /skipped/.test(m))).toBe(true);
      // Nothing lost: every event sent was forwarded.
      for (const event of sent) expect(received.has(event.messageId)).toBe(true);
      // Fast: no request waited for Redis longer than one timeout (plus a loaded machine's slack:
      // the longest the event loop was late), where the store without a bound waited 17 s.
      expect(claimMax).toBeLessThan(200 + 300 + lagMax);
      expect(max).toBeLessThan(2000 + lagMax);
    } finally {
      await ingest.close();
    }
  }, 40_000);
});
