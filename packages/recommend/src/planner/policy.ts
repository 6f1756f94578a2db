/**
 * The upsell policy: every knob a shop can turn, its default, and the checks run once when a
 * planner is created. Defaults live here and nowhere else. A bad policy is a programming error,
 * so it fails loudly at creation with a `TouchpointConfigError` naming the field.
 */
import { type Clock, systemClock, TouchpointConfigError } from '@touchpoint/core';
import type { RecoveryOffer } from './types.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** How the planner reacts to one trigger touchpoint. */
export interface TriggerRule {
  /** Wait this long after the trigger before showing (overrides the policy's `delayMs`). */
  delayMs?: number;
  /** What to ask the recommender for. */
  intent?: 'complementary' | 'similar';
}

/** Local quiet hours, `HH:MM` in 24-hour time; `start > end` spans midnight (e.g. 21:00-08:00). */
export interface QuietHours {
  start: string;
  end: string;
}

/** Minimum engagement in the current session before any upsell. */
export interface MinEngagement {
  /** Touchpoints and page views recorded in this session. */
  events?: number;
  /** `page` events in this session. */
  pageViews?: number;
  /** `product.viewed` touchpoints in this session. */
  productViews?: number;
  /** Time since the session's first event. */
  sessionMs?: number;
}

/** When a due repeat item becomes a prompt. */
export interface ReplenishmentRule {
  /** Offer only items at least this likely to be bought within `withinDays` (default 0.3). */
  minProbability?: number;
  /** The window the customer model's `dueItems` should use (default 7 days); the planner only passes it on. */
  withinDays?: number;
  /** Delay after the visit starts (default: the policy's `delayMs`). */
  delayMs?: number;
}

export interface UpsellPolicy {
  /**
   * Touchpoints that may lead to an offer, with per-trigger rules. Default: `cart.item_added`
   * (complementary) and `order.completed` (complementary). Negative feedback is always a trigger
   * for a `recovery` offer when one is configured.
   */
  triggers?: Record<string, TriggerRule> | readonly string[];
  /** Delay between trigger and offer. Default 3 s: let the customer see their cart update first. */
  delayMs?: number;
  /** Minimum time between two offers. Default 30 minutes. */
  cooldownMs?: number;
  /** Most offers per session. Default 1. */
  maxPerSession?: number;
  /** Most offers per rolling 24 hours. Default 2. */
  maxPerDay?: number;
  /** Most offers per rolling 7 days. Default 5. */
  maxPerWeek?: number;
  /** No offers in these local hours. Default: none. */
  quietHours?: QuietHours;
  /** Time zone for quiet hours when the customer's is unknown. Default `UTC`. */
  timeZone?: string;
  /** Days before an item the customer declined may be offered again. Default 30. */
  declinedItemDays?: number;
  /** Minimum engagement before any upsell. Default: none. */
  minEngagement?: MinEngagement;
  /** How long negative feedback suppresses upsells. Default 14 days. */
  negativeFeedbackMs?: number;
  /** A support case never closed stops counting as open after this long. Default 14 days. */
  supportCaseMaxAgeMs?: number;
  /** Offered to customers with negative feedback or an open case, once per episode. Default: none. */
  recovery?: RecoveryOffer;
  /** Candidates asked of the recommender. Default 10. */
  candidates?: number;
  /** Replenishment prompts (`planner.decideReplenishment`): when a repeat item is offered. */
  replenishment?: ReplenishmentRule;
  /** Used when `decide()` is not given `now`. Default `systemClock`. */
  clock?: Clock;
}

export interface ResolvedPolicy {
  delayMs: number;
  triggers: Map<string, Required<TriggerRule>>;
  cooldownMs: number;
  maxPerSession: number;
  maxPerDay: number;
  maxPerWeek: number;
  quietHours: { start: number; end: number } | undefined;
  timeZone: string;
  declinedItemMs: number;
  minEngagement: Required<MinEngagement>;
  negativeFeedbackMs: number;
  supportCaseMaxAgeMs: number;
  recovery: RecoveryOffer | undefined;
  candidates: number;
  replenishment: Required<ReplenishmentRule>;
  clock: Clock;
}

export const DEFAULT_POLICY = {
  delayMs: 3000,
  cooldownMs: 30 * MINUTE,
  maxPerSession: 1,
  maxPerDay: 2,
  maxPerWeek: 5,
  timeZone: 'UTC',
  declinedItemDays: 30,
  negativeFeedbackMs: 14 * DAY,
  supportCaseMaxAgeMs: 14 * DAY,
  candidates: 10,
  replenishment: { minProbability: 0.3, withinDays: 7 },
  triggers: { 'cart.item_added': { intent: 'complementary' }, 'order.completed': { intent: 'complementary' } },
} as const;

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

function minutesOf(field: string, value: unknown): number {
  const m = typeof value === 'string' ? HHMM.exec(value) : null;
  if (!m)
    throw new TouchpointConfigError(field, `must be a time "HH:MM" from 00:00 to 23:59, got ${JSON.stringify(value)}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

function count(field: string, value: unknown, fallback: number, allowInfinity = false): number {
  if (value === undefined) return fallback;
  const ok =
    typeof value === 'number' &&
    value >= 0 &&
    (Number.isInteger(value) || (allowInfinity && value === Number.POSITIVE_INFINITY));
  if (!ok)
    throw new TouchpointConfigError(
      field,
      `must be a whole number >= 0${allowInfinity ? ' or Infinity' : ''}, got ${String(value)}`,
    );
  return value as number;
}

function duration(field: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TouchpointConfigError(field, `must be a duration in milliseconds >= 0, got ${String(value)}`);
  }
  return value;
}

/** `true` when `Intl` knows the IANA zone. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Fills in defaults and checks every field. Throws `TouchpointConfigError` naming the bad field. */
export function resolvePolicy(policy: UpsellPolicy = {}): ResolvedPolicy {
  if (typeof policy !== 'object' || policy === null) throw new TouchpointConfigError('policy', 'must be an object');
  const delayMs = duration('policy.delayMs', policy.delayMs, DEFAULT_POLICY.delayMs);
  const triggers = new Map<string, Required<TriggerRule>>();
  const source = policy.triggers ?? DEFAULT_POLICY.triggers;
  const entries: [string, TriggerRule][] = Array.isArray(source)
    ? source.map((name) => [name, {}])
    : Object.entries(source as Record<string, TriggerRule>);
  for (const [name, rule] of entries) {
    const at = `policy.triggers[${JSON.stringify(name)}]`;
    if (typeof name !== 'string' || name.length === 0)
      throw new TouchpointConfigError('policy.triggers', 'trigger names must be non-empty strings');
    const intent = rule?.intent ?? 'complementary';
    if (intent !== 'complementary' && intent !== 'similar') {
      throw new TouchpointConfigError(
        `${at}.intent`,
        `must be "complementary" or "similar", got ${JSON.stringify(intent)}`,
      );
    }
    triggers.set(name, { delayMs: duration(`${at}.delayMs`, rule?.delayMs, delayMs), intent });
  }
  const timeZone = policy.timeZone ?? DEFAULT_POLICY.timeZone;
  if (!isTimeZone(timeZone))
    throw new TouchpointConfigError(
      'policy.timeZone',
      `must be an IANA time zone such as "Europe/Berlin", got ${JSON.stringify(timeZone)}`,
    );
  const q = policy.quietHours;
  const quietHours =
    q === undefined
      ? undefined
      : { start: minutesOf('policy.quietHours.start', q.start), end: minutesOf('policy.quietHours.end', q.end) };
  const e = policy.minEngagement ?? {};
  const r = policy.recovery;
  if (r !== undefined) {
    for (const key of ['id', 'title', 'adds'] as const) {
      if (typeof r[key] !== 'string' || r[key].trim() === '')
        throw new TouchpointConfigError(`policy.recovery.${key}`, 'must be a non-empty string');
    }
  }
  const rp = policy.replenishment ?? {};
  const minProbability = rp.minProbability ?? DEFAULT_POLICY.replenishment.minProbability;
  if (typeof minProbability !== 'number' || !(minProbability >= 0 && minProbability <= 1))
    throw new TouchpointConfigError(
      'policy.replenishment.minProbability',
      `must be a probability from 0 to 1, got ${String(minProbability)}`,
    );
  const withinDays = rp.withinDays ?? DEFAULT_POLICY.replenishment.withinDays;
  if (typeof withinDays !== 'number' || !(withinDays > 0 && Number.isFinite(withinDays)))
    throw new TouchpointConfigError(
      'policy.replenishment.withinDays',
      `must be a positive number of days, got ${String(withinDays)}`,
    );
  const clock = policy.clock ?? systemClock;
  if (typeof clock.now !== 'function') throw new TouchpointConfigError('policy.clock', 'must be a Clock with now()');
  return {
    delayMs,
    triggers,
    cooldownMs: duration('policy.cooldownMs', policy.cooldownMs, DEFAULT_POLICY.cooldownMs),
    maxPerSession: count('policy.maxPerSession', policy.maxPerSession, DEFAULT_POLICY.maxPerSession, true),
    maxPerDay: count('policy.maxPerDay', policy.maxPerDay, DEFAULT_POLICY.maxPerDay, true),
    maxPerWeek: count('policy.maxPerWeek', policy.maxPerWeek, DEFAULT_POLICY.maxPerWeek, true),
    quietHours,
    timeZone,
    declinedItemMs: duration('policy.declinedItemDays', policy.declinedItemDays, DEFAULT_POLICY.declinedItemDays) * DAY,
    minEngagement: {
      events: count('policy.minEngagement.events', e.events, 0),
      pageViews: count('policy.minEngagement.pageViews', e.pageViews, 0),
      productViews: count('policy.minEngagement.productViews', e.productViews, 0),
      sessionMs: duration('policy.minEngagement.sessionMs', e.sessionMs, 0),
    },
    negativeFeedbackMs: duration(
      'policy.negativeFeedbackMs',
      policy.negativeFeedbackMs,
      DEFAULT_POLICY.negativeFeedbackMs,
    ),
    supportCaseMaxAgeMs: duration(
      'policy.supportCaseMaxAgeMs',
      policy.supportCaseMaxAgeMs,
      DEFAULT_POLICY.supportCaseMaxAgeMs,
    ),
    recovery: r === undefined ? undefined : { ...r },
    candidates: Math.max(1, count('policy.candidates', policy.candidates, DEFAULT_POLICY.candidates)),
    replenishment: {
      minProbability,
      withinDays,
      delayMs: duration('policy.replenishment.delayMs', rp.delayMs, delayMs),
    },
    clock,
  };
}

export const TIME = { MINUTE, HOUR, DAY } as const;
