/**
 * `@touchpoint/core` — what every Touchpoint package shares: the wire-format types, journey
 * stages, channels, feedback rules, the typed touchpoint catalog, ids, and platform-free
 * batching/retry primitives. Types, constants and small pure functions only: this entry is what
 * the browser tracker's first load pays for. Schemas live in `@touchpoint/core/schema`.
 */
export {
  type BackoffOptions,
  backoffDelay,
  createRetryPolicy,
  MAX_RETRY_AFTER_MS,
  parseRetryAfter,
  type RetryDecision,
  type RetryPolicy,
  type RetryPolicyOptions,
  retryable,
} from './backoff.js';
export { type Batcher, type BatcherOptions, chunkBySize, createBatcher } from './batcher.js';
export {
  catalogToMarkdown,
  checkTouchpointProperties,
  defineTouchpoints,
  getTouchpoint,
  type PropertiesArg,
  type PropsOf,
  props,
  type TouchpointCatalog,
  TouchpointConfigError,
  type TouchpointDefinition,
  type TouchpointDefinitions,
  type TouchpointName,
  type TouchpointProperties,
} from './catalog.js';
export { type Clock, systemClock } from './clock.js';
export { type CommerceTouchpoints, commerceTouchpoints } from './commerce-catalog.js';
export {
  type AliasEvent,
  type ConsentState,
  createMessageId,
  EVENT_TYPES,
  type EventBatch,
  type EventContext,
  type EventType,
  type FeedbackEvent,
  type FeedbackPayload,
  type IdentifyEvent,
  type Identity,
  isMessageId,
  type JsonObject,
  type JsonValue,
  type PageEvent,
  type TouchpointEvent,
  type TrackEvent,
} from './event.js';
export {
  checkFeedback,
  DEFAULT_RATING_SCALE,
  FEEDBACK_KINDS,
  FEEDBACK_SCALES,
  type FeedbackInput,
  type FeedbackKind,
  feedbackSentiment,
  isNegativeFeedback,
  MAX_COMMENT_LENGTH,
  MAX_TAGS,
  type NpsCategory,
  npsCategory,
  type Sentiment,
  validateFeedback,
} from './feedback.js';
export {
  MAX_BATCH_BYTES,
  MAX_BATCH_EVENTS,
  MAX_BEACON_BYTES,
  MAX_DEPTH,
  MAX_EVENT_BYTES,
  MAX_KEYS,
  MAX_STRING_LENGTH,
  utf8Length,
  WIRE_VERSION,
} from './limits.js';
export { hashIdentity, normalizeEmail, normalizePhone, sha256Hex } from './privacy.js';
export { formatIssues, type Issue, joinPath, type Result } from './result.js';
export { inSurveySample, surveyHash } from './sampling.js';
export {
  CHANNELS,
  type Channel,
  isChannel,
  isJourneyStage,
  JOURNEY_STAGES,
  type JourneyStage,
  type KnownChannel,
} from './stages.js';
export type { StandardSchemaV1 } from './standard-schema.js';
