// @vitest-environment node
/**
 * The live chain end to end, over real HTTP on loopback: storefront touchpoints delivered to the
 * trainer in forwarder batches → published model → model handler → browser loader →
 * recommend() / connectUpsell-ready suggestions; then an erasure request reaching the trainer.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createModelLoader } from '../src/model-loader/index.js';
import { createRecommender } from '../src/recommender/index.js';
import { createModelHandler, createRecommenderTrainer } from '../src/trainer/index.js';
import { type LoopbackServer, serveHandler } from './serve-handler.js';
import { visit } from './storefront-events.js';

let server: LoopbackServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('live model: trainer → handler → loader', () => {
  it('suggests what the shop’s own customers bought together, and forgets an erased customer', async () => {
    // Seeded with historic baskets, as the demo seeds from the shared basket data.
    const recommender = createRecommender();
    recommender.learnBaskets([
      ['tent', 'sleeping-bag'],
      ['stove', 'gas'],
    ]);
    const trainer = createRecommenderTrainer({
      recommender,
      publishEveryInteractions: 1_000_000,
      publishIntervalMs: 0,
    });
    trainer.publish();
    server = await serveHandler(createModelHandler(trainer));
    const loader = createModelLoader({ url: `${server.url}/recommender.json`, refreshMs: 0 });

    await loader.load();
    expect(loader.recommend({ items: ['tent'], k: 1, fillWithPopular: false })[0]!.item).toBe('sleeping-bag');

    // A day of visits, delivered in batches as the forwarder would.
    const events = [];
    for (let i = 0; i < 6; i++)
      events.push(...visit(`day1-${i}`, { anonymousId: `anon-${i}` }, ['tent', 'tarp'], ['tent', 'tent-pegs']));
    events.push(...visit('vip', { anonymousId: 'anon-vip', userId: 'vip' }, [], ['tent', 'gold-pegs']));
    events.push(...visit('vip2', { anonymousId: 'anon-vip', userId: 'vip' }, [], ['tent', 'gold-pegs']));
    for (let i = 0; i < events.length; i += 10) await trainer.send(events.slice(i, i + 10));
    trainer.publish();

    await loader.load();
    const recs = loader.recommend({ items: ['tent'], k: 3, fillWithPopular: false });
    expect(recs[0]).toMatchObject({ item: 'tent-pegs', because: ['tent'] });
    expect(recs.map((r) => r.item)).toContain('gold-pegs');
    const versionBefore = loader.etag;

    // Erasure request for the customer reaches the trainer; the browser's next revalidation drops them.
    expect(trainer.forget('vip')).toBe(2);
    await loader.load();
    expect(loader.etag).not.toBe(versionBefore);
    expect(loader.recommend({ items: ['tent'], k: 5, fillWithPopular: false }).map((r) => r.item)).not.toContain(
      'gold-pegs',
    );
    expect(server.requests.map((r) => r.status)).toEqual([200, 200, 200]);
  });
});
