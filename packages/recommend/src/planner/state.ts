/**
 * The customer's state as the planner sees it, and pure reducers that fold touchpoints into it.
 *
 * The state is a small JSON value (arrays and plain objects, bounded in size) so any store can
 * keep it: IndexedDB in the browser, memory or Redis on a server. Reducers never mutate their
 * input and never read a clock: time comes from the event's timestamp (or the `now` you pass).
 */
import {
  type FeedbackKind,
  feedbackSentiment,
  type JsonValue,
  type Sentiment,
  type TouchpointEvent,
} from '@touchpoint/core';
import type { OfferKind } from './types.js';

export interface OfferRecord {
  id: string;
  kind: OfferKind;
  item: string;
  trigger?: string;
  shownAt: number;
  sessionId?: string;
  outcome?: 'accepted' | 'dismissed';
  outcomeAt?: number;
}

export interface FeedbackRecord {
  at: number;
  kind: FeedbackKind;
  score?: number;
  sentiment: Sentiment;
  touchpoint?: string;
}

export interface SupportCase {
  id: string;
  openedAt: number;
  closedAt?: number;
}

export interface SessionState {
  id: string;
  startedAt: number;
  lastAt: number;
  events: number;
  pageViews: number;
  productViews: number;
}

export interface CustomerState {
  v: 1;
  /** Time of the newest thing recorded. */
  updatedAt: number;
  /** The customer's IANA time zone, from the events' `context.timezone`. */
  timeZone?: string;
  session?: SessionState;
  /** Offers shown in the last 8 days, oldest first. */
  offers: OfferRecord[];
  /** Item → when the customer last declined an offer of it. */
  declined: Record<string, number>;
  /** Items in the cart now. */
  cart: string[];
  /** Items bought, most recent last (at most 50). */
  purchased: string[];
  /** Items viewed, most recent last (at most 20). */
  viewed: string[];
  /** The latest feedback, oldest first (at most 10). */
  feedback: FeedbackRecord[];
  /** Support cases, open and recently closed (at most 20). */
  supportCases: SupportCase[];
}

export type OfferOutcome = 'shown' | 'accepted' | 'dismissed';

/** What `recordOffer` needs about an offer. */
export interface OfferRef {
  id: string;
  kind: OfferKind;
  item: string;
  trigger?: string;
}

const OFFER_RETENTION_MS = 8 * 24 * 60 * 60 * 1000;
const MAX_PURCHASED = 50;
const MAX_VIEWED = 20;
const MAX_CART = 100;
const MAX_FEEDBACK = 10;
const MAX_CASES = 20;
const MAX_DECLINED = 100;
const MAX_OFFERS = 200;

/** A customer the planner knows nothing about yet. */
export function emptyState(): CustomerState {
  return {
    v: 1,
    updatedAt: 0,
    offers: [],
    declined: {},
    cart: [],
    purchased: [],
    viewed: [],
    feedback: [],
    supportCases: [],
  };
}

/** `true` for a value `emptyState()`/the reducers could have produced (what a store hands back). */
export function isCustomerState(value: unknown): value is CustomerState {
  const s = value as CustomerState | null;
  return (
    typeof s === 'object' &&
    s !== null &&
    s.v === 1 &&
    typeof s.updatedAt === 'number' &&
    Array.isArray(s.offers) &&
    Array.isArray(s.cart) &&
    Array.isArray(s.purchased) &&
    Array.isArray(s.viewed) &&
    Array.isArray(s.feedback) &&
    Array.isArray(s.supportCases) &&
    typeof s.declined === 'object' &&
    s.declined !== null
  );
}

function asString(v: JsonValue | undefined): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/**
 * Product ids a touchpoint is about: `productId`, `item`, `productIds[]` and `items[].productId`.
 *
 * @example
 * itemsOf({ orderId: 'o1', items: [{ productId: 'tent', quantity: 1 }] }); // ['tent']
 */
export function itemsOf(properties: { [key: string]: JsonValue } | undefined): string[] {
  if (!properties) return [];
  const out: string[] = [];
  const add = (v: JsonValue | undefined) => {
    const s = asString(v);
    if (s !== undefined && !out.includes(s)) out.push(s);
  };
  add(properties.productId);
  add(properties.item);
  const ids = properties.productIds;
  if (Array.isArray(ids)) for (const id of ids) add(id);
  const items = properties.items;
  if (Array.isArray(items)) {
    for (const line of items) if (line && typeof line === 'object' && !Array.isArray(line)) add(line.productId);
  }
  return out;
}

function pushRecent(list: string[], item: string, max: number): string[] {
  const next = list.filter((x) => x !== item);
  next.push(item);
  return next.length > max ? next.slice(next.length - max) : next;
}

function timeOf(event: TouchpointEvent, now: number | undefined, state: CustomerState): number {
  const t = Date.parse(event.timestamp);
  if (Number.isFinite(t)) return t;
  return now ?? state.updatedAt;
}

function isOfferTouchpoint(name: string): boolean {
  return name === 'offer.shown' || name === 'offer.accepted' || name === 'offer.dismissed';
}

function touchSession(
  state: CustomerState,
  event: TouchpointEvent,
  at: number,
  engaged: boolean,
): SessionState | undefined {
  const id = event.sessionId;
  if (!id) return state.session;
  const s =
    state.session?.id === id
      ? { ...state.session }
      : { id, startedAt: at, lastAt: at, events: 0, pageViews: 0, productViews: 0 };
  s.lastAt = Math.max(s.lastAt, at);
  if (engaged) {
    s.events += 1;
    if (event.type === 'page') s.pageViews += 1;
    if (event.type === 'track' && event.event === 'product.viewed') s.productViews += 1;
  }
  return s;
}

/**
 * Folds one offer outcome into the state. Idempotent per offer id and outcome, so recording it
 * directly and again from the tracker's `offer.*` touchpoint counts it once. A dismissed upsell
 * marks its item as declined.
 *
 * @example
 * state = recordOffer(state, 'shown', { id: 'o1', kind: 'upsell', item: 'tent-pegs' }, Date.now(), 's1');
 */
export function recordOffer(
  state: CustomerState,
  outcome: OfferOutcome,
  offer: OfferRef,
  at: number,
  sessionId?: string,
): CustomerState {
  const next: CustomerState = { ...state, updatedAt: Math.max(state.updatedAt, at) };
  const index = state.offers.findIndex((o) => o.id === offer.id);
  if (outcome === 'shown') {
    if (index >= 0) return state;
    const record: OfferRecord = { id: offer.id, kind: offer.kind, item: offer.item, shownAt: at };
    if (offer.trigger) record.trigger = offer.trigger;
    if (sessionId) record.sessionId = sessionId;
    const kept = state.offers.filter((o) => at - o.shownAt < OFFER_RETENTION_MS);
    kept.push(record);
    next.offers = kept.length > MAX_OFFERS ? kept.slice(kept.length - MAX_OFFERS) : kept;
    return next;
  }
  if (index >= 0) {
    const old = state.offers[index]!;
    if (old.outcome === outcome) return state;
    next.offers = state.offers.slice();
    next.offers[index] = { ...old, outcome, outcomeAt: at };
  }
  if (outcome === 'dismissed' && offer.kind !== 'recovery') {
    const declined = { ...state.declined, [offer.item]: at };
    const keys = Object.keys(declined);
    if (keys.length > MAX_DECLINED) {
      keys.sort((a, b) => declined[a]! - declined[b]!);
      for (const k of keys.slice(0, keys.length - MAX_DECLINED)) delete declined[k];
    }
    next.declined = declined;
  }
  return next;
}

function recordTrack(
  next: CustomerState,
  name: string,
  properties: { [key: string]: JsonValue } | undefined,
  at: number,
): CustomerState {
  const items = itemsOf(properties);
  switch (name) {
    case 'product.viewed':
      for (const item of items) next.viewed = pushRecent(next.viewed, item, MAX_VIEWED);
      break;
    case 'cart.item_added':
      for (const item of items) next.cart = pushRecent(next.cart, item, MAX_CART);
      break;
    case 'cart.item_removed':
      next.cart = next.cart.filter((x) => !items.includes(x));
      break;
    case 'order.completed':
      // What was ordered is what the lines say; without lines, the cart is what was bought.
      for (const item of items.length > 0 ? items : next.cart)
        next.purchased = pushRecent(next.purchased, item, MAX_PURCHASED);
      next.cart = [];
      break;
    case 'support.contacted': {
      const id = asString(properties?.caseId) ?? `contact-${at}`;
      if (!next.supportCases.some((c) => c.id === id)) {
        const cases = [...next.supportCases, { id, openedAt: at }];
        next.supportCases = cases.length > MAX_CASES ? cases.slice(cases.length - MAX_CASES) : cases;
      }
      break;
    }
    case 'support.case_closed': {
      const id = asString(properties?.caseId);
      // A case opened without an id (a chat started in the widget) is closed by the next close.
      let target = next.supportCases.findIndex((c) => c.id === id && c.closedAt === undefined);
      if (target < 0)
        target = next.supportCases.findIndex((c) => c.id.startsWith('contact-') && c.closedAt === undefined);
      if (target >= 0) {
        next.supportCases = next.supportCases.slice();
        next.supportCases[target] = { ...next.supportCases[target]!, closedAt: at };
      }
      break;
    }
    default:
      break;
  }
  return next;
}

/**
 * Folds one touchpoint into the customer's state: session engagement, cart, purchases, views,
 * feedback (sentiment by core's rules), support cases and offer outcomes. Pure.
 *
 * @example
 * let state = emptyState();
 * state = recordEvent(state, event); // for every TouchpointEvent the tracker accepts
 */
export function recordEvent(state: CustomerState, event: TouchpointEvent, now?: number): CustomerState {
  const at = timeOf(event, now, state);
  const offerTouchpoint = event.type === 'track' && isOfferTouchpoint(event.event);
  let next: CustomerState = { ...state, updatedAt: Math.max(state.updatedAt, at) };
  const session = touchSession(state, event, at, !offerTouchpoint);
  if (session) next.session = session;
  const zone = event.context?.timezone;
  if (typeof zone === 'string' && zone.length > 0) next.timeZone = zone;

  if (event.type === 'track') {
    if (offerTouchpoint) {
      const p = event.properties ?? {};
      const id = asString(p.offerId);
      const kind = p.kind === 'recovery' || p.kind === 'replenishment' ? p.kind : 'upsell';
      const item = asString(p.item) ?? id;
      if (id && item) {
        const outcome = event.event.slice('offer.'.length) as OfferOutcome;
        const ref: OfferRef = { id, kind, item };
        const trigger = asString(p.trigger);
        if (trigger) ref.trigger = trigger;
        next = recordOffer(next, outcome, ref, at, event.sessionId);
      }
    } else {
      next = recordTrack(next, event.event, event.properties, at);
    }
  } else if (event.type === 'feedback') {
    const f = event.feedback;
    const record: FeedbackRecord = { at, kind: f.kind, sentiment: feedbackSentiment(f) };
    if (f.score !== undefined) record.score = f.score;
    if (f.touchpoint) record.touchpoint = f.touchpoint;
    const list = [...next.feedback, record];
    next.feedback = list.length > MAX_FEEDBACK ? list.slice(list.length - MAX_FEEDBACK) : list;
  }
  return next;
}
