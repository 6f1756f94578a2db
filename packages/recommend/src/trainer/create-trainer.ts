/**
 * `createRecommenderTrainer`: keeps a recommender fresh from the live touchpoint stream. It is
 * shaped like a forwarder destination (`{ name, send(events) }`), so a shop's server that already
 * forwards every touchpoint adds one line to train the model — no separate pipeline. It publishes
 * a new serving model every N learned interactions or on a schedule, for `createModelHandler`.
 */
import { type Clock, systemClock, TouchpointConfigError, type TouchpointEvent } from '@touchpoint/core';
import { createRecommender, type Recommender } from '../recommender/create-recommender.js';
import type { InteractionKind, RecommendModel } from '../recommender/types.js';
import { modelEtag } from './model-etag.js';
import { DEFAULT_TOUCHPOINT_KINDS, interactionsFromEvents } from './touchpoint-interactions.js';

/** One published version of the model. */
export interface PublishedModel {
  /** `toJSON()` of the model, serialised once. */
  json: string;
  /** Strong validator of `json`, quoted, for `ETag`/`If-None-Match`. */
  etag: string;
  /** 1 for the first publication, then +1. */
  version: number;
  /** Epoch ms, by the trainer's clock. */
  publishedAt: number;
  model: RecommendModel;
}

export interface RecommenderTrainerOptions {
  /** The recommender to train (default `createRecommender()`); seed it with history first. */
  recommender?: Recommender;
  /** Destination name in the forwarder (default `recommender`). */
  name?: string;
  /** Publish after this many learned interactions (default 1000). */
  publishEveryInteractions?: number;
  /** Also publish on this schedule when anything changed (default 5 minutes; 0 turns it off). */
  publishIntervalMs?: number;
  /** Which touchpoints teach what (default: product.viewed → view, cart.item_added → cart, order.completed → purchase). */
  kinds?: Record<string, InteractionKind>;
  clock?: Clock;
  /**
   * A customer model (`createCustomerModel()`) that learns every forwarded `order.completed` of a
   * signed-in customer, keyed by `userId`, for next-basket and due-item answers; `forget` erases
   * the customer there too.
   */
  customers?: { learnEvents(events: TouchpointEvent[]): unknown; forget(customer: string): number };
  /** Called with every new publication (e.g. to upload it to a CDN). */
  onPublish?(published: PublishedModel): void;
  /** Called when publishing fails; the previous publication stays current. */
  onError?(error: unknown): void;
}

export interface RecommenderTrainer {
  readonly name: string;
  /** Destination entry point: learns from a batch of touchpoints. Never rejects for bad events. */
  send(events: TouchpointEvent[], signal?: AbortSignal): Promise<void>;
  /** Refits and publishes now. */
  publish(): PublishedModel;
  /** The latest publication, if any. */
  current(): PublishedModel | undefined;
  /**
   * Erasure: removes every basket the subject (user id or anonymous id) took part in and
   * publishes at once, so the served model no longer reflects them. Returns baskets removed.
   */
  forget(subject: string): number;
  /**
   * The forwarder's erasure entry point (`@touchpoint/node/privacy` fans an erasure out to every
   * destination): forgets every user id and anonymous id of the customer's profile, then
   * publishes once. Shaped structurally so this package needs nothing from the server package.
   */
  erase(request: { userIds: readonly string[]; anonymousIds: readonly string[] }): Promise<void>;
  /** Interactions learned since the last publication. */
  readonly pending: number;
  readonly recommender: Recommender;
  /** Stops the schedule. */
  close(): Promise<void>;
}

/**
 * @example
 * const trainer = createRecommenderTrainer({ recommender: seeded, publishEveryInteractions: 500 });
 * const forwarder = createForwarder({ destinations: [destinations.http({ url }), trainer] });
 * http.createServer(toNodeHandler(createModelHandler(trainer))); // GET /recommender.json
 */
export function createRecommenderTrainer(options: RecommenderTrainerOptions = {}): RecommenderTrainer {
  const recommender = options.recommender ?? createRecommender();
  const clock = options.clock ?? systemClock;
  const every = options.publishEveryInteractions ?? 1000;
  const interval = options.publishIntervalMs ?? 300_000;
  if (!(Number.isInteger(every) && every > 0))
    throw new TouchpointConfigError('publishEveryInteractions', `must be a positive integer, got ${String(every)}`);
  if (!(Number.isFinite(interval) && interval >= 0))
    throw new TouchpointConfigError(
      'publishIntervalMs',
      `must be 0 (off) or a positive number of ms, got ${String(interval)}`,
    );
  const kinds = { ...DEFAULT_TOUCHPOINT_KINDS, ...options.kinds };
  let published: PublishedModel | undefined;
  let pending = 0;
  let changed = false;
  let soon: unknown;
  let timer: unknown;
  let closed = false;

  function publish(): PublishedModel {
    pending = 0;
    changed = false;
    return publishModel(recommender.model());
  }

  function publishModel(model: RecommendModel): PublishedModel {
    const json = JSON.stringify(model.toJSON());
    const etag = modelEtag(json);
    if (published && published.etag === etag) return published;
    published = { json, etag, version: (published?.version ?? 0) + 1, publishedAt: clock.now(), model };
    options.onPublish?.(published);
    return published;
  }

  // Scheduled publications refit in slices, so the server keeps serving while a big catalogue refits.
  let publishing = false;
  async function publishSafely() {
    soon = undefined;
    if (publishing) return;
    publishing = true;
    // What arrives during the refit counts towards the next publication.
    pending = 0;
    changed = false;
    try {
      publishModel(await recommender.modelInSlices({ clock }));
    } catch (error) {
      options.onError?.(error);
    } finally {
      publishing = false;
    }
  }

  function schedule() {
    if (closed || interval === 0) return;
    timer = clock.setTimeout(() => {
      if (changed) void publishSafely();
      schedule();
    }, interval);
  }
  schedule();

  function forgetOne(subject: string): number {
    options.customers?.forget(subject);
    const removed = recommender.forget(subject);
    if (removed > 0) changed = true;
    return removed;
  }

  return {
    name: options.name ?? 'recommender',
    async send(events) {
      const batch = Array.isArray(events) ? events : [];
      options.customers?.learnEvents(batch);
      const interactions = interactionsFromEvents(batch, kinds);
      if (interactions.length === 0) return;
      const { accepted } = recommender.learn(interactions);
      pending += accepted;
      changed ||= accepted > 0;
      // Refitting takes a moment on a big catalogue: do it after this delivery is acknowledged.
      if (pending >= every && soon === undefined && !closed) {
        soon = clock.setTimeout(() => void publishSafely(), 0);
      }
    },
    publish,
    current: () => published,
    forget(subject) {
      const removed = forgetOne(subject);
      if (removed > 0) publish();
      return removed;
    },
    async erase(request) {
      let removed = 0;
      for (const subject of [...(request?.userIds ?? []), ...(request?.anonymousIds ?? [])])
        removed += forgetOne(subject);
      // One publication for the whole profile, not one per id: the served model changes once.
      if (removed > 0) publish();
    },
    get pending() {
      return pending;
    },
    recommender,
    async close() {
      closed = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      if (soon !== undefined) clock.clearTimeout(soon);
    },
  };
}
