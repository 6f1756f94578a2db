/**
 * The vocabulary the upsell planner speaks: what an offer is, the decision it returns, the stable
 * reason codes, and the two things a shop plugs in (a recommender and a catalogue lookup). Kept
 * structural, so any recommender with a `recommend()` of this shape works, not only ours.
 */

/** Why an offer is shown (`show: true`). `replenishment`: a repeat item the customer is due to buy again. */
export type ShowReason = 'upsell' | 'recovery' | 'replenishment';

/**
 * Why no offer is shown (`show: false`). Stable strings: log them, count them, branch on them.
 * - `consent`: personalization consent is not granted (or still pending).
 * - `not_a_trigger`: the touchpoint is not one the policy reacts to.
 * - `negative_feedback`: recent negative feedback; no sales pitch (a recovery offer may be shown instead).
 * - `open_support_case`: the customer has an open support case; same rule.
 * - `quiet_hours`: the offer would land in the customer's local quiet hours.
 * - `min_engagement`: the customer has not engaged enough in this session yet.
 * - `session_cap` / `daily_cap` / `weekly_cap`: enough offers shown in this session / 24 h / 7 days.
 * - `cooldown`: too soon after the previous offer.
 * - `recently_declined`: the only candidates were items the customer recently declined.
 * - `no_candidate`: nothing relevant to offer (or nothing the catalogue can describe).
 */
export type SuppressReason =
  | 'consent'
  | 'not_a_trigger'
  | 'negative_feedback'
  | 'open_support_case'
  | 'quiet_hours'
  | 'min_engagement'
  | 'session_cap'
  | 'daily_cap'
  | 'weekly_cap'
  | 'cooldown'
  | 'recently_declined'
  | 'no_candidate';

/** Every reason code, for dashboards and exhaustive tests. */
export const SUPPRESS_REASONS: readonly SuppressReason[] = [
  'consent',
  'not_a_trigger',
  'negative_feedback',
  'open_support_case',
  'quiet_hours',
  'min_engagement',
  'session_cap',
  'daily_cap',
  'weekly_cap',
  'cooldown',
  'recently_declined',
  'no_candidate',
];

export type OfferKind = 'upsell' | 'recovery' | 'replenishment';

/**
 * A repeat item that is due, as the customer model's `dueItems()` returns it (structural: any
 * source of due items works).
 */
export interface DueCandidate {
  item: string;
  /** Probability the customer buys it within the policy's `replenishment.withinDays`. */
  probability: number;
  /** Plain reason, e.g. "you buy this about every 3 weeks; last time 24 days ago". */
  because: string;
}

/** A price as the shop shows it. */
export interface Price {
  value: number;
  /** ISO 4217 code, e.g. `EUR`. */
  currency?: string;
}

/** What the catalogue says about an item: enough for an offer that says plainly what it adds. */
export interface ItemDescription {
  title: string;
  /** One plain sentence: what this adds to what the customer already has. */
  adds: string;
  price?: Price;
  /** Label of the accept button, e.g. `Add to cart`. */
  cta?: string;
  url?: string;
}

/** The shop's catalogue lookup. Return `undefined` for items that cannot be offered (out of stock…). */
export interface OfferCatalog {
  describe(item: string): ItemDescription | undefined;
}

export interface UpsellCandidateRequest {
  items: string[];
  exclude?: string[];
  k?: number;
  intent?: 'complementary' | 'similar';
}

/** One suggestion, explained: `because` lists the items that led to it. */
export interface UpsellCandidate {
  item: string;
  score: number;
  because: string[];
}

/**
 * Anything with this `recommend()` — `createRecommender()` from this package returns one.
 * Suggestions with an empty `because` (popularity fill) are never offered.
 */
export interface RecommenderLike {
  recommend(request: UpsellCandidateRequest): readonly UpsellCandidate[];
}

/** A service-recovery gesture for an unhappy customer (refund the shipping fee, a coupon…). */
export interface RecoveryOffer {
  /** Stable id of the gesture, e.g. `refund-shipping`. */
  id: string;
  title: string;
  /** What the customer gets, plainly. */
  adds: string;
  cta?: string;
  /** A coupon code or reference the shop redeems on accept. */
  code?: string;
}

/** An offer ready to render and to record. */
export interface Offer {
  /** Unique per showing; carried by `offer.shown/accepted/dismissed` as `offerId`. */
  id: string;
  kind: OfferKind;
  /** The product offered (upsell), or the recovery gesture's id. */
  item: string;
  title: string;
  adds: string;
  price?: Price;
  cta?: string;
  url?: string;
  code?: string;
  /** Items that led to this suggestion (upsell only). */
  because: string[];
  /** Replenishment: why now, e.g. "you buy this about every 3 weeks; last time 24 days ago". */
  timing?: string;
  /** The touchpoint that triggered it. */
  trigger: string;
}

export type Decision =
  | { show: true; at: number; offer: Offer; reason: ShowReason }
  | {
      show: false;
      reason: SuppressReason;
      /** When the same trigger could succeed at the earliest (cooldown, caps, quiet hours), if known. */
      retryAt?: number;
    };

/**
 * What a renderer calls when the customer acts on the offer. Each may be called once. Here, not
 * in `connect-upsell.ts`, because the default card (`ui/offer-card.ts`) needs it too.
 */
export interface OfferActions {
  accept(): void;
  dismiss(): void;
}

/** What a renderer may hand back so the connection can take the offer off the screen. */
export interface RenderedOffer {
  close(): void;
}
