/**
 * Public shapes of the customer model: the orders it learns from, the next-basket and due-item
 * answers with their reasons, its tuning, and the JSON it travels in. Types only.
 */
import type { RecommenderOptions } from '../recommender/types.js';
import type { BoostedTrees } from './boosted-trees.js';

/** One completed order of one customer. */
export interface CustomerOrder {
  /** Who: the user id (the identity graph's profile id once there is one). `forget(customer)` removes it all. */
  customer: string;
  /** When, as epoch milliseconds or an ISO 8601 string. */
  at: number | string;
  /** Product ids in the order (duplicates are ignored). */
  items: readonly string[];
  /** The order id: an order learned twice (a retried delivery) is merged, not counted twice. */
  orderId?: string;
}

/** Why an item is in a customer's next basket. */
export interface NextBasketItem {
  item: string;
  /** Higher is better; comparable only within one answer. */
  score: number;
  /** `repeat`: the customer bought it before. `explore`: new to them, goes with what they buy. `popular`: fill. */
  kind: 'repeat' | 'explore' | 'popular';
  /** One plain sentence, e.g. "you buy this about every 3 weeks; last time 24 days ago". */
  because: string;
  /** Repeat: orders that held the item, and how many orders the customer has. */
  timesBought?: number;
  orders?: number;
  /** Repeat: when the customer last bought it (epoch ms). */
  lastBoughtAt?: number;
  /** Explore: the customer's items it goes with, strongest first. */
  goesWith?: string[];
}

/** When the customer's next order is expected. */
export interface NextOrderEstimate {
  /** Expected day of the next order (epoch ms, midnight UTC). */
  at: number;
  /** The customer's typical gap between order days, in days (after the shop's current tempo). */
  gapDays: number;
  /** The customer's last order day (epoch ms, midnight UTC). */
  lastOrderAt: number;
  /** Distinct order days the estimate rests on. */
  orderDays: number;
}

/** A repeat item that is due: bought before, and likely bought again soon. */
export interface DueItem {
  item: string;
  /** Probability the customer buys it within `withinDays` of `now` (calibrated on the shared data: see bench/). */
  probability: number;
  /** Expected day of the customer's next order, when this item would be bought (epoch ms). */
  dueAt: number;
  /** The customer's typical interval for this item in days (their order rhythm when they bought it once). */
  intervalDays: number;
  lastBoughtAt: number;
  timesBought: number;
  /** e.g. "you buy this about every 3 weeks; last time 24 days ago". */
  because: string;
}

/** Tuning of `createCustomerModel`. Every default was chosen on the validation split of the shared data. */
export interface CustomerModelOptions {
  /**
   * How the next basket is ranked (default `'learned'`): gradient-boosted trees fitted on the
   * shop's own histories (each customer's last orders as targets), over the customer's items and
   * the basket model's suggestions. `'frequency'`: the share of the customer's orders holding the
   * item, blended with the suggestions by `exploreWeight` (needs no fit).
   */
  ranker?: 'learned' | 'frequency';
  /** Learned ranker: trees, depth and shrinkage (defaults 50, 6, 0.1, chosen on validation; 50–200 trees and depth 4–6 rank the same there within noise). */
  rankerTrees?: number;
  rankerDepth?: number;
  rankerLearningRate?: number;
  /** Learned ranker: targets per customer (their last this-many orders, default 3), and at most this many in all (default 5,000: the shared data has 2,141–2,712). */
  rankerTargets?: number;
  rankerMaxTargets?: number;
  /** Learned ranker: explore suggestions per customer it ranks with the repeats (default 10; 0: repeats only). */
  rankerExploreCandidates?: number;
  /**
   * Learned ranker: refit once more than this share of the orders is new since the last fit
   * (default 0.1), in the background (answers keep the last fit meanwhile). 0 refits in one go on
   * the next answer after every change, so incremental learning equals a batch fit exactly, at
   * the cost of a blocking fit per change. `forget` always refits (the frequency ranker answers
   * until it is done).
   */
  rankerRefitShare?: number;
  /**
   * Learned ranker "at the visit" (default false): also fit trees that weigh what sold in the
   * days before the visit, for `predictNextBasket(customer, { at })`. The model then keeps the
   * shop's orders per item and day (two small integers per distinct item and day).
   */
  rankerAtVisit?: boolean;
  /** Told when a background refit of the learned ranker fails (the last fit keeps answering). Not saved in the JSON. */
  onError?: (error: unknown) => void;
  /** Frequency ranker: weight of "goes with what you buy" suggestions against the customer's own repeat frequency (default 0.05; 0 turns them off). The learned ranker weighs them itself. */
  exploreWeight?: number;
  /**
   * Up to this many of the last places of a next basket go to "goes with what you buy" items, in
   * place of repeat items scored under `exploreBelowShare` (defaults 0 and 0.25): with the
   * frequency ranker the score is the share of the customer's orders holding the item, with the
   * learned ranker the probability that it is in the next order. Off by default: on the shared
   * data's validation split 4 slots below 0.25 (frequency ranker) raised explore recall by less
   * than its noise (0.006 → 0.010 ± 0.0025), and on its test split they cost repeat recall
   * (0.463 → 0.450) for explore recall 0.004; with the learned ranker 2 slots raise explore recall
   * to 0.027 and cost Recall@10 0.024 on validation. A shop that wants discovery over repeats can
   * turn them on.
   */
  exploreSlots?: number;
  exploreBelowShare?: number;
  /** Most frequent items of the customer used to find explore suggestions (default 16: on validation 8–64 recall the same explore items within noise, and fewer are cheaper). */
  exploreQueryItems?: number;
  /** Options of the internal basket recommender that supplies explore suggestions. */
  basket?: RecommenderOptions;
  /** Quantile of the customer's gaps between order days taken as their rhythm (default 0.3). */
  gapQuantile?: number;
  /** Weight of each older gap relative to the next newer one (default 0.85). */
  gapDecay?: number;
  /**
   * Gap assumed before a customer has any (default 45 days), and its weight in gaps (default 3).
   * The weight shrinks for a customer whose gaps scatter less than the shop's (at least two gaps).
   */
  priorGapDays?: number;
  priorGapWeight?: number;
  /** The shop's tempo: window in days (default 14) and exponent (default 2.5; 0 turns it off). */
  tempoWindowDays?: number;
  tempoExponent?: number;
  /** Due probability: an item's share of the customer's orders is times / (orders + this) (default 4). */
  dueShrinkOrders?: number;
  /** Due probability: spread (σ) of the log gap around the estimate (default: measured from the shop's own gaps, 1.4826 × their median absolute log deviation). */
  gapSpread?: number;
}

/** What the learned ranker answers with now, and how its refits went (`rankerStatus()`). */
export interface RankerStatus {
  /** `frequency`: no usable trees (before the first fit, or after a `forget`) until a refit finishes. */
  answersWith: 'learned' | 'frequency';
  /** `stale`: enough orders are new that the next answer starts a refit. */
  state: 'unfitted' | 'fitted' | 'stale' | 'refitting';
  /** Orders the answering trees were fitted on, and orders learned since. */
  fittedOn: number;
  changedSince: number;
  /** Background refits finished, and the steps of the last one with the longest step (ms): how long the event loop waited at most. */
  backgroundRefits: number;
  lastRefitSteps: number;
  lastRefitLongestStepMs: number;
  /** The last background refit's error, if it failed. */
  lastError: unknown;
}

/** The serialised customer model: item ids interned once, orders per customer. */
export interface CustomerModelJSON {
  format: 'touchpoint-customers';
  version: 1;
  options: CustomerModelOptions;
  items: string[];
  /** [customer, [[at (epoch ms), orderId or null, item indexes]…]], oldest order first. */
  customers: [string, [number, string | null, number[]][]][];
  /** The fitted next-basket ranker (absent before the first fit and after a `forget`). */
  ranker?: {
    features: string[];
    trees: BoostedTrees;
    fittedOn: number;
    changedSince: number;
    /** The "at the visit" trees (`rankerAtVisit`). */
    visit?: { features: string[]; trees: BoostedTrees };
  };
}
