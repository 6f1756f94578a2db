/**
 * `createModelLoader`: the browser end of the live model. It fetches the published model only
 * when asked for recommendations and only with the customer's personalization consent, revalidates
 * with `If-None-Match` (a `304` costs no body), and when a fetch fails keeps answering with the
 * model it already has. It has `recommend()`, so it drops into `connectUpsell` as the recommender.
 */
import { backoffDelay, type Clock, type ConsentState, systemClock } from '@touchpoint/core';
import { recommenderFromJSON } from '../recommender/recommender-from-json.js';
import type { Recommendation, RecommendModel, RecommendQuery } from '../recommender/types.js';

/** The slice of the browser tracker the loader reads consent from (`createTracker()` fits). */
export interface ConsentSource {
  getConsent(): ConsentState | 'pending';
}

export interface ModelLoaderOptions {
  /** Where `createModelHandler` serves the model, e.g. `/recommender.json`. */
  url: string;
  /** Fetches only with `personalization` consent from this tracker. */
  tracker?: ConsentSource;
  /** Or decide yourself; without `tracker` or `consent`, the caller is trusted to have checked. */
  consent?: () => boolean;
  /** Revalidate a loaded model after this long (default 10 minutes). */
  refreshMs?: number;
  /** Platform fetch by default; pass one for tests or custom auth. */
  fetch?: (input: string, init?: RequestInit) => Promise<Response>;
  clock?: Clock;
  /** A fetch or parse failed; the previous model stays in use. */
  onError?(error: unknown): void;
}

export interface ModelLoader {
  /**
   * Answers from the current model (none yet, or no personalization consent: `[]`), and starts a
   * background fetch when there is no model or it is due for revalidation — so the first call
   * after consent triggers the download.
   */
  recommend(query: RecommendQuery): Recommendation[];
  /** Fetches now (if allowed) and resolves with the model in use afterwards. */
  load(): Promise<RecommendModel | undefined>;
  current(): RecommendModel | undefined;
  /** ETag of the model in use. */
  readonly etag: string | undefined;
}

/**
 * @example
 * const recommender = createModelLoader({ url: '/recommender.json', tracker });
 * connectUpsell(tracker, { planner, recommender, catalog });
 */
export function createModelLoader(options: ModelLoaderOptions): ModelLoader {
  const clock = options.clock ?? systemClock;
  const refreshMs = options.refreshMs ?? 600_000;
  let model: RecommendModel | undefined;
  let etag: string | undefined;
  let inFlight: Promise<RecommendModel | undefined> | undefined;
  let nextAttempt = 0;
  let failures = 0;

  function allowed(): boolean {
    if (options.tracker) {
      const consent = options.tracker.getConsent();
      return consent !== 'pending' && consent.personalization === true;
    }
    return options.consent ? options.consent() : true;
  }

  async function fetchModel(): Promise<RecommendModel | undefined> {
    const doFetch = options.fetch ?? (globalThis.fetch as ModelLoaderOptions['fetch']);
    try {
      if (!doFetch) throw new Error('no fetch available: pass options.fetch');
      const headers: Record<string, string> = { Accept: 'application/json' };
      if (etag && model) headers['If-None-Match'] = etag;
      const response = await doFetch(options.url, { headers, credentials: 'same-origin' });
      if (response.status === 304 && model) {
        // unchanged: keep the model, push the next revalidation out
      } else if (response.ok) {
        const loaded = recommenderFromJSON((await response.json()) as never);
        model = loaded;
        etag = response.headers.get('ETag') ?? undefined;
      } else {
        throw new Error(`model fetch ${options.url}: HTTP ${response.status}`);
      }
      failures = 0;
      nextAttempt = clock.now() + refreshMs;
    } catch (error) {
      failures++;
      nextAttempt = clock.now() + 1000 + backoffDelay(failures, { baseMs: 2000, maxMs: refreshMs });
      options.onError?.(error);
    }
    return model;
  }

  function load(): Promise<RecommendModel | undefined> {
    if (!allowed()) return Promise.resolve(model);
    if (!inFlight) {
      inFlight = fetchModel().finally(() => {
        inFlight = undefined;
      });
    }
    return inFlight;
  }

  return {
    recommend(query) {
      // Personalization consent gates recommendations, not only the download.
      if (!allowed()) return [];
      if (!inFlight && clock.now() >= nextAttempt) void load();
      try {
        return model ? model.recommend(query) : [];
      } catch (error) {
        options.onError?.(error);
        return [];
      }
    },
    load,
    current: () => model,
    get etag() {
      return etag;
    },
  };
}
