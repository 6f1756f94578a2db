/**
 * `connectUpsell`: the browser glue between a tracker and the upsell planner.
 *
 * It folds every accepted touchpoint into the customer's state, asks the planner on triggers,
 * waits the planner's delay on a `Clock`, checks again when the delay is up (the customer may
 * have converted, complained or left meanwhile), renders the offer and records
 * `offer.shown/accepted/dismissed` so conversion can be measured. Without personalization consent
 * it neither shows offers nor reads or writes state. It never throws into the page: every
 * failure goes to `onError`.
 */
import { type Clock, type ConsentState, systemClock, type TouchpointEvent } from '@touchpoint/core';
import { REPLENISHMENT_TRIGGER, type Trigger, type UpsellPlanner } from '../planner/planner.js';
import { type CustomerState, emptyState, itemsOf, type OfferOutcome } from '../planner/state.js';
import type {
  Decision,
  DueCandidate,
  Offer,
  OfferActions,
  OfferCatalog,
  RecommenderLike,
  RenderedOffer,
} from '../planner/types.js';
import { createMemoryStore, loadState, type StateStore } from '../storage/state-store.js';
import type { UpsellTracker } from './tracker-shape.js';

export type { OfferActions, RenderedOffer } from '../planner/types.js';

/**
 * Puts an offer on screen. The default is the accessible card from `@touchpoint/recommend/ui`.
 * Return a `RenderedOffer` (or a promise of one) so the connection can close it when the customer
 * converts anyway, consent is revoked or you disconnect; return nothing to manage that yourself.
 */
export type OfferRenderer = (
  offer: Offer,
  actions: OfferActions,
) => RenderedOffer | Promise<RenderedOffer | undefined> | undefined | unknown;

export interface ConnectUpsellOptions {
  planner: UpsellPlanner;
  /** Where upsell candidates come from (e.g. `createRecommender()`). */
  recommender?: RecommenderLike;
  /** Describes candidates: title, price, what it adds. Items it does not describe are never offered. */
  catalog?: OfferCatalog;
  /** Replaces the default card. */
  render?: OfferRenderer;
  /** Where the customer's state persists. Default: memory (lost on reload); use `createIdbStore()`. */
  store?: StateStore;
  /** Default `systemClock`. */
  clock?: Clock;
  /** The store key for this customer. Default: user id, else anonymous id. */
  customerKey?: (ids: { anonymousId: string; userId?: string; sessionId: string }) => string;
  /** The shop's action when an offer is accepted: add the item to the cart, apply the code. */
  onAccept?: (offer: Offer) => void;
  /** Every decision, with its reason: for debugging and dashboards. */
  onDecision?: (decision: Decision, trigger: Trigger) => void;
  /** Anything that went wrong (a renderer or store that threw). Never rethrown. */
  onError?: (error: unknown) => void;
  /** Where `pagehide` is watched. Default: the global `window`, if any. */
  window?: Pick<Window, 'addEventListener' | 'removeEventListener'>;
}

export interface UpsellConnection {
  /** Settles once the stored state is loaded (or right away without consent). Never rejects. */
  readonly ready: Promise<void>;
  /** The offer waiting for its moment, if any. */
  readonly scheduled: Offer | undefined;
  /** The offer on screen, if any. */
  readonly visible: Offer | undefined;
  /** The customer's state as the connection knows it; `undefined` without consent. */
  getState(): CustomerState | undefined;
  /**
   * Replenishment on this visit: the planner's `decideReplenishment` picks the most likely of the
   * customer's due repeat items (e.g. the server's `customers.dueItems(userId, now)`), and the
   * offer is scheduled, re-checked and recorded like any other. Call after `ready`; returns the
   * decision (`undefined` without consent or state).
   * @example
   * await upsell.ready;
   * upsell.offerDue(await (await fetch(`/api/due?customer=${userId}`)).json());
   */
  offerDue(due: readonly DueCandidate[]): Decision | undefined;
  /** Stops listening, cancels a waiting offer and takes a visible one off the screen. */
  disconnect(): void;
}

const MAX_BUFFERED = 200;

function personalizationGranted(consent: ConsentState | 'pending'): boolean {
  return consent !== 'pending' && consent?.personalization === true;
}

async function defaultRender(offer: Offer, actions: OfferActions): Promise<RenderedOffer> {
  const { renderOfferCard } = await import('../ui/offer-card.js');
  return renderOfferCard(offer, actions);
}

/**
 * Connects the upsell planner to a tracker. Returns a connection you can `disconnect()`.
 *
 * @example
 * const tp = createTracker({ writeKey, endpoint });
 * const upsell = connectUpsell(tp, {
 *   planner: createUpsellPlanner({ cooldownMs: 3_600_000 }),
 *   recommender: createRecommender().learn(history),
 *   catalog: { describe: (id) => products[id] && { title: products[id].name, adds: products[id].pitch, price: products[id].price } },
 *   store: createIdbStore(),
 *   onAccept: (offer) => cart.add(offer.item),
 * });
 */
export function connectUpsell(tracker: UpsellTracker, options: ConnectUpsellOptions): UpsellConnection {
  const { planner, recommender, catalog } = options;
  const clock = options.clock ?? systemClock;
  const store = options.store ?? createMemoryStore();
  const render = options.render ?? defaultRender;
  const keyOf = options.customerKey ?? ((ids) => ids.userId || ids.anonymousId);
  const win = options.window ?? (globalThis as { window?: UpsellConnectionWindow }).window;

  let state: CustomerState | undefined;
  let loading: Promise<void> | undefined;
  let key = '';
  let anonymousId = '';
  let buffered: TouchpointEvent[] = [];
  let scheduled: { offer: Offer; trigger: Trigger; timer: unknown } | undefined;
  let visible: { offer: Offer; handle?: RenderedOffer; closed: boolean; sessionId: string } | undefined;
  let writes: Promise<void> = Promise.resolve();
  let connected = true;
  const unsubscribe: (() => void)[] = [];

  function report(error: unknown): void {
    try {
      options.onError?.(error);
    } catch {
      // An error handler that throws has nowhere left to report to.
    }
  }

  function guard<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
    return (...args) => {
      try {
        if (connected) fn(...args);
      } catch (error) {
        report(error);
      }
    };
  }

  const granted = () => personalizationGranted(tracker.getConsent());

  function ids() {
    return tracker.getIds();
  }

  function persist(): void {
    if (!state || !granted()) return;
    const snapshot = state;
    const at = key;
    writes = writes.then(() => store.set(at, snapshot)).catch(report);
  }

  function load(): Promise<void> {
    if (loading) return loading;
    anonymousId = ids().anonymousId;
    key = keyOf(ids());
    const at = key;
    loading = (async () => {
      let loaded: CustomerState;
      try {
        loaded = await loadState(store, at);
      } catch (error) {
        report(error);
        loaded = emptyState();
      }
      if (!connected || !granted() || key !== at) return;
      state = loaded;
      const pending = buffered;
      buffered = [];
      for (const event of pending) apply(event);
    })().catch(report);
    return loading;
  }

  function cancelScheduled(): void {
    if (!scheduled) return;
    clock.clearTimeout(scheduled.timer);
    scheduled = undefined;
  }

  function closeVisible(): void {
    const v = visible;
    if (!v) return;
    visible = undefined;
    v.closed = true;
    try {
      v.handle?.close();
    } catch (error) {
      report(error);
    }
  }

  function converts(event: TouchpointEvent, offer: Offer): boolean {
    if (offer.kind === 'recovery' || event.type !== 'track') return false;
    if (event.event === 'order.completed') return true;
    return event.event === 'cart.item_added' && itemsOf(event.properties).includes(offer.item);
  }

  function apply(event: TouchpointEvent): void {
    if (!state) return;
    // Who the event is about comes from the event itself, so replayed events stay with their customer.
    const eventKey = keyOf({
      anonymousId: event.anonymousId ?? '',
      userId: event.userId,
      sessionId: event.sessionId ?? '',
    });
    if (event.anonymousId && anonymousId && event.anonymousId !== anonymousId) {
      // A new anonymous id means the tracker was reset (sign-out, erasure): the next customer
      // starts from nothing, and what was kept about the previous one goes with their ids.
      cancelScheduled();
      closeVisible();
      const forget = key;
      writes = writes.then(() => store.delete(forget)).catch(report);
      state = emptyState();
    }
    if (event.anonymousId) anonymousId = event.anonymousId;
    // Signing in: the state follows the customer to their account.
    if (eventKey) key = eventKey;
    state = planner.record(state, event, clock.now());
    persist();
    if (event.type === 'page') cancelScheduled();
    if (scheduled && converts(event, scheduled.offer)) cancelScheduled();
    if (visible && converts(event, visible.offer)) closeVisible();
    const trigger = planner.triggerOf(event);
    if (trigger) consider(trigger);
  }

  function decide(trigger: Trigger, delayMs?: number): Decision | undefined {
    if (!state) return undefined;
    const input = {
      trigger,
      state,
      consent: tracker.getConsent(),
      now: clock.now(),
      sessionId: ids().sessionId,
      ...(delayMs === undefined ? {} : { delayMs }),
    };
    const decision = planner.decide({
      ...input,
      ...(recommender ? { recommender } : {}),
      ...(catalog ? { catalog } : {}),
    });
    options.onDecision?.(decision, trigger);
    return decision;
  }

  function decideDue(due: readonly DueCandidate[], delayMs?: number): Decision | undefined {
    if (!state) return undefined;
    const decision = planner.decideReplenishment({
      due,
      state,
      consent: tracker.getConsent(),
      now: clock.now(),
      sessionId: ids().sessionId,
      ...(catalog ? { catalog } : {}),
      ...(delayMs === undefined ? {} : { delayMs }),
    });
    options.onDecision?.(decision, { name: REPLENISHMENT_TRIGGER });
    return decision;
  }

  function consider(
    trigger: Trigger,
    decideNow: (delayMs?: number) => Decision | undefined = (delayMs) => decide(trigger, delayMs),
  ): Decision | undefined {
    // One offer at a time: while a card is open, later triggers wait for the next chance.
    if (visible) return undefined;
    const decision = decideNow();
    if (!decision?.show) return decision;
    cancelScheduled();
    const entry = { offer: decision.offer, trigger, timer: undefined as unknown };
    entry.timer = clock.setTimeout(
      guard(() => {
        if (scheduled !== entry) return;
        scheduled = undefined;
        // An offer nobody can see would only be counted, not seen: skip it in a hidden tab.
        if ((globalThis as { document?: Document }).document?.visibilityState === 'hidden') return;
        // Look again now: feedback, a support chat or a purchase may have happened meanwhile.
        const now = decideNow(0);
        if (now?.show && !visible) present(now.offer);
      }),
      Math.max(0, decision.at - clock.now()),
    );
    scheduled = entry;
    return decision;
  }

  function record(outcome: OfferOutcome, offer: Offer, sessionId: string): void {
    if (!state) return;
    state = planner.recordOffer(state, outcome, offer, clock.now(), sessionId);
    persist();
  }

  function present(offer: Offer): void {
    const sessionId = ids().sessionId;
    const entry: NonNullable<typeof visible> = { offer, closed: false, sessionId };
    visible = entry;
    record('shown', offer, sessionId);
    tracker.track('offer.shown', { offerId: offer.id, item: offer.item, kind: offer.kind, trigger: offer.trigger });
    const settle = (outcome: 'accepted' | 'dismissed') =>
      guard(() => {
        if (entry.closed) return;
        record(outcome, offer, sessionId);
        tracker.track(outcome === 'accepted' ? 'offer.accepted' : 'offer.dismissed', {
          offerId: offer.id,
          item: offer.item,
          kind: offer.kind,
        });
        if (visible === entry) closeVisible();
        if (outcome === 'accepted') options.onAccept?.(offer);
      })();
    const actions: OfferActions = { accept: () => settle('accepted'), dismiss: () => settle('dismissed') };
    let result: unknown;
    try {
      result = render(offer, actions);
    } catch (error) {
      report(error);
      if (visible === entry) visible = undefined;
      return;
    }
    const adopt = (handle: unknown) => {
      if (typeof (handle as RenderedOffer | undefined)?.close !== 'function') return;
      entry.handle = handle as RenderedOffer;
      // Closed (consent revoked, disconnected, converted) before an async renderer finished.
      if (entry.closed) {
        try {
          entry.handle.close();
        } catch (error) {
          report(error);
        }
      }
    };
    if (typeof (result as Promise<unknown> | undefined)?.then === 'function') {
      (result as Promise<unknown>).then(adopt, (error) => {
        report(error);
        if (visible === entry) visible = undefined;
      });
    } else {
      adopt(result);
    }
  }

  function stopPersonalizing(): void {
    cancelScheduled();
    closeVisible();
    buffered = [];
    const forget = key;
    state = undefined;
    loading = undefined;
    // Without personalization consent nothing personal stays behind in the browser.
    if (forget) writes = writes.then(() => store.delete(forget)).catch(report);
  }

  const onEvent = guard((event: TouchpointEvent) => {
    if (!granted()) return;
    if (!state) {
      if (buffered.length < MAX_BUFFERED) buffered.push(event);
      void load();
      return;
    }
    apply(event);
  });

  const onConsent = guard((consent: ConsentState) => {
    if (personalizationGranted(consent)) void load();
    else stopPersonalizing();
  });

  const onPageHide = guard(() => cancelScheduled());

  try {
    unsubscribe.push(tracker.on('event', onEvent));
    unsubscribe.push(tracker.on('consent', onConsent));
    win?.addEventListener('pagehide', onPageHide);
    if (granted()) void load();
  } catch (error) {
    report(error);
  }

  return {
    get ready() {
      return loading ?? Promise.resolve();
    },
    get scheduled() {
      return scheduled?.offer;
    },
    get visible() {
      return visible?.offer;
    },
    getState: () => state,
    offerDue(due) {
      try {
        if (!connected || !granted() || !Array.isArray(due)) return undefined;
        return consider({ name: REPLENISHMENT_TRIGGER }, (delayMs) => decideDue(due, delayMs));
      } catch (error) {
        report(error);
        return undefined;
      }
    },
    disconnect() {
      if (!connected) return;
      try {
        cancelScheduled();
        closeVisible();
        for (const off of unsubscribe.splice(0)) off();
        win?.removeEventListener('pagehide', onPageHide);
      } catch (error) {
        report(error);
      }
      connected = false;
    },
  };
}

type UpsellConnectionWindow = Pick<Window, 'addEventListener' | 'removeEventListener'>;
