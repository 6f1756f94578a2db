/**
 * The last step both ingest endpoints share: drop repeats through the dedupe store, stamp
 * `receivedAt` and correct clock skew, record the client's IP, and hand the rest to
 * `forwarder.accept`. When the forwarder cannot keep them, the claims are released so the
 * client's retry of the same message ids is stored, not mistaken for a duplicate.
 */
import type { Clock, TouchpointEvent } from '@touchpoint/core';
import { stampReceived } from './clock-skew.js';
import type { DedupeStore } from './dedupe-store.js';
import type { AcceptResult, Forwarder } from './forwarder.js';

export interface StoreEventsOptions {
  forwarder: Pick<Forwarder<any>, 'accept'>;
  dedupe: DedupeStore;
  dedupeTtlMs: number;
  clock: Clock;
  onError: (error: { source: string; message: string; error?: unknown }) => void;
}

export type StoreResult = { ok: true; duplicates: number } | Extract<AcceptResult, { ok: false }>;

/**
 * @example
 * const store = createEventStore({ forwarder, dedupe, dedupeTtlMs: 86_400_000, clock, onError });
 * const stored = await store(batch, sentAt, info?.ip); // { ok: true, duplicates: 0 }
 */
export function createEventStore(
  options: StoreEventsOptions,
): (events: TouchpointEvent[], sentAt: string | undefined, ip: string | undefined) => Promise<StoreResult> {
  const { forwarder, dedupe, dedupeTtlMs, clock, onError } = options;
  return async (events, sentAt, ip) => {
    if (events.length === 0) return { ok: true, duplicates: 0 };
    let fresh = events;
    try {
      const isNew = await dedupe.claim(
        events.map((e) => e.messageId),
        dedupeTtlMs,
      );
      fresh = events.filter((_, i) => isNew[i]);
    } catch (error) {
      // Failing open: a duplicate downstream is better than a lost event.
      onError({ source: 'dedupe', message: `dedupe store failed, forwarding without it: ${String(error)}`, error });
    }
    stampReceived(fresh, sentAt, clock.now());
    if (ip !== undefined) for (const event of fresh) event.context = { ...event.context, ip };
    if (fresh.length > 0) {
      const appended = await forwarder.accept(fresh);
      if (!appended.ok) {
        // Nothing was kept: the client keeps the batch and retries; its ids must stay claimable.
        await dedupe.release?.(fresh.map((e) => e.messageId)).catch(() => {});
        onError({ source: 'log', message: `refused the batch: ${appended.message}` });
        return appended;
      }
    }
    return { ok: true, duplicates: events.length - fresh.length };
  };
}
