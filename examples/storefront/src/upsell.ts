/**
 * Recommendations, upsell and recovery offers. The model is trained on the server and fetched as
 * JSON only once the customer has granted personalization; until then, and if the fetch fails,
 * the recommender answers nothing and no upsell is shown. `connectUpsell` does the timing, the
 * policy checks and the recording of `offer.shown/accepted/dismissed`.
 */

import type { Tracker } from '@touchpoint/browser';
import type { CommerceTouchpoints } from '@touchpoint/core';
import {
  connectUpsell,
  createIdbStore,
  createUpsellPlanner,
  type Offer,
  type RecommenderLike,
  type RecommendModel,
  recommenderFromJSON,
  type UpsellConnection,
} from '@touchpoint/recommend';
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

export interface ShopRecommender extends RecommenderLike {
  /** Settles when a model is loaded (or loading failed). */
  loaded(): Promise<void>;
}

/**
 * The model as the shop uses it: fetched lazily, only with personalization consent; until it
 * arrives (or if it cannot be fetched) `recommend()` answers nothing.
 *
 * @example
 * const rec = loadShopRecommender(tp, fetch);
 * rec.recommend({ items: ['whole-milk'], k: 4 });
 */
export function loadShopRecommender(
  tp: Pick<Tracker<CommerceTouchpoints>, 'getConsent' | 'on'>,
  fetchModel: typeof fetch,
  onError?: (error: unknown) => void,
): ShopRecommender {
  let model: RecommendModel | undefined;
  let loading: Promise<void> | undefined;
  const load = () => {
    loading ??= fetchModel(MODEL_URL, { credentials: 'same-origin' })
      .then((res) => {
        if (!res.ok) throw new Error(`model fetch failed: HTTP ${res.status}`);
        return res.json();
      })
      .then((json) => {
        model = recommenderFromJSON(json);
      })
      .catch((error: unknown) => {
        loading = undefined; // try again on the next consent change
        onError?.(error);
      });
    return loading;
  };
  const consent = tp.getConsent();
  if (consent !== 'pending' && consent.personalization) void load();
  tp.on('consent', (c) => {
    if (c.personalization) void load();
  });
  return {
    recommend: (request) => model?.recommend(request) ?? [],
    loaded: () => loading ?? Promise.resolve(),
  };
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
