// @vitest-environment node
/**
 * Cross-package, end to end over loopback HTTP, the way a shop deploys it: storefront batches →
 * @touchpoint/node ingest handler → createForwarder with the trainer as a destination → model
 * handler → browser model loader → recommend(). @touchpoint/node is loaded from its build (this
 * package must not depend on it), so the test needs `pnpm build` first — as `pnpm test` does.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createManualClock } from '@touchpoint/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createModelLoader } from '../src/model-loader/index.js';
import { createRecommender } from '../src/recommender/index.js';
import { createModelHandler, createRecommenderTrainer } from '../src/trainer/index.js';
import { type LoopbackServer, serveHandler } from './serve-handler.js';
import { visit } from './storefront-events.js';

const nodeDist = resolve(__dirname, '../../node/dist/index.js');
const present = existsSync(nodeDist);
if (!present) {
  const message = `@touchpoint/node is not built (${nodeDist}); run pnpm build`;
  if (process.env.CI === 'true') throw new Error(message);
  console.warn(`⚠ SKIPPED: forwarder → trainer test ${message}`);
}

const servers: LoopbackServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe.skipIf(!present)('storefront → ingest → forwarder → trainer → model handler → loader', () => {
  it('serves suggestions learned from the shop’s own touchpoints', async () => {
    const node = await import(pathToFileURL(nodeDist).href);
    const recommender = createRecommender();
    recommender.learnBaskets([
      ['tent', 'sleeping-bag'],
      ['stove', 'gas'],
    ]); // seed
    const clock = createManualClock(Date.now()); // the trainer's: publication runs when the test says
    const trainer = createRecommenderTrainer({
      recommender,
      clock,
      publishEveryInteractions: 30,
      publishIntervalMs: 0,
    });
    const forwarder = node.createForwarder({ destinations: [trainer], onError: () => {} });
    const ingest = node.createIngestHandler({ forwarder, writeKeys: ['pk_test'] });
    const ingestServer = await serveHandler(ingest);
    const modelServer = await serveHandler(createModelHandler(trainer));
    servers.push(ingestServer, modelServer);

    const events = [];
    for (let i = 0; i < 8; i++)
      events.push(...visit(`v${i}`, { anonymousId: `anon-${i}` }, ['tent', 'tarp'], ['tent', 'tent-pegs']));
    const response = await fetch(`${ingestServer.url}/ingest`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
      body: JSON.stringify({ batch: events, sentAt: new Date().toISOString(), v: 1, writeKey: 'pk_test' }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ accepted: events.length });
    await forwarder.flush();
    // 8 visits × (2 views + 2 cart adds + 2 order lines) = 48 interactions ≥ 30: a publication is due.
    expect(trainer.current()).toBeUndefined(); // publication waits until the delivery is acknowledged
    await clock.advanceAsync(0);
    const published = trainer.current();
    expect(published?.version).toBe(1);

    const loader = createModelLoader({
      url: `${modelServer.url}/recommender.json`,
      tracker: { getConsent: () => ({ analytics: true, personalization: true, marketing: false }) },
    });
    await loader.load();
    expect(loader.etag).toBe(published!.etag);
    expect(loader.recommend({ items: ['tent'], k: 1, fillWithPopular: false })[0]).toMatchObject({
      item: 'tent-pegs',
      because: ['tent'],
    });
    await forwarder.close({ timeoutMs: 1000 });
    await trainer.close();
  });
});
