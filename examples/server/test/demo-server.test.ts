/**
 * The demo server over real loopback HTTP, without a browser: batches in the browser's wire format
 * reach the JSONL file, negative feedback reaches the alert feed, the forwarded touchpoints retrain
 * the served model (new ETag, `304` on the old one no longer), and the dashboard reports it all.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createMessageId, type TouchpointEvent } from '@touchpoint/core';
import { recommenderFromJSON } from '@touchpoint/recommend';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DashboardSummary } from '../src/dashboard/aggregate.js';
import { DEMO_WRITE_KEY, type DemoServer, INGEST_PATH, MODEL_PATH, startDemoServer } from '../src/demo-server.js';

const serverDir = resolve(import.meta.dirname, '..');
let dataDir: string;
let demo: DemoServer;
const logs: string[] = [];

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'demo-server-'));
  logs.length = 0;
  demo = await startDemoServer({
    port: 0,
    dataDir,
    storefrontDir: join(dataDir, 'no-storefront'),
    seedPath: join(serverDir, 'seed', 'groceries-top40.csv'),
    publishEveryInteractions: 5,
    log: (line) => logs.push(line),
  });
});

afterEach(async () => {
  await demo.close();
  await rm(dataDir, { recursive: true, force: true });
});

const T0 = Date.now();
function event(i: number, session: string, body: Partial<TouchpointEvent> & Record<string, unknown>): TouchpointEvent {
  return {
    messageId: createMessageId(),
    timestamp: new Date(T0 + i * 1000).toISOString(),
    anonymousId: `anon-${session}`,
    sessionId: session,
    ...body,
  } as TouchpointEvent;
}

async function send(batch: TouchpointEvent[]): Promise<Response> {
  return fetch(demo.url + INGEST_PATH, {
    method: 'POST',
    headers: { 'content-type': 'text/plain;charset=UTF-8' },
    body: JSON.stringify({ batch, sentAt: new Date().toISOString(), v: 1, writeKey: DEMO_WRITE_KEY }),
  });
}

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the demo server', () => {
  it('writes accepted touchpoints to JSONL, alerts on a detractor and shows both on the dashboard', async () => {
    const batch = [
      event(0, 's1', {
        type: 'track',
        event: 'product.viewed',
        stage: 'consideration',
        properties: { productId: 'coffee' },
      }),
      event(1, 's1', {
        type: 'track',
        event: 'order.completed',
        stage: 'purchase',
        properties: { orderId: 'A-1', total: 6.99 },
      }),
      event(2, 's1', {
        type: 'feedback',
        feedback: { kind: 'nps', score: 1, touchpoint: 'order.completed', comment: 'Cold coffee' },
      }),
    ];
    const res = await send(batch);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 3, rejected: [] });
    // The same batch again (a beacon after a timed-out fetch): deduplicated, not written twice.
    expect(await (await send(batch)).json()).toMatchObject({ duplicates: 3 });

    const lines = await until('three lines in touchpoints.jsonl', async () => {
      const text = await readFile(join(dataDir, 'touchpoints.jsonl'), 'utf8');
      const list = text.trim().split('\n');
      return list.length >= 3 ? list.map((l) => JSON.parse(l) as TouchpointEvent) : undefined;
    });
    expect(lines.map((e) => e.messageId)).toEqual(batch.map((e) => e.messageId));
    expect(lines[2]).toMatchObject({ feedback: { sentiment: 'negative', npsCategory: 'detractor' } });

    const alert = await until('the alert', async () => {
      const text = await readFile(join(dataDir, 'alerts.jsonl'), 'utf8');
      return text.trim() ? JSON.parse(text.trim().split('\n')[0]!) : undefined;
    });
    expect(alert).toMatchObject({ kind: 'nps', score: 1, owner: 'ecommerce', comment: 'Cold coffee' });
    expect(alert.recent).toEqual(['product.viewed', 'order.completed']);
    expect(logs.some((l) => l.includes('negative NPS 1 on order.completed → ecommerce'))).toBe(true);

    const summary = await until('the dashboard summary', async () => {
      const s = (await (await fetch(`${demo.url}/dashboard/summary.json`)).json()) as DashboardSummary;
      return s.totals.orders === 1 && s.alerts.length === 1 ? s : undefined;
    });
    expect(summary.scores).toEqual([expect.objectContaining({ kind: 'nps', score: -100, responses: 1 })]);
    const page = await (await fetch(`${demo.url}/dashboard`)).text();
    expect(page).toContain('A-1');
    expect(page).toContain('Cold coffee');
  });

  it('pushes re-rendered panels to open dashboards over Server-Sent Events', async () => {
    const controller = new AbortController();
    const stream = await fetch(`${demo.url}/dashboard/stream`, { signal: controller.signal });
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    const reader = stream.body!.getReader();
    const decoder = new TextDecoder();
    let received = '';
    const first = await reader.read();
    received += decoder.decode(first.value);
    expect(received).toContain('event: panels');
    expect(received).not.toContain('A-77');

    await send([
      event(0, 's9', {
        type: 'track',
        event: 'order.completed',
        stage: 'purchase',
        properties: { orderId: 'A-77', total: 3 },
      }),
    ]);
    const deadline = Date.now() + 10_000;
    while (!received.includes('A-77') && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      received += decoder.decode(value);
    }
    controller.abort();
    expect(received).toContain('A-77');
  });

  it('answers 401 to a wrong write key, naming the problem', async () => {
    const res = await fetch(demo.url + INGEST_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ batch: [], sentAt: new Date().toISOString(), writeKey: 'pk_wrong' }),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'invalid_write_key' });
  });

  it('retrains the served model from forwarded touchpoints', async () => {
    const first = await fetch(demo.url + MODEL_PATH);
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag')!;
    expect((await fetch(demo.url + MODEL_PATH, { headers: { 'if-none-match': etag } })).status).toBe(304);
    const before = recommenderFromJSON(await first.json());
    const rank = (model: typeof before) =>
      model.recommend({ items: ['napkins'], k: 40, fillWithPopular: false }).findIndex((r) => r.item === 'sugar');

    // Many shoppers buy napkins with sugar: enough interactions to publish a new model.
    const batch: TouchpointEvent[] = [];
    for (let i = 0; i < 30; i++) {
      const order = `B-${i}`;
      for (const productId of ['napkins', 'sugar']) {
        batch.push(
          event(i, `t${i}`, {
            type: 'track',
            event: 'cart.item_added',
            stage: 'consideration',
            properties: { productId, quantity: 1 },
          }),
        );
      }
      batch.push(
        event(i, `t${i}`, {
          type: 'track',
          event: 'order.completed',
          stage: 'purchase',
          properties: {
            orderId: order,
            total: 3,
            items: [
              { productId: 'napkins', quantity: 1 },
              { productId: 'sugar', quantity: 1 },
            ],
          },
        }),
      );
    }
    expect((await send(batch)).status).toBe(200);

    const fresh = await until('a newly published model', async () => {
      const res = await fetch(demo.url + MODEL_PATH, { headers: { 'if-none-match': etag } });
      return res.status === 200 ? res : undefined;
    });
    expect(fresh.headers.get('etag')).not.toBe(etag);
    const after = recommenderFromJSON(await fresh.json());
    expect(rank(after)).toBeGreaterThanOrEqual(0);
    expect(rank(before) === -1 || rank(after) < rank(before)).toBe(true);
    expect(logs.some((l) => /published model v[2-9]/.test(l))).toBe(true);
  });
});
