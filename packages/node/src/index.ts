/**
 * `@touchpoint/node` — receive the browser SDK's batches, add server-side touchpoints, and
 * forward everything to the backends each team uses, fast and without loss.
 */
export { stampReceived } from './clock-skew.js';
export type { CorsOptions } from './cors.js';
export { applyDataPolicy } from './data-policy.js';
export type { DeadLetterRecord } from './dead-letter.js';
export {
  createMemoryDedupeStore,
  type DedupeStore,
  type MemoryDedupeStore,
  type MemoryDedupeStoreOptions,
} from './dedupe-store.js';
export type { DestinationStats } from './destination-queue.js';
export type { ErasureMessage } from './destinations/erasure-message.js';
export type { FnDestinationOptions } from './destinations/fn.js';
export type { HttpDestinationOptions, HttpEraseHook, HttpEraseTools } from './destinations/http.js';
export { destinations } from './destinations/index.js';
export type { JsonlDestinationOptions } from './destinations/jsonl.js';
export { jsonlErasure } from './destinations/jsonl-erase.js';
export type { NatsDestinationOptions } from './destinations/nats.js';
export type { CommonDestinationOptions } from './destinations/options.js';
export { type SegmentDestinationOptions, type SegmentEraseOptions, toSegmentMessage } from './destinations/segment.js';
export { type WebhookDestinationOptions, webhookDeliveryId } from './destinations/webhook.js';
export {
  generateWebhookSecret,
  signStandardWebhook,
  signWebhook,
  type VerifyWebhookOptions,
  type VerifyWebhookResult,
  verifyWebhook,
  type WebhookScheme,
} from './destinations/webhook-signature.js';
export {
  type AcceptResult,
  type CloseSummary,
  createForwarder,
  type Forwarder,
  type ForwarderOptions,
  type ForwarderStats,
  type ReplaySummary,
  type ServerFeedback,
  type ServerIdentify,
  type ServerTrack,
} from './forwarder.js';
export { FORWARDER_DEFAULTS } from './forwarder-config.js';
export {
  createIngestHandler,
  type IngestHandler,
  type IngestHandlerOptions,
  type IngestRequestInfo,
} from './ingest-handler.js';
export type { IngestCommonOptions } from './ingest-setup.js';
export { type FileLogOptions, fileLog } from './log/file-log.js';
export { type JetStreamLogOptions, jetStreamLog } from './log/jetstream-log.js';
export { type MemoryLogOptions, memoryLog } from './log/memory-log.js';
export type {
  AppendResult,
  EventLog,
  LogMessage,
  LogReader,
  LogStats,
  ReadLimits,
} from './log/types.js';
export { toNodeHandler } from './node-handler.js';
export { readBodyLimited } from './read-body.js';
export {
  createRedisDedupeStore,
  type RedisClientLike,
  type RedisDedupeStats,
  type RedisDedupeStore,
  type RedisDedupeStoreOptions,
  type RedisPipelineLike,
} from './redis-dedupe-store.js';
export { type FeedbackAlert, type FeedbackAlertOptions, feedbackAlert } from './rules/feedback-alert.js';
export {
  createSegmentIngestHandler,
  type SegmentIngestHandler,
  type SegmentIngestOptions,
} from './segment-ingest.js';
export { fromSegmentMessage, type SegmentBatchDefaults, type SegmentCall } from './segment-mapping.js';
export type {
  BatchOptions,
  DataPolicy,
  DeliveryResult,
  Destination,
  DropReason,
  DropReport,
  ForwarderError,
  Rule,
  RuleContext,
} from './types.js';
