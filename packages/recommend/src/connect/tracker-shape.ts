/**
 * The slice of the browser tracker `connectUpsell` needs, typed structurally so this package
 * never depends on `@touchpoint/browser` (dependencies point one way: core ← browser, recommend).
 * `createTracker()` from `@touchpoint/browser` satisfies it, typed catalog or not.
 */
import type { ConsentState, TouchpointEvent } from '@touchpoint/core';

export interface UpsellTracker {
  /** Records a touchpoint; `connectUpsell` uses it for `offer.shown/accepted/dismissed`. */
  track(name: string, properties?: Record<string, unknown>): unknown;
  /** `event`: every accepted event, synchronously. `consent`: whenever consent changes. Returns an unsubscribe. */
  on(type: 'event', fn: (event: TouchpointEvent) => void): () => void;
  on(type: 'consent', fn: (consent: ConsentState) => void): () => void;
  getConsent(): ConsentState | 'pending';
  getIds(): { anonymousId: string; userId?: string; sessionId: string };
}
