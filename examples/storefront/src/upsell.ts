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
  type DueCandidate,
  type Offer,
  type RecommenderLike,
  type UpsellConnection,
} from '@touchpoint/recommend';
import { createModelLoader, type ModelLoader } from '@touchpoint/recommend/model-loader';
import { CURRENCY, findProduct } from './products.js';

export const MODEL_URL = '/api/recommendations/model.json';
/** The server's customer model answers which repeat items a signed-in customer is due to buy. */
export const DUE_URL = '/api/recommendations/due';
/** The demo's returning customer, with an order history on the server: open the shop with `?as=returning`. */
export const RETURNING_CUSTOMER = 'demo-returning';

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
 * Replenishment: asks the server which repeat items the signed-in customer is due to buy again
 * and lets the connection offer the most likely one on this visit (same planner rules, card and
 * `offer.*` recording as any offer). Nothing without a user id or personalization consent.
 */
async function offerDueItems(
  tp: Tracker<CommerceTouchpoints>,
  connection: UpsellConnection,
  onError?: (error: unknown) => void,
): Promise<void> {
  try {
    const { userId } = tp.getIds();
    const consent = tp.getConsent();
    if (!userId || consent === 'pending' || !consent.personalization) return;
    const res = await fetch(`${DUE_URL}?customer=${encodeURIComponent(userId)}`);
    if (!res.ok) return;
    const { due } = (await res.json()) as { due: DueCandidate[] };
    await connection.ready;
    connection.offerDue(due);
  } catch (error) {
    onError?.(error);
  }
}

/**
 * Connects the planner to the tracker: an upsell a few seconds after a cart add, a recovery
 * offer after negative feedback, and a replenishment prompt for a returning customer whose
 * repeat item is due.
 *
 * @example
 * startUpsell(tp, recommender, { onAccept: (offer) => cart.add(offer.item) });
 */
export function startUpsell(
  tp: Tracker<CommerceTouchpoints>,
  recommender: RecommenderLike,
  options: { onAccept: (offer: Offer) => void; onError?: (error: unknown) => void },
): UpsellConnection {
  // The demo's returning customer: signing in as them shows the timed replenishment prompt.
  if (new URLSearchParams(location.search).get('as') === 'returning' && tp.getIds().userId !== RETURNING_CUSTOMER)
    tp.identify(RETURNING_CUSTOMER);
  const connection = connectUpsell(tp, {
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
    // A replenishment is accepted like an upsell: the item goes into the cart.
    onAccept: (offer) => options.onAccept(offer.kind === 'replenishment' ? { ...offer, kind: 'upsell' } : offer),
    ...(options.onError ? { onError: options.onError } : {}),
  });
  void offerDueItems(tp, connection, options.onError);
  let asked = false;
  tp.on('consent', (c) => {
    if (c.personalization && !asked) {
      asked = true;
      void offerDueItems(tp, connection, options.onError);
    }
  });
  return connection;
}
