/**
 * The tracker `createTracker` returns where it cannot work: on a server (SSR), or with a
 * configuration it cannot use. Every method is harmless and answers with the same error.
 */
import type { Tracker, TrackerError, TrackResult } from './types.js';

export function createUnavailableTracker(error: TrackerError): Tracker<any> {
  const fail = (): TrackResult => ({ ok: false, error });
  return {
    track: fail,
    page: fail,
    identify: fail,
    feedback: fail,
    setConsent() {},
    getConsent: () => 'pending',
    getIds: () => ({ anonymousId: '', sessionId: '' }),
    flush: async () => ({ ok: false, pending: 0 }),
    reset() {},
    on: () => () => {},
    destroy() {},
  };
}
