/**
 * `createTracker`: the object a shop records its customer's journey with. It stamps ids and
 * context on each event, applies consent, serialises the event once and hands it to the durable
 * queue; delivery happens later, off the caller's path. No method throws into the host page.
 *
 * The modules it wires together hand each other named option objects; names ending in `_` are
 * internal and shortened by the build (see tsup.config.ts), so the names cost no bytes.
 */
import {
  type ConsentState,
  checkFeedback,
  type EventContext,
  getTouchpoint,
  type Issue,
  type JourneyStage,
  type JsonObject,
  MAX_EVENT_BYTES,
  type TouchpointDefinitions,
  type TouchpointEvent,
} from '@touchpoint/core';
import { createStore, type UseStore } from 'idb-keyval';
import type { AutoCapture } from './auto-capture.js';
import { byteLength } from './byte-length.js';
import { anyCapture, checkConfig, notText } from './config.js';
import { allowedBy, decideConsent, gpcSignal } from './consent.js';
import { createDelivery } from './delivery.js';
import { createEmitter } from './emitter.js';
import { getWindow, localKeyValue, namespaceFor } from './environment.js';
import { createIdentityStore } from './identity.js';
import { createMessageId } from './message-id.js';
import { pageClock } from './page-clock.js';
import { pageContext } from './page-context.js';
import { createQueue } from './queue.js';
import { createTabOwnership } from './tab-ownership.js';
import type { DropReason, Tracker, TrackerConfig, TrackerError, TrackerEvents, TrackResult } from './types.js';
import { createUnavailableTracker } from './unavailable-tracker.js';

const LIBRARY = { name: '@touchpoint/browser', version: '0.1.0' };

/**
 * Creates a tracker. On a server, or with an unusable configuration, it returns a tracker whose
 * methods do nothing and answer `{ ok: false, error }`.
 *
 * @example
 * const tp = createTracker({ endpoint: '/api/touchpoints', writeKey: 'pk_live_123', touchpoints: commerceTouchpoints });
 * tp.track('cart.item_added', { productId: 'sku-1', quantity: 1 });
 */
export function createTracker<C extends TouchpointDefinitions | undefined = undefined>(
  config: TrackerConfig<C>,
): Tracker<C> {
  const w = getWindow();
  const problem = checkConfig(config);
  if (!w || problem) {
    return createUnavailableTracker({
      code: w ? 'invalid' : 'unavailable',
      message: w ? `createTracker: ${problem}` : 'no browser window (server-side rendering)',
    });
  }
  // Defaults, in one place (the README's configuration table).
  const {
    endpoint,
    writeKey,
    touchpoints: catalog,
    debug,
    clock = pageClock,
    autoCapture: auto,
    batch: { maxEvents = 20, maxWaitMs = 2000 } = {},
    retry: { baseMs = 1000, maxMs = 60_000 } = {},
    queue: { maxEvents: queueCap = 1000, maxBytes = 2_000_000 } = {},
    session: { timeoutMinutes = 30 } = {},
  } = config;
  const gpc = !!config.respectGlobalPrivacyControl;
  const chosen = config.consent;
  const events = createEmitter<TrackerEvents>();
  // Debug mode logs every notice, from the first: recorded events, errors, drops, deliveries, consent.
  if (debug)
    for (const type of ['event', 'error', 'dropped', 'delivered', 'consent'] as const)
      events.on_(type, (value) => console.log('[touchpoint]', type, value));
  const namespace = config.name ?? namespaceFor(endpoint, writeKey);
  const kv = localKeyValue();
  const identity = createIdentityStore(kv, namespace, timeoutMinutes * 60_000);
  const ownership = createTabOwnership(namespace, kv, clock);
  let store: UseStore | undefined;
  try {
    if (config.storage !== 'memory' && w.indexedDB) store = createStore(`touchpoint-${namespace}`, 'events');
  } catch {}
  let storageFailed = false;
  const storageError = (error: unknown) => {
    if (storageFailed) return;
    storageFailed = true;
    report({ code: 'storage', message: `IndexedDB failed; events stay in memory: ${String(error)}` });
  };
  const dropped = (reason: DropReason, messageIds: string[]) => events.emit_('dropped', { reason, messageIds });
  const queue = createQueue({
    store_: store,
    maxEvents_: queueCap,
    maxBytes_: maxBytes,
    ready_: ownership.ready_,
    onOverflow_: (items) =>
      dropped(
        'queue_full',
        items.map((i) => i.messageId_),
      ),
    onStorageError_: storageError,
  });
  const delivery = createDelivery({
    queue_: queue,
    events_: events,
    clock_: clock,
    endpoint_: endpoint,
    writeKey_: writeKey,
    maxEvents_: maxEvents,
    maxWaitMs_: maxWaitMs,
    retry_: { baseMs, maxMs },
  });
  let consent = decideConsent(undefined, chosen, gpc);
  let held: TouchpointEvent[] = [];
  let seq = 0;
  let destroyed = false;
  let autoCapture: AutoCapture | undefined;

  function report(error: TrackerError): TrackResult {
    events.emit_('error', error);
    return { ok: false, error };
  }
  function invalid(message: string, issues: Issue[] = [{ path: '', message }]): TrackResult {
    return report({ code: 'invalid', message, issues });
  }
  /** `invalid` for a missing or mistyped argument, naming it. */
  const badArgument = (message: string, path: string, must: string) => invalid(message, [{ path, message: must }]);

  /** Applies decided consent to an event; `false` (and a `dropped` notice) when it may not be sent. */
  function admit(event: TouchpointEvent, decided: ConsentState): boolean {
    if (!allowedBy(decided, event)) {
      // Expected, not a fault: reported as dropped, not as an error.
      dropped('consent', [event.messageId]);
      return false;
    }
    event.context!.consent = decided;
    return true;
  }

  function keep(event: TouchpointEvent, json = JSON.stringify(event), bytes = byteLength(json)): void {
    queue.add_({
      key_: `${ownership.id_}:${(seq++).toString(36).padStart(8, '0')}`,
      messageId_: event.messageId,
      json_: json,
      bytes_: bytes,
    });
    delivery.added_();
  }

  /** Checks and serialises an event once; stores it, or holds it while consent is pending. */
  function accept(event: TouchpointEvent): TrackResult {
    if (consent !== 'pending' && !admit(event, consent))
      return { ok: false, error: { code: 'consent', message: `no analytics consent for ${event.type}` } };
    let json: string;
    try {
      json = JSON.stringify(event);
    } catch {
      return invalid('properties must be JSON (no cycles or BigInt)');
    }
    const bytes = byteLength(json);
    if (bytes > MAX_EVENT_BYTES) return invalid(`event is ${bytes} bytes, over ${MAX_EVENT_BYTES}`);
    events.emit_('event', event);
    // Held events obey the queue's cap too: a consent banner left unanswered must not grow memory.
    if (consent === 'pending') {
      if (held.push(event) > queueCap) dropped('queue_full', [held.shift()!.messageId]);
    } else keep(event, json, bytes);
    return { ok: true, messageId: event.messageId };
  }

  function envelope<T extends TouchpointEvent['type']>(type: T, page?: EventContext['page']) {
    const now = clock.now();
    const { session_: session, started_: started } = identity.touch_(now);
    if (started) autoCapture?.sessionStarted_();
    const context: EventContext = {
      library: LIBRARY,
      page: page ?? pageContext(w!),
      channel: 'web',
      locale: w!.navigator?.language || undefined,
      campaign: session.campaign,
    };
    return {
      type,
      messageId: createMessageId(),
      timestamp: new Date(now).toISOString(),
      anonymousId: identity.anonymousId_,
      userId: identity.userId_,
      sessionId: session.id,
      context,
    };
  }

  function record(
    name: string,
    properties?: JsonObject,
    stage?: JourneyStage,
    page?: EventContext['page'],
  ): TrackResult {
    if (notText(name)) return badArgument('track() needs a touchpoint name', 'event', 'must be a non-empty string');
    if (
      properties !== undefined &&
      (typeof properties !== 'object' || properties === null || Array.isArray(properties))
    ) {
      return badArgument('properties must be an object', 'properties', 'must be a plain object');
    }
    const def = getTouchpoint(catalog, name);
    const event: TouchpointEvent = { ...envelope('track', page), event: name, properties };
    const at = def?.stage ?? stage;
    if (at) event.stage = at;
    if (def?.channel) event.channel = def.channel;
    return accept(event);
  }

  /** Records a decision as a `consent.updated` touchpoint, in a chunk loaded only when one is made. */
  const recordConsent = (decided: ConsentState, source?: 'api') =>
    import('./consent-record.js')
      .then((m) =>
        m.recordConsent({ kv_: kv, namespace_: namespace, record_: record, config_: config }, decided, source),
      )
      .catch(internal);

  function internal(error: unknown): TrackResult {
    return report({ code: 'internal', message: String(error) });
  }
  /** Public methods never throw into the host page: a fault is reported as `internal`. */
  function guard<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R | TrackResult {
    return (...args) => {
      try {
        return fn(...args);
      } catch (error) {
        return internal(error);
      }
    };
  }

  const tracker: Tracker<any> = {
    track: guard((name: string, properties?: JsonObject) => record(name, properties)),
    page: guard((properties?: JsonObject) => {
      // The page's name is its title, as in the event's `context.page`.
      return accept({ ...envelope('page'), name: w.document.title || undefined, properties });
    }),
    identify: guard((userId: string, traits?: JsonObject, identities?) => {
      if (notText(userId)) return badArgument('identify() needs a userId', 'userId', 'must be a non-empty string');
      const result = accept({ ...envelope('identify'), userId, traits, identities });
      if (result.ok) identity.setUserId_(userId);
      return result;
    }),
    feedback: guard((input) => {
      const checked = checkFeedback(input);
      // The message names the first problem; the result carries every issue.
      if (!checked.ok) return invalid(`${checked.issues[0]!.path}: ${checked.issues[0]!.message}`, checked.issues);
      return accept({ ...envelope('feedback'), feedback: checked.value, properties: input.properties });
    }),
    setConsent: guard((change: Partial<ConsentState>) => {
      consent = decideConsent(consent, change, gpc);
      if (consent === 'pending') return;
      const decided = consent;
      for (const event of held.splice(0)) if (admit(event, decided)) keep(event);
      void recordConsent(decided, 'api');
      events.emit_('consent', decided);
    }),
    getConsent: () => consent,
    getIds: () => ({
      anonymousId: identity.anonymousId_,
      userId: identity.userId_,
      sessionId: identity.touch_(clock.now()).session_.id,
    }),
    flush: () => delivery.flush_().catch(() => ({ ok: false, pending: queue.size_ })),
    reset() {
      held = [];
      identity.reset_();
      queue.clear_();
    },
    on: events.on_,
    destroy() {
      destroyed = true;
      autoCapture?.stop_();
      delivery.dispose_();
      clock.clearTimeout(adoptTimer);
      for (const [target, type, fn] of lifecycle) target.removeEventListener(type, fn);
      ownership.release_();
    },
  };

  // Lifecycle: page exit, connectivity, and adopting what closed tabs left behind.
  const lifecycle: [EventTarget, string, (e: any) => void][] = [
    [
      w,
      'pagehide',
      (e: PageTransitionEvent) => {
        delivery.exit_();
        if (!e.persisted) ownership.release_();
      },
    ],
    [w.document, 'visibilitychange', () => w.document.visibilityState === 'hidden' && delivery.exit_()],
    [w, 'online', () => delivery.resume_()],
  ];
  for (const [target, type, fn] of lifecycle) target.addEventListener(type, fn);
  let adoptTimer: unknown;
  const adopt = () => {
    import('./adopt-orphans.js')
      .then((m) => m.adoptOrphans(store!, queue, ownership))
      .then((count) => {
        if (count) void delivery.flush_();
      })
      .catch(storageError);
    adoptTimer = clock.setTimeout(adopt, 30_000); // every 30 s: tabs close at any time
  };
  if (store) void ownership.ready_.then(adopt);

  // Auto-capture loads after the first load; a session that starts now is handed over to it.
  const sessionStarted = identity.touch_(clock.now()).started_;
  // A decision the tracker starts with (the shop's saved banner choice) is recorded, and so is
  // Global Privacy Control turning marketing off; the default "everything granted" is no decision.
  // After `sessionStarted` is read: the auto-capture must still see this session's start.
  if (consent !== 'pending' && (chosen || (gpc && gpcSignal()))) void recordConsent(consent);
  if (anyCapture(auto)) {
    import('./auto-capture.js')
      .then(({ startAutoCapture }) => {
        if (destroyed) return;
        autoCapture = startAutoCapture({
          auto_: auto,
          identity_: identity,
          sessionStarted_: sessionStarted,
          record_: record,
          page_: tracker.page,
          onError_: internal,
        });
      })
      .catch(internal);
  }
  return tracker as Tracker<C>;
}
