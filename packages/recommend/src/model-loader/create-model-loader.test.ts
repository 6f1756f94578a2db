// @vitest-environment node
import type { ConsentState } from '@touchpoint/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type LoopbackServer, serveHandler } from '../../test/serve-handler.js';
import { createRecommender } from '../recommender/create-recommender.js';
import type { PublishedModel } from '../trainer/create-trainer.js';
import { createRecommenderTrainer } from '../trainer/create-trainer.js';
import { createModelHandler } from '../trainer/model-handler.js';
import { createModelLoader } from './create-model-loader.js';

let server: LoopbackServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A served model, plus a switch that makes the server fail like a broken deploy. */
async function serveModel() {
  const recommender = createRecommender();
  recommender.learnBaskets([
    ['tea', 'biscuits'],
    ['tea', 'biscuits', 'milk'],
    ['coffee', 'cake'],
  ]);
  const trainer = createRecommenderTrainer({ recommender, publishIntervalMs: 0 });
  trainer.publish();
  const handler = createModelHandler(trainer);
  const state = { failing: false };
  server = await serveHandler(async (req) => (state.failing ? new Response('down', { status: 500 }) : handler(req)));
  return { trainer, recommender, state, server, url: `${server.url}/recommender.json` };
}

function consentTracker(initial: ConsentState | 'pending') {
  let consent = initial;
  return {
    getConsent: () => consent,
    set(next: ConsentState | 'pending') {
      consent = next;
    },
  };
}
const granted: ConsentState = { analytics: true, personalization: true, marketing: false };

describe('createModelLoader', () => {
  it('fetches nothing until asked, and nothing without personalization consent', async () => {
    const { url, server } = await serveModel();
    const tracker = consentTracker('pending');
    const loader = createModelLoader({ url, tracker });
    expect(server.requests).toHaveLength(0); // created, never asked
    expect(loader.recommend({ items: ['tea'] })).toEqual([]);
    tracker.set({ ...granted, personalization: false });
    expect(await loader.load()).toBeUndefined();
    expect(server.requests).toHaveLength(0);

    tracker.set(granted);
    expect(loader.recommend({ items: ['tea'] })).toEqual([]); // starts the download
    const model = await loader.load(); // joins the same request
    expect(server.requests).toHaveLength(1);
    expect(model!.recommend({ items: ['tea'], k: 1 })[0]!.item).toBe('biscuits');
    expect(loader.recommend({ items: ['tea'], k: 1 })[0]).toMatchObject({ item: 'biscuits', because: ['tea'] });

    tracker.set({ ...granted, personalization: false }); // withdrawn: no suggestions, no requests
    expect(loader.recommend({ items: ['tea'] })).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  it('revalidates with If-None-Match: a 304 keeps the model, a new version replaces it', async () => {
    const { url, server, trainer, recommender } = await serveModel();
    const loader = createModelLoader({ url, refreshMs: 0 });
    await loader.load();
    const first = loader.current();
    const etag = loader.etag;
    expect(etag).toBe(trainer.current()!.etag);
    await loader.load();
    expect(server.requests[1]).toMatchObject({ ifNoneMatch: etag, status: 304 });
    expect(loader.current()).toBe(first);

    recommender.learnBaskets([
      ['coffee', 'milk'],
      ['coffee', 'milk'],
      ['coffee', 'milk'],
    ]);
    const next: PublishedModel = trainer.publish();
    await loader.load();
    expect(server.requests[2]!.status).toBe(200);
    expect(loader.etag).toBe(next.etag);
    expect(loader.recommend({ items: ['coffee'], k: 1 })[0]!.item).toBe('milk');
  });

  it('keeps working on the previous model when a fetch fails, and reports the failure', async () => {
    const { url, state } = await serveModel();
    const errors: unknown[] = [];
    const loader = createModelLoader({ url, refreshMs: 0, onError: (e) => errors.push(e) });
    await loader.load();
    const before = loader.recommend({ items: ['tea'], k: 2 });
    state.failing = true;
    await loader.load();
    expect(String(errors[0])).toContain('HTTP 500');
    expect(loader.recommend({ items: ['tea'], k: 2 })).toEqual(before);

    const broken = createModelLoader({ url: 'http://127.0.0.1:1/recommender.json', onError: (e) => errors.push(e) });
    expect(await broken.load()).toBeUndefined();
    expect(errors).toHaveLength(2);
    expect(broken.recommend({ items: ['tea'] })).toEqual([]);
  });
});
