/**
 * `@touchpoint/browser` — record customer touchpoints and feedback in the storefront.
 * The feedback widget is a separate entry: `@touchpoint/browser/widget`.
 */
export { CONSENT_TOUCHPOINT } from './consent.js';
export { createTracker } from './tracker.js';
export type {
  AutoCaptureOptions,
  ConsentUpdatedProperties,
  DeliveredNotice,
  DroppedNotice,
  DropReason,
  FlushResult,
  Tracker,
  TrackerConfig,
  TrackerError,
  TrackerErrorCode,
  TrackerEvents,
  TrackerIds,
  TrackResult,
} from './types.js';
export { WEB_VITAL_TOUCHPOINT } from './web-vitals.js';
