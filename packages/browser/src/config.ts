/**
 * The single check of a configuration at creation, and which automatic captures it turns on.
 * (The numeric defaults are written once, where `createTracker` reads its configuration.)
 */

import type { AutoCaptureOptions, TrackerConfig } from './types.js';

type AutoCapture = TrackerConfig<any>['autoCapture'];
const CAPTURES = ['pageviews', 'campaigns', 'webVitals', 'firstVisit'] as const;

/** `true` unless `value` is a non-empty string. */
export const notText = (value: unknown): boolean => typeof value !== 'string' || !value;

/** A message naming the bad field, or `undefined` when the configuration is usable. */
export function checkConfig(config: TrackerConfig<any>): string | undefined {
  if (!config || notText(config.endpoint)) return 'endpoint must be a URL string';
  if (notText(config.writeKey)) return 'writeKey must be a non-empty string';
  if (config.policyVersion !== undefined && notText(config.policyVersion))
    return 'policyVersion must be a non-empty string';
}

/** Whether one automatic capture is on: all are by default, `false` turns all off. */
export const captures = (auto: AutoCapture, key: keyof AutoCaptureOptions): boolean =>
  auto !== false && (typeof auto !== 'object' || auto[key] !== false);

/** Whether any automatic capture is on (the auto-capture module is loaded only then). */
export const anyCapture = (auto: AutoCapture): boolean => CAPTURES.some((key) => captures(auto, key));
