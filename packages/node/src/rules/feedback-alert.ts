/**
 * Closed-loop feedback: negative feedback (by core's sentiment) goes straight to the team that
 * owns the touchpoint it is about — at once, not on the batch timer — with the comment and the
 * customer's recent touchpoints, so someone can follow up while it still matters. Repeats (a
 * resent beacon, the same complaint twice) are notified once within `dedupeMs`.
 */
import {
  type FeedbackEvent,
  getTouchpoint,
  isNegativeFeedback,
  TouchpointConfigError,
  type TouchpointDefinition,
  type TouchpointDefinitions,
  type TouchpointEvent,
} from '@touchpoint/core';
import type { Rule } from '../types.js';

export interface FeedbackAlert {
  /** Owner of the touchpoint from the catalog; `undefined` when it has none. */
  owner: string | undefined;
  feedback: FeedbackEvent['feedback'];
  event: FeedbackEvent;
  /** The customer's latest touchpoints before this feedback, oldest first. */
  recent: TouchpointEvent[];
  /** Catalog entry of the touchpoint the feedback is about. */
  touchpoint: (TouchpointDefinition & { name: string }) | undefined;
}

export interface FeedbackAlertOptions {
  /** Which feedback to act on (default: core's `isNegativeFeedback`). */
  when?: (event: FeedbackEvent) => boolean;
  notify: (alert: FeedbackAlert) => void | Promise<void>;
  /** Where owners come from: each touchpoint's `owner`. */
  catalog?: TouchpointDefinitions;
  /** How many recent touchpoints to include (default 5). */
  recentTouchpoints?: number;
  /** Same customer, touchpoint and kind within this window is notified once (default 24 h). */
  dedupeMs?: number;
  /** Customers whose recent touchpoints are remembered; the least recent are forgotten (default 10 000). */
  maxCustomers?: number;
}

/**
 * @example
 * createForwarder({
 *   destinations,
 *   rules: [feedbackAlert({ catalog: touchpoints, notify: ({ owner, feedback }) => slack.post(owner, feedback.comment) })],
 * });
 */
export function feedbackAlert(options: FeedbackAlertOptions): Rule {
  if (typeof options?.notify !== 'function')
    throw new TouchpointConfigError('feedbackAlert.notify', 'must be a function receiving the alert');
  const when = options.when ?? ((event: FeedbackEvent) => isNegativeFeedback(event.feedback));
  const keep = options.recentTouchpoints ?? 5;
  const dedupeMs = options.dedupeMs ?? 24 * 3_600_000;
  const maxCustomers = options.maxCustomers ?? 10_000;
  // Map order doubles as recency: a customer is re-inserted on every event.
  const recentByCustomer = new Map<string, TouchpointEvent[]>();
  const notified = new Map<string, number>();

  function remember(key: string, event: TouchpointEvent): void {
    const list = recentByCustomer.get(key) ?? [];
    recentByCustomer.delete(key);
    list.push(event);
    if (list.length > keep) list.shift();
    recentByCustomer.set(key, list);
    if (recentByCustomer.size > maxCustomers) recentByCustomer.delete(recentByCustomer.keys().next().value!);
  }

  function recentFor(event: TouchpointEvent): TouchpointEvent[] {
    const seen = new Set<string>();
    const all: TouchpointEvent[] = [];
    for (const key of [event.anonymousId, event.userId]) {
      for (const e of (key !== undefined && recentByCustomer.get(key)) || []) {
        if (!seen.has(e.messageId)) {
          seen.add(e.messageId);
          all.push(e);
        }
      }
    }
    all.sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
    return all.slice(-keep);
  }

  return {
    name: 'feedbackAlert',
    onEvent(event, context) {
      if (event.type !== 'feedback') {
        if (keep > 0 && event.type !== 'alias') {
          if (event.anonymousId !== undefined) remember(event.anonymousId, event);
          if (event.userId !== undefined && event.userId !== event.anonymousId) remember(event.userId, event);
        }
        return;
      }
      if (!when(event)) return;
      const now = context.now();
      const key = `${event.userId ?? event.anonymousId}\u0000${event.feedback.touchpoint ?? ''}\u0000${event.feedback.kind}`;
      const last = notified.get(key);
      if (last !== undefined && now - last < dedupeMs) return;
      notified.delete(key);
      notified.set(key, now);
      if (notified.size > maxCustomers) notified.delete(notified.keys().next().value!);
      const name = event.feedback.touchpoint;
      const def = name !== undefined ? getTouchpoint(options.catalog, name) : undefined;
      return Promise.resolve(
        options.notify({
          owner: def?.owner,
          feedback: event.feedback,
          event,
          recent: recentFor(event),
          touchpoint: def && name !== undefined ? { ...def, name } : undefined,
        }),
      );
    },
  };
}
