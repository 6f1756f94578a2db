/**
 * Public types of the tracker: its configuration, the object `createTracker` returns, and the
 * results and notifications it hands back instead of throwing into the host page.
 */
import type {
  Clock,
  ConsentState,
  FeedbackInput,
  Identity,
  Issue,
  JsonObject,
  PropertiesArg,
  TouchpointDefinitions,
  TouchpointEvent,
  TouchpointName,
  TouchpointProperties,
} from '@touchpoint/core';

export interface AutoCaptureOptions {
  /** A `page` event on load and on every single-page-app navigation (history API). Default on. */
  pageviews?: boolean;
  /** UTM parameters and external referrer, once per session, as `campaign.landed`. Default on. */
  campaigns?: boolean;
  /** LCP, INP, CLS, FCP and TTFB as `web_vital.measured` touchpoints, loaded lazily. Default on. */
  webVitals?: boolean;
  /** A `site.first_visit` touchpoint the first time this browser meets the shop. Default on. */
  firstVisit?: boolean;
}

export interface TrackerConfig<C extends TouchpointDefinitions | undefined = undefined> {
  /** Where batches are POSTed, e.g. `/api/touchpoints`. */
  endpoint: string;
  /** Sent with every batch (`pk_…`). */
  writeKey: string;
  /** Typed catalog from core: checks `track()` names and properties at compile time. */
  touchpoints?: C;
  /** Distinguishes trackers on one page; default derived from `endpoint` and `writeKey`. */
  name?: string;
  /** `'pending'` holds events in memory until `setConsent`. Default: everything granted. */
  consent?: 'pending' | ConsentState;
  /** When the browser sends Global Privacy Control, force `marketing: false`. Default false. */
  respectGlobalPrivacyControl?: boolean;
  /**
   * The version of the privacy policy the customer decided on (`'2026-05'`), sent with every
   * `consent.updated` touchpoint so the server's proof names the text that was shown.
   */
  policyVersion?: string;
  /** `false` turns every automatic capture off. */
  autoCapture?: boolean | AutoCaptureOptions;
  batch?: { maxEvents?: number; maxWaitMs?: number };
  /** Backoff between failed deliveries (full jitter). Default 1 s doubling up to 60 s. */
  retry?: { baseMs?: number; maxMs?: number };
  /** Queue cap; the oldest events are dropped (and reported) beyond it. Default 1000 events, 2 MB. */
  queue?: { maxEvents?: number; maxBytes?: number };
  session?: { timeoutMinutes?: number };
  /** `'memory'` skips IndexedDB (events then live only as long as the page). */
  storage?: 'indexeddb' | 'memory';
  /** Logs what happens to the console. */
  debug?: boolean;
  /** For tests: the clock every timer goes through. */
  clock?: Clock;
}

/**
 * What a `consent.updated` touchpoint carries: the decided consent, whether the browser sent
 * Global Privacy Control, the policy version, and what caused the record — `'api'` a
 * `setConsent()` call, `'config'` the consent the tracker was created with, `'gpc'` Global
 * Privacy Control turning marketing off.
 */
export interface ConsentUpdatedProperties extends ConsentState {
  gpc: boolean;
  policyVersion?: string;
  source: 'api' | 'config' | 'gpc';
}

export type TrackerErrorCode = 'invalid' | 'consent' | 'unavailable' | 'delivery' | 'storage' | 'internal';

/** What went wrong; `issues` name the bad field (`feedback.score`) and what is allowed. */
export interface TrackerError {
  code: TrackerErrorCode;
  message: string;
  issues?: Issue[];
  /** HTTP status of a failed delivery. */
  status?: number;
}

/** What every recording method returns. It never throws. */
export type TrackResult = { ok: true; messageId: string } | { ok: false; error: TrackerError };

export type DropReason = 'invalid' | 'queue_full' | 'consent' | 'too_large' | 'reset';

export interface DroppedNotice {
  reason: DropReason;
  messageIds: string[];
  issues?: Issue[];
}

export interface DeliveredNotice {
  messageIds: string[];
  /** `beacon` on page exit, where delivery is not acknowledged. */
  via: 'fetch' | 'beacon';
  /** Prompts the ingest's answer carried (surveys the server queued); `@touchpoint/browser/surveys` shows them. */
  prompts?: unknown[] | undefined;
}

export interface TrackerEvents {
  event: TouchpointEvent;
  error: TrackerError;
  delivered: DeliveredNotice;
  dropped: DroppedNotice;
  consent: ConsentState;
}

export interface TrackerIds {
  anonymousId: string;
  userId?: string;
  sessionId: string;
}

export interface FlushResult {
  ok: boolean;
  /** Events still waiting in this tab. */
  pending: number;
}

export interface Tracker<C extends TouchpointDefinitions | undefined = undefined> {
  track<N extends TouchpointName<C>>(name: N, ...properties: PropertiesArg<TouchpointProperties<C, N>>): TrackResult;
  page(properties?: JsonObject): TrackResult;
  identify(userId: string, traits?: JsonObject, identities?: Identity[]): TrackResult;
  feedback(input: FeedbackInput & { properties?: JsonObject }): TrackResult;
  setConsent(consent: Partial<ConsentState>): void;
  getConsent(): ConsentState | 'pending';
  getIds(): TrackerIds;
  /** Sends what is waiting now; resolves when this tab's queue is empty or delivery fails. */
  flush(): Promise<FlushResult>;
  /** Forgets the user's ids and every queued event (right to erasure). */
  reset(): void;
  on<K extends keyof TrackerEvents>(type: K, fn: (value: TrackerEvents[K]) => void): () => void;
  /** Stops timers and listeners; queued events stay stored for the next page. */
  destroy(): void;
}
