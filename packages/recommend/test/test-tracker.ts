/**
 * A small working tracker with the surface `connectUpsell` relies on (the contract the browser
 * tracker implements): accepted events go to `on('event')` synchronously, consent changes to
 * `on('consent')`. Events are built like the real tracker builds them, timed by the given clock.
 */
import type { Clock, ConsentState, FeedbackInput, JsonObject, TouchpointEvent } from '@touchpoint/core';
import { createMessageId, feedbackSentiment } from '@touchpoint/core';

type Listeners = { event: ((e: TouchpointEvent) => void)[]; consent: ((c: ConsentState) => void)[] };

export function createTestTracker(
  clock: Clock,
  options: { consent?: ConsentState | 'pending'; timezone?: string } = {},
) {
  let consent: ConsentState | 'pending' = options.consent ?? {
    analytics: true,
    personalization: true,
    marketing: false,
  };
  const ids: { anonymousId: string; userId?: string; sessionId: string } = { anonymousId: 'anon-1', sessionId: 's1' };
  const listeners: Listeners = { event: [], consent: [] };
  const sent: TouchpointEvent[] = [];

  function emit(partial: Record<string, unknown>): TouchpointEvent {
    const event = {
      messageId: createMessageId(),
      timestamp: new Date(clock.now()).toISOString(),
      anonymousId: ids.anonymousId,
      sessionId: ids.sessionId,
      ...(ids.userId ? { userId: ids.userId } : {}),
      ...(options.timezone ? { context: { timezone: options.timezone } } : {}),
      ...partial,
    } as TouchpointEvent;
    // Like the real tracker: without analytics consent, track/page are not accepted.
    const allowed = event.type === 'feedback' || (consent !== 'pending' && consent.analytics);
    if (!allowed) return event;
    sent.push(event);
    for (const fn of listeners.event.slice()) fn(event);
    return event;
  }

  return {
    sent,
    /** Names of the touchpoints tracked, in order. */
    names: () => sent.map((e) => (e.type === 'track' ? e.event : e.type)),
    track(name: string, properties: Record<string, unknown> = {}) {
      const e = emit({ type: 'track', event: name, properties: properties as JsonObject });
      return { ok: true as const, messageId: e.messageId };
    },
    page(properties: JsonObject = {}) {
      emit({ type: 'page', properties });
    },
    identify(userId: string) {
      ids.userId = userId;
      emit({ type: 'identify', userId });
    },
    feedback(input: FeedbackInput) {
      emit({ type: 'feedback', feedback: { ...input, sentiment: feedbackSentiment(input) } });
    },
    /** Like the real tracker's `reset()`: new anonymous id and session, no user id. */
    reset() {
      ids.anonymousId = 'anon-2';
      ids.sessionId = 's-after-reset';
      delete ids.userId;
    },
    newSession(id: string) {
      ids.sessionId = id;
    },
    setConsent(next: ConsentState) {
      consent = next;
      for (const fn of listeners.consent.slice()) fn(next);
    },
    getConsent: () => consent,
    getIds: () => ({ ...ids }),
    on(type: 'event' | 'consent', fn: (value: any) => void): () => void {
      const list = listeners[type] as ((v: unknown) => void)[];
      list.push(fn);
      return () => {
        const i = list.indexOf(fn);
        if (i >= 0) list.splice(i, 1);
      };
    },
    listenerCount: () => listeners.event.length + listeners.consent.length,
  };
}
