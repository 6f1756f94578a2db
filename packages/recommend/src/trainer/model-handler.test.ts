// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { createRecommender } from '../recommender/create-recommender.js';
import { createRecommenderTrainer } from './create-trainer.js';
import { createModelHandler } from './model-handler.js';

function publishedTrainer() {
  const recommender = createRecommender();
  recommender.learnBaskets([
    ['tea', 'biscuits'],
    ['tea', 'biscuits', 'milk'],
  ]);
  const trainer = createRecommenderTrainer({ recommender, publishIntervalMs: 0 });
  trainer.publish();
  return trainer;
}

const get = (headers: Record<string, string> = {}, method = 'GET') =>
  new Request('http://shop.test/recommender.json', { method, headers });

describe('createModelHandler', () => {
  it('serves the model JSON with an ETag and cache headers', async () => {
    const trainer = publishedTrainer();
    const res = await createModelHandler(trainer)(get());
    expect(res.status).toBe(200);
    expect(res.headers.get('ETag')).toBe(trainer.current()!.etag);
    expect(res.headers.get('Cache-Control')).toBe('public, max-age=60, stale-while-revalidate=600');
    expect(res.headers.get('Content-Type')).toBe('application/json; charset=utf-8');
    expect(await res.text()).toBe(trainer.current()!.json);
  });

  it('answers 304 without a body when If-None-Match matches, weak or in a list', async () => {
    const trainer = publishedTrainer();
    const handler = createModelHandler(trainer, { maxAgeSeconds: 5 });
    const etag = trainer.current()!.etag;
    for (const value of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const res = await handler(get({ 'If-None-Match': value }));
      expect(res.status).toBe(304);
      expect(res.headers.get('ETag')).toBe(etag);
      expect(res.headers.get('Cache-Control')).toContain('max-age=5');
      expect(await res.text()).toBe('');
    }
    expect((await handler(get({ 'If-None-Match': '"stale"' }))).status).toBe(200);
  });

  it('says 503 (not cacheable) before the first publication, and 405 for other methods', async () => {
    const handler = createModelHandler(createRecommenderTrainer({ publishIntervalMs: 0 }));
    const res = await handler(get());
    expect(res.status).toBe(503);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    const post = await handler(get({}, 'POST'));
    expect(post.status).toBe(405);
    expect(post.headers.get('Allow')).toBe('GET, HEAD');
  });

  it('answers HEAD with headers only, and a cross-origin preflight when allowed', async () => {
    const trainer = publishedTrainer();
    const handler = createModelHandler(trainer, { allowOrigin: 'https://shop.example' });
    const head = await handler(get({}, 'HEAD'));
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect(head.headers.get('Access-Control-Expose-Headers')).toBe('ETag');
    const preflight = await handler(get({}, 'OPTIONS'));
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('Access-Control-Allow-Headers')).toBe('If-None-Match');
    expect(preflight.headers.get('Access-Control-Allow-Origin')).toBe('https://shop.example');
  });
});
