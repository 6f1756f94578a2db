/**
 * `createUpsellPlanner`: decides whether a trigger touchpoint should lead to an offer, which one,
 * and when — or says why not, with a stable reason code.
 *
 * Pure and deterministic: the decision depends only on the policy, the trigger, the customer's
 * state, the consent and `now` (from the argument or the policy's clock). The checks run in a
 * fixed order, so the reason returned is the most important one that applies: consent first,
 * then the customer's mood (an unhappy customer gets a recovery gesture or nothing), then timing
 * and frequency, then relevance.
 */
import type { ConsentState, TouchpointEvent } from '@touchpoint/core';
import { isNegativeFeedback } from '@touchpoint/core';
import { type FormatterCache, localMinutes, minutesUntilQuietEnds } from './local-time.js';
import { type ResolvedPolicy, resolvePolicy, TIME, type UpsellPolicy } from './policy.js';
import { type CustomerState, itemsOf, type OfferOutcome, type OfferRef, recordEvent, recordOffer } from './state.js';
import type { Decision, DueCandidate, Offer, OfferCatalog, RecommenderLike, SuppressReason } from './types.js';

/** The trigger name negative feedback produces; it can only lead to a `recovery` offer. */
export const FEEDBACK_TRIGGER = 'feedback';

/** The trigger name of replenishment offers (`offer.trigger`). */
export const REPLENISHMENT_TRIGGER = 'replenishment';

/** What happened: a touchpoint name and the items it is about. */
export interface Trigger {
  name: string;
  items?: string[];
}

export interface DecideInput {
  /** The touchpoint that happened, e.g. `cart.item_added`, or a `Trigger` with its items. */
  trigger: string | Trigger;
  state: CustomerState;
  /** The tracker's consent. Anything but granted `personalization` means no offer. */
  consent: ConsentState | 'pending' | boolean | undefined;
  /** Where upsell candidates come from. Without one, only recovery offers are possible. */
  recommender?: RecommenderLike;
  /** Describes candidates; items it does not describe are never offered. */
  catalog?: OfferCatalog;
  /** Decision time in ms since the epoch. Default: the policy's clock. */
  now?: number;
  /** The current session. Default: the state's latest session. */
  sessionId?: string;
  /** Use this delay instead of the trigger's (`0`: may an offer be shown right now?). */
  delayMs?: number;
}

export interface ReplenishmentInput {
  /** The customer's due repeat items, e.g. `customerModel.dueItems(userId, now, { withinDays })`. */
  due: readonly DueCandidate[];
  state: CustomerState;
  consent: ConsentState | 'pending' | boolean | undefined;
  /** Describes items; items it does not describe are never offered. */
  catalog?: OfferCatalog;
  /** Decision time in ms since the epoch. Default: the policy's clock. */
  now?: number;
  /**
   * `visit` (default): the returning customer's visit — session caps and engagement apply.
   * `message`: an off-site message the shop sends — no session; daily/weekly caps, cooldown and
   * quiet hours still apply.
   */
  channel?: 'visit' | 'message';
  /** The current session (visit). Default: the state's latest session. */
  sessionId?: string;
  /** Use this delay instead of the policy's `replenishment.delayMs`. */
  delayMs?: number;
}

export interface UpsellPlanner {
  /** The policy with every default filled in. */
  readonly policy: ResolvedPolicy;
  /** Decides for one trigger. Never mutates the state. */
  decide(input: DecideInput): Decision;
  /**
   * Decides whether to remind the customer of a due repeat item, inside the same consent, mood,
   * quiet-hours, cap, cooldown and declined rules as any offer. Never mutates the state.
   * @example
   * const due = customers.dueItems(userId, now, { withinDays: planner.policy.replenishment.withinDays });
   * const d = planner.decideReplenishment({ due, state, consent, catalog, now });
   * if (d.show) show(d.offer); // d.offer.timing: "you buy this about every 3 weeks; last time 24 days ago"
   */
  decideReplenishment(input: ReplenishmentInput): Decision;
  /** Folds a touchpoint into the state (pure): see `recordEvent`. */
  record(state: CustomerState, event: TouchpointEvent, now?: number): CustomerState;
  /** Folds an offer's outcome into the state (pure): see `recordOffer`. */
  recordOffer(
    state: CustomerState,
    outcome: OfferOutcome,
    offer: OfferRef,
    at: number,
    sessionId?: string,
  ): CustomerState;
  /** The trigger a touchpoint makes, or `undefined` when the policy does not react to it. */
  triggerOf(event: TouchpointEvent): Trigger | undefined;
}

function consentGranted(consent: DecideInput['consent']): boolean {
  if (consent === true) return true;
  return typeof consent === 'object' && consent !== null && consent.personalization === true;
}

/** Start of the customer's current unhappy episode and why, or `undefined` when they are fine. */
function unhappySince(
  policy: ResolvedPolicy,
  state: CustomerState,
  at: number,
): { since: number; reason: SuppressReason } | undefined {
  let since = Number.POSITIVE_INFINITY;
  let reason: SuppressReason | undefined;
  for (const c of state.supportCases) {
    if (
      c.closedAt === undefined &&
      c.openedAt <= at &&
      at - c.openedAt < policy.supportCaseMaxAgeMs &&
      c.openedAt < since
    ) {
      since = c.openedAt;
      reason = 'open_support_case';
    }
  }
  if (reason) {
    // An open case outranks feedback, but older negative feedback still starts the episode earlier.
    for (const f of state.feedback)
      if (f.sentiment === 'negative' && at - f.at < policy.negativeFeedbackMs && f.at < since) since = f.at;
    return { since, reason };
  }
  for (const f of state.feedback) {
    if (f.sentiment === 'negative' && f.at <= at && at - f.at < policy.negativeFeedbackMs && f.at < since) {
      since = f.at;
      reason = 'negative_feedback';
    }
  }
  return reason ? { since, reason } : undefined;
}

/** Earliest time the `cap`-th newest offer in the window leaves it, so a new one fits. */
function capRetry(times: number[], cap: number, window: number): number | undefined {
  if (cap === 0) return undefined;
  const sorted = times.slice().sort((a, b) => a - b);
  const leaving = sorted[sorted.length - cap];
  return leaving === undefined ? undefined : leaving + window;
}

function unique(lists: readonly (readonly string[])[], max: number): string[] {
  const out: string[] = [];
  for (const list of lists) for (const x of list) if (out.length < max && !out.includes(x)) out.push(x);
  return out;
}

/**
 * Creates a planner for one policy (see `UpsellPolicy` for every knob and its default).
 * Throws `TouchpointConfigError` naming the field when the policy is invalid.
 *
 * @example
 * const planner = createUpsellPlanner({ cooldownMs: 3_600_000, quietHours: { start: '21:00', end: '08:00' },
 *   recovery: { id: 'refund-shipping', title: 'Shipping is on us', adds: 'We refunded your shipping fee.' } });
 * const d = planner.decide({ trigger: { name: 'cart.item_added', items: ['tent'] }, state, consent, recommender, catalog });
 * if (d.show) schedule(d.offer, d.at); else console.debug(d.reason); // e.g. 'cooldown'
 */
export function createUpsellPlanner(policyInput: UpsellPolicy = {}): UpsellPlanner {
  const policy = resolvePolicy(policyInput);
  const formatters: FormatterCache = new Map();

  function quietRetry(state: CustomerState, at: number): number | undefined {
    if (!policy.quietHours) return undefined;
    const local =
      localMinutes(at, state.timeZone ?? policy.timeZone, formatters) ?? localMinutes(at, policy.timeZone, formatters)!;
    const left = minutesUntilQuietEnds(local, policy.quietHours);
    return left === 0 ? undefined : at - (at % TIME.MINUTE) + left * TIME.MINUTE;
  }

  function decide(input: DecideInput): Decision {
    const now = input.now ?? policy.clock.now();
    const { state } = input;
    if (!consentGranted(input.consent)) return { show: false, reason: 'consent' };
    const trigger: Trigger = typeof input.trigger === 'string' ? { name: input.trigger } : input.trigger;
    const isFeedback = trigger.name === FEEDBACK_TRIGGER;
    const rule = policy.triggers.get(trigger.name);
    if (!rule && !isFeedback) return { show: false, reason: 'not_a_trigger' };
    const at = now + (input.delayMs ?? rule?.delayMs ?? policy.delayMs);

    const mood = checkMood(state, at, trigger.name);
    if (mood) return mood;
    // Happy feedback is no reason to sell anything.
    if (isFeedback) return { show: false, reason: 'no_candidate' };

    const sessionId = input.sessionId ?? state.session?.id;
    const blocked = checkTiming(state, at, sessionId, true);
    if (blocked) return blocked;
    return pickUpsell(input, trigger, rule!.intent, at, sessionId);
  }

  /** An unhappy customer gets the recovery gesture once per episode, or nothing. */
  function checkMood(state: CustomerState, at: number, triggerName: string): Decision | undefined {
    const unhappy = unhappySince(policy, state, at);
    if (!unhappy) return undefined;
    const recovery = policy.recovery;
    const alreadyOffered = state.offers.some((o) => o.kind === 'recovery' && o.shownAt >= unhappy.since);
    if (!recovery || alreadyOffered) return { show: false, reason: unhappy.reason };
    const offer: Offer = {
      id: `recovery-${recovery.id}-${at.toString(36)}`,
      kind: 'recovery',
      item: recovery.id,
      title: recovery.title,
      adds: recovery.adds,
      because: [],
      trigger: triggerName,
    };
    if (recovery.cta) offer.cta = recovery.cta;
    if (recovery.code) offer.code = recovery.code;
    return { show: true, at, offer, reason: 'recovery' };
  }

  /** Quiet hours, engagement (in a visit), caps and cooldown: the checks every sales offer passes. */
  function checkTiming(
    state: CustomerState,
    at: number,
    sessionId: string | undefined,
    inSession: boolean,
  ): Decision | undefined {
    const quietEnds = quietRetry(state, at);
    if (quietEnds !== undefined) return { show: false, reason: 'quiet_hours', retryAt: quietEnds };

    const session = state.session && state.session.id === sessionId ? state.session : undefined;
    const min = policy.minEngagement;
    if (
      inSession &&
      ((session?.events ?? 0) < min.events ||
        (session?.pageViews ?? 0) < min.pageViews ||
        (session?.productViews ?? 0) < min.productViews ||
        (min.sessionMs > 0 && (!session || at - session.startedAt < min.sessionMs)))
    ) {
      const retryAt =
        session &&
        min.sessionMs > 0 &&
        session.events >= min.events &&
        session.pageViews >= min.pageViews &&
        session.productViews >= min.productViews
          ? session.startedAt + min.sessionMs
          : undefined;
      return retryAt === undefined
        ? { show: false, reason: 'min_engagement' }
        : { show: false, reason: 'min_engagement', retryAt };
    }

    const shown = state.offers.filter((o) => o.shownAt <= at);
    if (sessionId !== undefined && shown.filter((o) => o.sessionId === sessionId).length >= policy.maxPerSession) {
      return { show: false, reason: 'session_cap' };
    }
    const lastDay = shown.filter((o) => at - o.shownAt < TIME.DAY).map((o) => o.shownAt);
    if (lastDay.length >= policy.maxPerDay)
      return withRetry('daily_cap', capRetry(lastDay, policy.maxPerDay, TIME.DAY));
    const lastWeek = shown.filter((o) => at - o.shownAt < 7 * TIME.DAY).map((o) => o.shownAt);
    if (lastWeek.length >= policy.maxPerWeek)
      return withRetry('weekly_cap', capRetry(lastWeek, policy.maxPerWeek, 7 * TIME.DAY));
    const last = shown.reduce((m, o) => Math.max(m, o.shownAt), Number.NEGATIVE_INFINITY);
    if (at - last < policy.cooldownMs) return { show: false, reason: 'cooldown', retryAt: last + policy.cooldownMs };
    return undefined;
  }

  function decideReplenishment(input: ReplenishmentInput): Decision {
    const now = input.now ?? policy.clock.now();
    const { state } = input;
    if (!consentGranted(input.consent)) return { show: false, reason: 'consent' };
    const at = now + (input.delayMs ?? policy.replenishment.delayMs);
    const mood = checkMood(state, at, REPLENISHMENT_TRIGGER);
    if (mood) return mood;
    const visit = input.channel !== 'message';
    const sessionId = visit ? (input.sessionId ?? state.session?.id) : undefined;
    const blocked = checkTiming(state, at, sessionId, visit);
    if (blocked) return blocked;

    const { catalog } = input;
    if (!catalog) return { show: false, reason: 'no_candidate' };
    const offeredThisSession = new Set(
      state.offers.filter((o) => o.sessionId !== undefined && o.sessionId === sessionId).map((o) => o.item),
    );
    const due = input.due
      .filter((d) => d && typeof d.item === 'string' && d.probability >= policy.replenishment.minProbability)
      .sort((a, b) => b.probability - a.probability || (a.item < b.item ? -1 : 1));
    let sawDeclined = false;
    for (const d of due) {
      // Already in the cart, or offered in this visit: nothing to remind them of.
      if (state.cart.includes(d.item) || offeredThisSession.has(d.item)) continue;
      const declinedAt = state.declined[d.item];
      if (declinedAt !== undefined && at - declinedAt < policy.declinedItemMs) {
        sawDeclined = true;
        continue;
      }
      const description = catalog.describe(d.item);
      if (!description?.title || !description.adds) continue;
      const offer: Offer = {
        id: `replenishment-${d.item}-${at.toString(36)}`,
        kind: 'replenishment',
        item: d.item,
        title: description.title,
        adds: `${d.because.charAt(0).toUpperCase()}${d.because.slice(1)}.`,
        because: [],
        timing: d.because,
        trigger: REPLENISHMENT_TRIGGER,
      };
      if (description.price) offer.price = { ...description.price };
      if (description.cta) offer.cta = description.cta;
      if (description.url) offer.url = description.url;
      return { show: true, at, offer, reason: 'replenishment' };
    }
    return { show: false, reason: sawDeclined ? 'recently_declined' : 'no_candidate' };
  }

  function withRetry(reason: SuppressReason, retryAt: number | undefined): Decision {
    return retryAt === undefined ? { show: false, reason } : { show: false, reason, retryAt };
  }

  function pickUpsell(
    input: DecideInput,
    trigger: Trigger,
    intent: 'complementary' | 'similar',
    at: number,
    sessionId: string | undefined,
  ): Decision {
    const { state, recommender, catalog } = input;
    if (!recommender || !catalog) return { show: false, reason: 'no_candidate' };
    const triggerItems = trigger.items ?? [];
    // Relevant to what the customer is buying now, bought before and looked at recently.
    const basis = unique(
      [
        triggerItems,
        state.cart.slice().reverse(),
        state.purchased.slice(-5).reverse(),
        state.viewed.slice(-5).reverse(),
      ],
      20,
    );
    if (basis.length === 0) return { show: false, reason: 'no_candidate' };
    const offeredThisSession = state.offers
      .filter((o) => o.sessionId !== undefined && o.sessionId === sessionId)
      .map((o) => o.item);
    const exclude = unique([triggerItems, state.cart, state.purchased, offeredThisSession], 500);
    const declined = (item: string) => {
      const when = state.declined[item];
      return when !== undefined && at - when < policy.declinedItemMs;
    };
    const declinedCount = Object.keys(state.declined).filter(declined).length;
    const results = recommender.recommend({ items: basis, exclude, k: policy.candidates + declinedCount, intent });
    let sawDeclined = false;
    for (const r of results) {
      // A suggestion that cannot say which of the customer's items it goes with (a popularity
      // fill) is not relevant enough to interrupt them for.
      if (exclude.includes(r.item) || r.because.length === 0) continue;
      if (declined(r.item)) {
        sawDeclined = true;
        continue;
      }
      const d = catalog.describe(r.item);
      if (!d?.title || !d.adds) continue;
      const offer: Offer = {
        id: `upsell-${r.item}-${at.toString(36)}`,
        kind: 'upsell',
        item: r.item,
        title: d.title,
        adds: d.adds,
        because: r.because.slice(),
        trigger: trigger.name,
      };
      if (d.price) offer.price = { ...d.price };
      if (d.cta) offer.cta = d.cta;
      if (d.url) offer.url = d.url;
      return { show: true, at, offer, reason: 'upsell' };
    }
    return { show: false, reason: sawDeclined ? 'recently_declined' : 'no_candidate' };
  }

  function triggerOf(event: TouchpointEvent): Trigger | undefined {
    if (event.type === 'feedback') return isNegativeFeedback(event.feedback) ? { name: FEEDBACK_TRIGGER } : undefined;
    if (event.type !== 'track' || !policy.triggers.has(event.event)) return undefined;
    return { name: event.event, items: itemsOf(event.properties) };
  }

  return { policy, decide, decideReplenishment, record: recordEvent, recordOffer, triggerOf };
}
