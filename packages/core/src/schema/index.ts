/**
 * `@touchpoint/core/schema` — zod schemas and validating parsers for servers and tooling.
 * Kept off the main entry so the browser's first load never pays for zod.
 */
export {
  aliasEventSchema,
  batchEnvelopeSchema,
  channelSchema,
  consentSchema,
  contextSchema,
  eventSchema,
  feedbackEventSchema,
  feedbackSchema,
  identifyEventSchema,
  identitySchema,
  isoDateTime,
  journeyStageSchema,
  jsonObjectSchema,
  pageEventSchema,
  trackEventSchema,
} from './events.js';
export { cleanJsonObject, FORBIDDEN_KEYS, type JsonLimits } from './json-value.js';
export {
  formatPath,
  type ParseBatchOptions,
  type ParsedBatch,
  type ParseEventOptions,
  parseBatch,
  parseEvent,
  type RejectedEvent,
} from './parse.js';
