/**
 * The whole upsell path with this package's own recommender, the way a storefront wires it:
 * tracker → connectUpsell → planner → createRecommender → catalogue → offer touchpoints.
 */
import type { JsonObject } from '@touchpoint/core';
import { createManualClock } from '@touchpoint/core/testing';
import { describe, expect, it } from 'vitest';
import {
  connectUpsell,
  createMemoryStore,
  createRecommender,
  createUpsellPlanner,
  type Offer,
  type RecommenderLike,
} from '../src/index.js';
import { BASKETS, catalogOf } from './fixtures.js';
import { createTestTracker } from './test-tracker.js';

const T0 = Date.parse('2026-11-23T12:00:00Z');

describe('connectUpsell with createRecommender', () => {
  it('the recommender fits the planner’s interface and its explained suggestions become offers', () => {
    const rec = createRecommender();
    rec.learnBaskets([...BASKETS, ...BASKETS, ['tent', 'tent-pegs', 'sleeping-mat']]);
    const recommender: RecommenderLike = rec;
    const clock = createManualClock(T0);
    const tracker = createTestTracker(clock);
    const shown: Offer[] = [];
    const connection = connectUpsell(tracker, {
      planner: createUpsellPlanner({ clock }),
      recommender,
      catalog: catalogOf(),
      store: createMemoryStore(),
      clock,
      render: (offer) => {
        shown.push(offer);
        return undefined;
      },
    });
    return connection.ready.then(() => {
      tracker.track('cart.item_added', { productId: 'tent' });
      clock.advance(3000);
      expect(shown).toHaveLength(1);
      const offer = shown[0]!;
      expect(['tent-pegs', 'sleeping-bag', 'sleeping-mat']).toContain(offer.item);
      expect(offer.because).toEqual(['tent']);
      expect(offer.adds).toBe(catalogOf().describe(offer.item)!.adds);
      const props = tracker.sent.flatMap((e) =>
        e.type === 'track' && e.event === 'offer.shown' ? [e.properties as JsonObject] : [],
      );
      expect(props).toEqual([{ offerId: offer.id, item: offer.item, kind: 'upsell', trigger: 'cart.item_added' }]);
      connection.disconnect();
    });
  });
});
