import 'fake-indexeddb/auto';
import type { ConsentState, JsonObject, TouchpointEvent } from '@touchpoint/core';
import { createManualClock } from '@touchpoint/core/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { basketRecommender, catalogOf } from '../../test/fixtures.js';
import { createTestTracker } from '../../test/test-tracker.js';
import { createUpsellPlanner } from '../planner/planner.js';
import type { UpsellPolicy } from '../planner/policy.js';
import type { Decision, Offer } from '../planner/types.js';
import { createIdbStore } from '../storage/idb-store.js';
import { createMemoryStore, type StateStore } from '../storage/state-store.js';
import { connectUpsell, type OfferActions, type UpsellConnection } from './connect-upsell.js';
import type { UpsellTracker } from './tracker-shape.js';

const T0 = Date.parse('2026-11-23T12:00:00Z');
const GRANTED: ConsentState = { analytics: true, personalization: true, marketing: false };
const NO_PERSONALIZATION: ConsentState = { analytics: true, personalization: false, marketing: false };
const open: UpsellConnection[] = [];

afterEach(() => {
  for (const c of open.splice(0)) c.disconnect();
  document.body.replaceChildren();
});

async function setup(
  opts: {
    policy?: UpsellPolicy;
    consent?: ConsentState | 'pending';
    store?: StateStore;
    render?: boolean;
    onError?: (e: unknown) => void;
    window?: EventTarget;
  } = {},
) {
  const clock = createManualClock(T0);
  const tracker = createTestTracker(clock, { consent: opts.consent ?? GRANTED });
  const rendered: { offer: Offer; actions: OfferActions; closed: boolean }[] = [];
  const decisions: Decision[] = [];
  const errors: unknown[] = [];
  const accepted: Offer[] = [];
  const store = opts.store ?? createMemoryStore();
  const connection = connectUpsell(tracker, {
    planner: createUpsellPlanner({ ...opts.policy, clock }),
    recommender: basketRecommender(),
    catalog: catalogOf(),
    store,
    clock,
    ...(opts.render === false
      ? {}
      : {
          render: (offer: Offer, actions: OfferActions) => {
            const r = { offer, actions, closed: false };
            rendered.push(r);
            return {
              close: () => {
                r.closed = true;
              },
            };
          },
        }),
    onDecision: (d) => decisions.push(d),
    onError: opts.onError ?? ((e) => errors.push(e)),
    onAccept: (o) => accepted.push(o),
    ...(opts.window ? { window: opts.window as Window } : {}),
  });
  open.push(connection);
  await connection.ready;
  return { clock, tracker, connection, rendered, decisions, errors, accepted, store };
}

const offerProps = (t: { tracker: ReturnType<typeof createTestTracker> }, name: string) =>
  t.tracker.sent
    .filter(
      (e): e is TouchpointEvent & { type: 'track'; properties: JsonObject } => e.type === 'track' && e.event === name,
    )
    .map((e) => e.properties);

describe('connectUpsell', () => {
  it('shows an offer after the planner’s delay and records offer.shown, then offer.accepted', async () => {
    const t = await setup();
    t.tracker.track('cart.item_added', { productId: 'tent' });
    expect(t.connection.scheduled?.item).toBe('tent-pegs');
    t.clock.advance(2999);
    expect(t.rendered).toHaveLength(0);
    t.clock.advance(1);
    expect(t.rendered.map((r) => r.offer.item)).toEqual(['tent-pegs']);
    const offer = t.rendered[0]!.offer;
    expect(offerProps(t, 'offer.shown')).toEqual([
      { offerId: offer.id, item: 'tent-pegs', kind: 'upsell', trigger: 'cart.item_added' },
    ]);
    t.rendered[0]!.actions.accept();
    t.rendered[0]!.actions.accept(); // a double click counts once
    expect(offerProps(t, 'offer.accepted')).toEqual([{ offerId: offer.id, item: 'tent-pegs', kind: 'upsell' }]);
    expect(t.rendered[0]!.closed).toBe(true);
    expect(t.accepted.map((o) => o.id)).toEqual([offer.id]);
    expect(t.connection.getState()?.offers).toMatchObject([{ id: offer.id, outcome: 'accepted' }]);
    expect(t.errors).toEqual([]);
  });

  it('records offer.dismissed and never offers the declined item again', async () => {
    const t = await setup({ policy: { cooldownMs: 0, maxPerSession: 5, maxPerDay: 5 } });
    t.tracker.track('cart.item_added', { productId: 'stove' });
    t.clock.advance(3000);
    const first = t.rendered[0]!;
    expect(first.offer.item).toBe('gas-canister');
    first.actions.dismiss();
    expect(offerProps(t, 'offer.dismissed')).toEqual([
      { offerId: first.offer.id, item: 'gas-canister', kind: 'upsell' },
    ]);
    expect(t.connection.getState()?.declined).toHaveProperty('gas-canister');
    t.tracker.track('cart.item_added', { productId: 'stove' });
    t.clock.advance(3000);
    expect(t.rendered.map((r) => r.offer.item)).toEqual(['gas-canister', 'pot']);
  });

  it('cancels a waiting offer on navigation (page event or pagehide)', async () => {
    const win = new EventTarget();
    const t = await setup({ window: win });
    t.tracker.track('cart.item_added', { productId: 'tent' });
    t.tracker.page();
    t.clock.advance(10_000);
    expect(t.rendered).toHaveLength(0);
    t.tracker.track('cart.item_added', { productId: 'tent' });
    expect(t.connection.scheduled).toBeDefined();
    win.dispatchEvent(new Event('pagehide'));
    expect(t.connection.scheduled).toBeUndefined();
    t.clock.advance(10_000);
    expect(t.rendered).toHaveLength(0);
    expect(t.clock.pending).toBe(0);
  });

  it('cancels when the customer converts anyway: adds the offered item or completes the order', async () => {
    const t = await setup();
    t.tracker.track('cart.item_added', { productId: 'tent' });
    t.tracker.track('cart.item_added', { productId: 'tent-pegs' });
    t.clock.advance(3000);
    // tent-pegs was added by hand; the new trigger offers what still goes with the cart.
    expect(t.rendered.map((r) => r.offer.item)).toEqual(['sleeping-bag']);

    const u = await setup({ policy: { triggers: ['cart.item_added'] } });
    u.tracker.track('cart.item_added', { productId: 'tent' });
    u.tracker.track('order.completed', { orderId: 'o1', total: 120 });
    u.clock.advance(10_000);
    expect(u.rendered).toHaveLength(0);
  });

  it('looks again when the delay is up: negative feedback meanwhile stops the pitch, or turns it into recovery', async () => {
    const t = await setup();
    t.tracker.track('cart.item_added', { productId: 'tent' });
    t.tracker.feedback({ kind: 'csat', score: 1 });
    t.clock.advance(3000);
    expect(t.rendered).toHaveLength(0);
    expect(t.decisions.at(-1)).toEqual({ show: false, reason: 'negative_feedback' });

    const recovery = {
      id: 'refund-shipping',
      title: 'Shipping is on us',
      adds: 'We refunded the shipping fee of your last order.',
    };
    const u = await setup({ policy: { recovery } });
    u.tracker.track('support.contacted', { topic: 'damaged parcel' });
    u.clock.advance(3000);
    expect(u.rendered).toHaveLength(0);
    u.tracker.feedback({ kind: 'nps', score: 2 });
    u.clock.advance(3000);
    expect(u.rendered.map((r) => [r.offer.kind, r.offer.item])).toEqual([['recovery', 'refund-shipping']]);
    expect(offerProps(u, 'offer.shown')).toMatchObject([
      { kind: 'recovery', item: 'refund-shipping', trigger: 'feedback' },
    ]);
  });

  it('without personalization consent: no offer, no state read or written; revoking clears what was kept', async () => {
    const store = createMemoryStore();
    const t = await setup({ consent: NO_PERSONALIZATION, store });
    t.tracker.track('cart.item_added', { productId: 'tent' });
    t.clock.advance(10_000);
    expect(t.rendered).toHaveLength(0);
    expect(store.size).toBe(0);
    expect(t.connection.getState()).toBeUndefined();

    t.tracker.setConsent(GRANTED);
    await t.connection.ready;
    t.tracker.track('cart.item_added', { productId: 'tent' });
    t.clock.advance(3000);
    expect(t.rendered).toHaveLength(1);
    await Promise.resolve();
    expect(store.size).toBe(1);

    t.tracker.track('cart.item_added', { productId: 'stove' });
    t.tracker.setConsent(NO_PERSONALIZATION);
    expect(t.rendered[0]!.closed).toBe(true);
    expect(t.connection.scheduled).toBeUndefined();
    await t.clock.advanceAsync(10_000);
    expect(store.size).toBe(0);
    expect(t.rendered).toHaveLength(1);
  });

  it('pending consent counts as no consent', async () => {
    const t = await setup({ consent: 'pending' });
    t.tracker.feedback({ kind: 'nps', score: 10 });
    t.clock.advance(10_000);
    expect(t.connection.getState()).toBeUndefined();
  });

  it('keeps the customer’s state across a reload (IndexedDB)', async () => {
    const first = await setup({ store: createIdbStore({ dbName: 'connect-reload' }) });
    first.tracker.track('cart.item_added', { productId: 'tent' });
    first.clock.advance(3000);
    first.rendered[0]!.actions.dismiss();
    first.connection.disconnect();
    await first.clock.advanceAsync(0);
    await new Promise((r) => setTimeout(r, 50)); // let fake-indexeddb finish its transaction

    const second = await setup({ store: createIdbStore({ dbName: 'connect-reload' }) });
    expect(second.connection.getState()?.declined).toHaveProperty('tent-pegs');
    second.tracker.track('cart.item_added', { productId: 'tent' });
    expect(second.decisions.at(-1)).toEqual({ show: false, reason: 'session_cap' });
  });

  it('follows the customer to their account when they sign in', async () => {
    const store = createMemoryStore();
    const t = await setup({ store });
    t.tracker.track('cart.item_added', { productId: 'tent' });
    t.tracker.identify('user-7');
    await t.clock.advanceAsync(0);
    expect(await store.get('user-7')).toMatchObject({ cart: ['tent'] });
  });

  it('starts from nothing for the next customer after the tracker is reset, forgetting the previous one', async () => {
    const store = createMemoryStore();
    const t = await setup({ store });
    t.tracker.track('cart.item_added', { productId: 'tent' });
    t.tracker.reset();
    t.tracker.page();
    expect(t.connection.scheduled).toBeUndefined();
    expect(t.connection.getState()?.cart).toEqual([]);
    await t.clock.advanceAsync(0);
    expect(await store.get('anon-1')).toBeUndefined();
    expect(await store.get('anon-2')).toMatchObject({ cart: [] });
  });

  it('does not show an offer in a hidden tab', async () => {
    const t = await setup();
    t.tracker.track('cart.item_added', { productId: 'tent' });
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    try {
      t.clock.advance(3000);
    } finally {
      Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true });
    }
    expect(t.rendered).toHaveLength(0);
    expect(offerProps(t, 'offer.shown')).toHaveLength(0);
  });

  it('never throws into the page: a failing renderer, recommender or store goes to onError', async () => {
    const errors: unknown[] = [];
    const clock = createManualClock(T0);
    const tracker = createTestTracker(clock);
    const failingStore: StateStore = {
      get: async () => undefined,
      set: async () => Promise.reject(new Error('quota')),
      delete: async () => undefined,
    };
    const connection = connectUpsell(tracker, {
      planner: createUpsellPlanner({ clock }),
      recommender: {
        recommend: () => {
          throw new Error('model not loaded');
        },
      },
      catalog: catalogOf(),
      store: failingStore,
      clock,
      render: () => {
        throw new Error('render broke');
      },
      onError: (e) => errors.push((e as Error).message),
    });
    open.push(connection);
    await connection.ready;
    expect(() => tracker.track('cart.item_added', { productId: 'tent' })).not.toThrow();
    await clock.advanceAsync(0);
    expect(errors).toContain('model not loaded');
    expect(errors).toContain('quota');
  });

  it('a renderer that throws leaves no offer stuck on screen', async () => {
    const errors: unknown[] = [];
    const clock = createManualClock(T0);
    const tracker = createTestTracker(clock);
    const connection = connectUpsell(tracker, {
      planner: createUpsellPlanner({ clock }),
      recommender: basketRecommender(),
      catalog: catalogOf(),
      clock,
      render: () => {
        throw new Error('render broke');
      },
      onError: (e) => errors.push((e as Error).message),
    });
    open.push(connection);
    await connection.ready;
    tracker.track('cart.item_added', { productId: 'tent' });
    clock.advance(3000);
    expect(errors).toEqual(['render broke']);
    expect(connection.visible).toBeUndefined();
  });

  it('disconnect stops listening, cancels the waiting offer and closes the visible one', async () => {
    const t = await setup({ policy: { maxPerSession: 3, cooldownMs: 0 } });
    t.tracker.track('cart.item_added', { productId: 'tent' });
    t.clock.advance(3000);
    t.tracker.newSession('s2');
    t.connection.disconnect();
    expect(t.rendered[0]!.closed).toBe(true);
    expect(t.tracker.listenerCount()).toBe(0);
    t.tracker.track('cart.item_added', { productId: 'stove' });
    t.clock.advance(10_000);
    expect(t.rendered).toHaveLength(1);
  });

  it('renders the default accessible card when no renderer is given', async () => {
    const t = await setup({ render: false });
    t.tracker.track('cart.item_added', { productId: 'tent' });
    await t.clock.advanceAsync(3000);
    // The card module loads on demand, the first time an offer is shown.
    const host = await vi.waitFor(() => {
      const found = document.querySelector('[data-touchpoint-offer]');
      if (!found) throw new Error('no card yet');
      return found;
    });
    const dialog = host.shadowRoot!.querySelector('[role="dialog"]')!;
    expect(dialog.querySelector('h2')?.textContent).toBe('Steel tent pegs (12)');
    (dialog.querySelectorAll('button')[1] as HTMLButtonElement).click();
    expect(document.querySelector('[data-touchpoint-offer]')).toBeNull();
    expect(offerProps(t, 'offer.dismissed')).toHaveLength(1);
  });

  it('offers a due repeat item on this visit, with its timing, and records it as a replenishment', async () => {
    const t = await setup();
    const due = [
      { item: 'gas-canister', probability: 0.6, because: 'you buy this about every 3 weeks; last time 20 days ago' },
    ];
    const decision = t.connection.offerDue(due);
    expect(decision).toMatchObject({ show: true, reason: 'replenishment' });
    expect(t.rendered).toHaveLength(0); // after the planner's delay
    await t.clock.advanceAsync(3000);
    expect(t.rendered[0]?.offer).toMatchObject({
      kind: 'replenishment',
      item: 'gas-canister',
      adds: 'You buy this about every 3 weeks; last time 20 days ago.',
    });
    t.rendered[0]!.actions.accept();
    expect(offerProps(t, 'offer.shown')[0]).toMatchObject({ kind: 'replenishment', trigger: 'replenishment' });
    expect(offerProps(t, 'offer.accepted')[0]).toMatchObject({ kind: 'replenishment', item: 'gas-canister' });
    expect(t.accepted[0]?.kind).toBe('replenishment');
    // One offer per session (the policy default): nothing more on this visit.
    expect(t.connection.offerDue(due)).toMatchObject({ show: false, reason: 'session_cap' });
  });
});

// Compile-time check: a tracker typed like @touchpoint/browser's (generic `on`, catalog-typed
// `track`) fits `UpsellTracker` without casts.
interface BrowserLikeEvents {
  event: TouchpointEvent;
  consent: ConsentState;
  error: { code: string };
}
interface BrowserLikeTracker {
  track<N extends 'cart.item_added' | 'offer.shown' | 'offer.accepted' | 'offer.dismissed'>(
    name: N,
    ...properties: [properties?: Record<string, unknown>]
  ): { ok: boolean };
  on<K extends keyof BrowserLikeEvents>(type: K, fn: (value: BrowserLikeEvents[K]) => void): () => void;
  getConsent(): ConsentState | 'pending';
  getIds(): { anonymousId: string; userId?: string; sessionId: string };
}
export const fitsBrowserTracker = (t: BrowserLikeTracker): UpsellTracker => t;
