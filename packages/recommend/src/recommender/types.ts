/**
 * Public shapes of the recommender: what it learns from, what it answers, and the JSON a trained
 * model travels in. Types only, so importing them costs a bundle nothing.
 */

/** How strongly an interaction says "these belong together": a purchase more than a glance. */
export type InteractionKind = 'view' | 'cart' | 'purchase';

/** One thing a customer did with one item: the same data the tracker records. */
export interface Interaction {
  /** Who: a user id, or a session/anonymous id. `forget(subject)` removes everything they taught. */
  subject: string;
  /** The item (product id). */
  item: string;
  kind: InteractionKind;
  /** When, as epoch milliseconds or an ISO 8601 string. Drives recency weighting. */
  timestamp?: number | string;
  /**
   * The basket this belongs to (an order id or a session id). Items in one basket are what the
   * model learns "belong together". Without it, the subject's interactions form one basket.
   */
  basketId?: string;
}

/** `complementary`: bought together (a case for the phone). `similar`: bought with the same things (another phone). */
export type RecommendIntent = 'complementary' | 'similar';

export interface RecommendQuery {
  /** What the customer has: cart contents, the product on screen, the order just placed. */
  items: readonly string[];
  /** Items never to suggest (besides the query items, which are never suggested). */
  exclude?: readonly string[];
  /** How many suggestions (default 10). */
  k?: number;
  /** Default `complementary`. */
  intent?: RecommendIntent;
  /** Fill empty slots with popular items (default true): a cold item still gets suggestions. */
  fillWithPopular?: boolean;
}

export interface Recommendation {
  item: string;
  /** Higher is better; comparable only within one answer. `0` for popularity fill. */
  score: number;
  /** The query items that contributed most, strongest first. Empty for popularity fill. */
  because: string[];
}

/** What every model answers, whether trained here or loaded from JSON. */
export interface RecommendModel {
  /**
   * Suggestions for the query, best first, deterministic for the same model and query.
   * @example
   * model.recommend({ items: ['tea'], k: 3 }); // [{ item: 'biscuits', score: 0.41, because: ['tea'] }, …]
   */
  recommend(query: RecommendQuery): Recommendation[];
  /** The compact serving model (top-K neighbours per item), for `recommenderFromJSON`. */
  toJSON(): RecommenderJSON;
  /** Item ids the model knows. */
  readonly itemCount: number;
}

/** The serialised model: item ids interned once, neighbour lists packed in base64. */
export interface RecommenderJSON {
  format: 'touchpoint-recommender';
  version: 1;
  /** Item ids; every other field refers to items by their index here. */
  items: string[];
  /** Indexes of the most popular items, most popular first (the cold-start fill). */
  popular: number[];
  /** Per item: neighbour count, row scale (float32), then (index delta varint, weight byte) pairs. */
  neighbours: string;
}

/** Tuning of `createRecommender`. Every field has a default chosen on a validation split. */
export interface RecommenderOptions {
  /** Weight of each interaction kind in a basket (default view 0.25, cart 0.6, purchase 1). */
  kindWeights?: Partial<Record<InteractionKind, number>>;
  /** Half-life of a basket's influence, in days (default: none — old baskets count fully). */
  halfLifeDays?: number;
  /** Neighbours kept per item in the serving model (default 32). */
  neighbours?: number;
  /** Candidate neighbours each item's regression may use (default 32). */
  candidates?: number;
  /** Ridge penalty of each item's regression (default 3). */
  l2?: number;
  /** A basket of n items counts 1/n^this (default 0.5), so a wholesaler's 300-line order does not dominate. */
  basketSizeExponent?: number;
  /** Candidates are ranked by co-occurrence / popularity^this (default 0.5), so best-sellers do not crowd out specific partners. */
  popularityPenalty?: number;
  /** How many popular items the model keeps for the cold-start fill (default 100). */
  popularKept?: number;
  /**
   * Baskets remembered (default: all). Beyond it the basket updated longest ago is subtracted
   * from the model and dropped: a sliding window that bounds memory.
   */
  maxBaskets?: number;
}
