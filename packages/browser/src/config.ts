/**
 * The tracker's defaults, in one place, and the single check of a configuration at creation.
 */

import type { AutoCaptureOptions, TrackerConfig } from './types.js';

export const DEFAULTS = {
  /** Events per batch. */
  maxEvents: 20,
  /** Wait before sending a batch that is not full. */
  maxWaitMs: 2000,
  retry: { baseMs: 1000, maxMs: 60_000 },
  queue: { maxEvents: 1000, maxBytes: 2_000_000 },
  sessionTimeoutMinutes: 30,
};

/** A message naming the bad field, or `undefined` when the configuration is usable. */
export function checkConfig(config: TrackerConfig<any>): string | undefined {
  if (!config || typeof config.endpoint !== 'string' || !config.endpoint) return 'endpoint must be a URL string';
  if (typeof config.writeKey !== 'string' || !config.writeKey) return 'writeKey must be a non-empty string';
}

/** Which automatic captures are on: all by default, `false` for none, or one by one. */
export function captureOptions(auto: TrackerConfig<any>['autoCapture']): Required<AutoCaptureOptions> {
  const on = (key: keyof AutoCaptureOptions) => auto !== false && (typeof auto !== 'object' || auto[key] !== false);
  return {
    pageviews: on('pageviews'),
    campaigns: on('campaigns'),
    webVitals: on('webVitals'),
    firstVisit: on('firstVisit'),
  };
}
