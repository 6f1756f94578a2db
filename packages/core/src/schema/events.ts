/**
 * zod schemas for wire format v1, for servers and tooling. The browser never loads this module.
 * Unknown keys on the envelope are stripped (forward compatibility); free-form objects
 * (`properties`, `traits`, `context.extra`) go through the bounded JSON walk.
 */
import * as z from 'zod';
import type { FeedbackPayload, JsonObject } from '../event.js';
import { validateFeedback } from '../feedback.js';
import { CHANNELS, JOURNEY_STAGES } from '../stages.js';
import { cleanJsonObject, type RawIssue } from './json-value.js';

const id = (what: string) =>
  z
    .string({ error: `${what} must be a string` })
    .min(1, `${what} must not be empty`)
    .max(256, `${what} must be at most 256 characters`);

/** ISO 8601 date-time with `Z` or an offset. */
export const isoDateTime = z.iso.datetime({
  offset: true,
  error: 'must be an ISO 8601 date-time such as 2026-11-22T10:15:00.000Z',
});

/** A free-form JSON object inside limits; prototype keys, deep nesting and huge values are rejected. */
export const jsonObjectSchema = z.unknown().transform((value, ctx): JsonObject => {
  const issues: RawIssue[] = [];
  const clean = cleanJsonObject(value, [], issues);
  for (const issue of issues)
    ctx.issues.push({ code: 'custom', message: issue.message, path: issue.path, input: value });
  return (clean ?? {}) as JsonObject;
});

export const journeyStageSchema = z.enum(JOURNEY_STAGES, { error: `must be one of ${JOURNEY_STAGES.join(', ')}` });
export const channelSchema = z
  .string()
  .min(1)
  .max(64)
  .describe(`one of ${CHANNELS.join(', ')} or a custom channel`);

export const consentSchema = z.object({
  analytics: z.boolean(),
  personalization: z.boolean(),
  marketing: z.boolean(),
});

const short = z.string().max(2048);

export const contextSchema = z.object({
  library: z.object({ name: z.string().max(128), version: z.string().max(64) }).optional(),
  page: z
    .object({
      url: short.optional(),
      path: short.optional(),
      referrer: short.optional(),
      title: short.optional(),
      search: short.optional(),
    })
    .optional(),
  campaign: z
    .object({
      source: short.optional(),
      medium: short.optional(),
      name: short.optional(),
      term: short.optional(),
      content: short.optional(),
    })
    .optional(),
  locale: z.string().max(64).optional(),
  timezone: z.string().max(64).optional(),
  userAgent: z.string().max(1024).optional(),
  screen: z
    .object({
      width: z.number().finite().optional(),
      height: z.number().finite().optional(),
      density: z.number().finite().optional(),
    })
    .optional(),
  consent: consentSchema.optional(),
  channel: channelSchema.optional(),
  ip: z.string().max(64).optional(),
  extra: jsonObjectSchema.optional(),
});

const envelope = {
  messageId: id('messageId').max(128, 'messageId must be at most 128 characters'),
  timestamp: isoDateTime,
  sentAt: isoDateTime.optional(),
  receivedAt: isoDateTime.optional(),
  anonymousId: id('anonymousId').optional(),
  userId: id('userId').optional(),
  sessionId: id('sessionId').optional(),
  caseId: id('caseId').max(128, 'caseId must be at most 128 characters').optional(),
  context: contextSchema.optional(),
};

export const trackEventSchema = z.object({
  ...envelope,
  type: z.literal('track'),
  event: z
    .string()
    .min(1, 'event (the touchpoint name) must not be empty')
    .max(128, 'event must be at most 128 characters'),
  properties: jsonObjectSchema.optional(),
  stage: journeyStageSchema.optional(),
  channel: channelSchema.optional(),
});

export const pageEventSchema = z.object({
  ...envelope,
  type: z.literal('page'),
  name: z.string().max(256).optional(),
  properties: jsonObjectSchema.optional(),
});

export const identitySchema = z.object({
  type: z.string().min(1).max(64),
  value: z.string().min(1).max(512),
  hashed: z.boolean().optional(),
  provider: z.string().max(128).optional(),
});

export const identifyEventSchema = z.object({
  ...envelope,
  type: z.literal('identify'),
  userId: id('userId'),
  traits: jsonObjectSchema.optional(),
  identities: z.array(identitySchema).max(20, 'at most 20 identities per identify').optional(),
});

export const aliasEventSchema = z.object({
  ...envelope,
  type: z.literal('alias'),
  userId: id('userId'),
  previousId: id('previousId'),
});

/** Feedback with core's rules applied; `sentiment` and `npsCategory` are recomputed, never trusted. */
export const feedbackSchema = z.unknown().transform((value, ctx): FeedbackPayload => {
  const result = validateFeedback(value, '');
  if (!result.ok) {
    for (const issue of result.issues) {
      ctx.issues.push({
        code: 'custom',
        message: issue.message,
        path: issue.path ? issue.path.split('.') : [],
        input: value,
      });
    }
    return z.NEVER;
  }
  return result.value;
});

export const feedbackEventSchema = z.object({
  ...envelope,
  type: z.literal('feedback'),
  feedback: feedbackSchema,
  properties: jsonObjectSchema.optional(),
});

/** Who the event is about: the browser's `anonymousId`, a known `userId`, or both — never neither. */
export const eventSchema = z
  .discriminatedUnion('type', [
    trackEventSchema,
    pageEventSchema,
    identifyEventSchema,
    aliasEventSchema,
    feedbackEventSchema,
  ])
  .check((ctx) => {
    if (ctx.value.anonymousId === undefined && ctx.value.userId === undefined) {
      ctx.issues.push({
        code: 'custom',
        message: 'give an anonymousId or a userId (a userId alone identifies a known customer)',
        path: ['anonymousId'],
        input: ctx.value,
      });
    }
  });

export const batchEnvelopeSchema = z.object({
  batch: z.array(z.unknown()),
  sentAt: isoDateTime,
  v: z.number().int().optional(),
  writeKey: z.string().max(256).optional(),
});
