/**
 * Recommendations, upsell and recovery offers. The model is trained on the server (seed baskets
 * plus the shop's own forwarded touchpoints) and fetched as JSON only once the customer has granted
 * personalization; until then no upsell is shown. `connectUpsell` does the timing, the policy
 * checks and the recording of `offer.shown/accepted/dismissed`.
 */

import type { Tracker } from '@touchpoint/browser';
import type { CommerceTouchpoints } from '@touchpoint/core';
import {
  connectUpsell,
  createIdbStore,
  createUpsellPlanner,
  type Offer,
  type RecommenderLike,
  type UpsellConnection,
} from '@touchpoint/recommend';
import { createModelLoader, type ModelLoader } from '@touchpoint/recommend/model-loader';
import { CURRENCY, findProduct } from './products.js';

export const MODEL_URL = '/api/recommendations/model.json';

/** The recovery gesture offered after negative feedback, once per unhappy episode. */
export const RECOVERY = {
  id: 'refund-delivery',
  title: 'Sorry we let you down',
  adds: 'We refund the delivery fee of this order and give you €5 off your next one.',
  cta: 'Claim my €5 voucher',
  code: 'SORRY5',
};

/**
 * The live model as the shop uses it: `createModelLoader` fetches the JSON the server's trainer
 * publishes — only with personalization consent, revalidating with its ETag, keeping the previous
 * model when a fetch fails — and answers `recommend()` from it (nothing until it has arrived).
 * The download starts as soon as consent allows, so the first cart add already has a model.
 *
 * @example
 * const recommender = loadShopRecommender(tp);
 * recommender.recommend({ items: ['whole-milk'], k: 4 });
 */
export function loadShopRecommender(
  tp: Pick<Tracker<CommerceTouchpoints>, 'getConsent' | 'on'>,
  onError?: (error: unknown) => void,
): ModelLoader {
  const loader = createModelLoader({ url: MODEL_URL, tracker: tp, ...(onError ? { onError } : {}) });
  void loader.load(); // does nothing without personalization consent
  tp.on('consent', (c) => {
    if (c.personalization) void loader.load();
  });
  return loader;
}

/**
 * Connects the planner to the tracker: an upsell a few seconds after a cart add, a recovery
 * offer after negative feedback.
 *
 * @example
 * startUpsell(tp, recommender, { onAccept: (offer) => cart.add(offer.item) });
 */
export function startUpsell(
  tp: Tracker<CommerceTouchpoints>,
  recommender: RecommenderLike,
  options: { onAccept: (offer: Offer) => void; onError?: (error: unknown) => void },
): UpsellConnection {
  return connectUpsell(tp, {
    planner: createUpsellPlanner({
      // A few seconds after the cart add: the customer sees their cart update first.
      triggers: { 'cart.item_added': { intent: 'complementary', delayMs: 4000 } },
      maxPerSession: 1,
      recovery: RECOVERY,
    }),
    recommender,
    catalog: {
      describe(item) {
        const p = findProduct(item);
        return p && { title: p.name, adds: p.blurb, price: { value: p.price, currency: CURRENCY }, cta: 'Add to cart' };
      },
    },
    store: createIdbStore({ dbName: 'demo-shop-upsell' }),
    onAccept: options.onAccept,
    ...(options.onError ? { onError: options.onError } : {}),
  });
}
