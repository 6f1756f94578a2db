/**
 * Segment's calls (the HTTP Tracking API's messages) as Touchpoint events, losing nothing a
 * Segment client sent and renaming nothing a user named:
 *
 * - `track`, `page` and `alias` map onto the same Touchpoint types; `screen` becomes a `page`,
 *   and `identify` an `identify` when it has a `userId`. Calls Touchpoint has no type for — a
 *   `group`, an `identify` with only an `anonymousId` — become a `track` named `Group` /
 *   `Identify` whose properties are the call's traits, so nothing Segment would accept is refused.
 * - Context fields Touchpoint models (`library`, `page`, `campaign`, `locale`, `timezone`,
 *   `userAgent`, `screen`, `ip`, `channel`, `consent`) stay where they are when they fit its
 *   schema; every other context field (`device`, `os`, `app`, `traits`…) moves, under its own
 *   name, to `context.extra`.
 * - What a Segment call carries outside those shapes — `integrations`, a page's `category`, a
 *   group's `groupId`, the original call type when it changed, any other top-level field — is
 *   kept in `context.extra.segment`.
 * - Ids may be numbers (Segment accepts them): they become strings. A missing `messageId` gets
 *   one; an over-long one is replaced by its SHA-256, so retries still dedupe. A missing
 *   `timestamp` is the send time, so skew correction makes it the arrival time (Segment's rule).
 *
 * Only `writeKey` (a credential) and `_metadata` (analytics.js's bundling notes) are dropped.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Issue } from '@touchpoint/core';

export type SegmentCall = 'track' | 'page' | 'screen' | 'identify' | 'group' | 'alias';

/** Path names of the single-call endpoints, long and short (`/v1/t` is analytics.js's `track`). */
export const SEGMENT_CALLS: Readonly<Record<string, SegmentCall>> = {
  track: 'track',
  t: 'track',
  page: 'page',
  p: 'page',
  screen: 'screen',
  s: 'screen',
  identify: 'identify',
  i: 'identify',
  group: 'group',
  g: 'group',
  alias: 'alias',
  a: 'alias',
};

type Raw = Record<string, unknown>;

const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const isShortString = (max: number) => (v: unknown) => typeof v === 'string' && v.length <= max;
const stringFields = (keys: string[], max: number) => (v: unknown) =>
  isObject(v) && Object.entries(v).every(([k, x]) => keys.includes(k) && isShortString(max)(x));

/** Context fields Touchpoint's schema models, and whether a value fits it. */
const MODELED_CONTEXT: Record<string, (v: unknown) => boolean> = {
  library: (v) =>
    isObject(v) &&
    Object.keys(v).every((k) => k === 'name' || k === 'version') &&
    isShortString(128)(v.name) &&
    isShortString(64)(v.version),
  page: stringFields(['url', 'path', 'referrer', 'title', 'search'], 2048),
  campaign: stringFields(['source', 'medium', 'name', 'term', 'content'], 2048),
  locale: isShortString(64),
  timezone: isShortString(64),
  userAgent: isShortString(1024),
  screen: (v) =>
    isObject(v) &&
    Object.entries(v).every(
      ([k, x]) => (k === 'width' || k === 'height' || k === 'density') && typeof x === 'number' && Number.isFinite(x),
    ),
  ip: isShortString(64),
  channel: (v) => typeof v === 'string' && v.length > 0 && v.length <= 64,
  consent: (v) =>
    isObject(v) &&
    Object.keys(v).length === 3 &&
    ['analytics', 'personalization', 'marketing'].every((k) => typeof v[k] === 'boolean'),
};

/** The fields of one call type or another, and which each type's mapping places itself. */
const CALL_FIELDS = ['event', 'name', 'category', 'properties', 'traits', 'groupId', 'previousId'] as const;
const USES: Record<SegmentCall, readonly string[]> = {
  track: ['event', 'properties'],
  page: ['name', 'category', 'properties'],
  screen: ['name', 'category', 'properties'],
  identify: ['traits'],
  group: ['traits', 'groupId'],
  alias: ['previousId'],
};

/** Top-level fields the mapping places itself; any other goes to `context.extra.segment`. */
const PLACED = new Set([
  'type',
  'messageId',
  'timestamp',
  'sentAt',
  'anonymousId',
  'userId',
  'context',
  'integrations',
  'event',
  'name',
  'category',
  'properties',
  'traits',
  'groupId',
  'previousId',
  'writeKey',
  '_metadata',
]);

function idOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function isoOf(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const ms = typeof value === 'number' ? value : Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

function messageIdOf(value: unknown): string {
  const id = idOf(value);
  if (id === undefined) return randomUUID();
  return id.length <= 128 ? id : createHash('sha256').update(id).digest('hex');
}

function splitContext(context: unknown): { context: Raw; sessionId?: string } {
  const out: Raw = {};
  const extra: Raw = {};
  let sessionId: string | undefined;
  if (isObject(context)) {
    for (const [key, value] of Object.entries(context)) {
      if (value === undefined) continue;
      // Touchpoint's own Segment destination carries the session here; take it back.
      if (key === 'sessionId' && typeof value === 'string' && value !== '' && value.length <= 256) sessionId = value;
      else if (MODELED_CONTEXT[key]?.(value)) out[key] = value;
      else extra[key] = value;
    }
  }
  if (Object.keys(extra).length > 0) out.extra = extra;
  return sessionId === undefined ? { context: out } : { context: out, sessionId };
}

/** Batch-level `context` and `integrations` that `/v1/batch` applies to every message in it. */
export interface SegmentBatchDefaults {
  context?: unknown;
  integrations?: unknown;
  /** The batch's `sentAt`: the timestamp of a call that has none of its own. */
  sentAt?: string;
}

/**
 * A Segment message as a Touchpoint event, ready for core's `parseEvent` (which still checks it
 * against Touchpoint's limits). Returns issues only for what Segment itself refuses: no call
 * type, no user or anonymous id, a `track` without `event`, an `alias` without `previousId`.
 *
 * @example
 * fromSegmentMessage({ type: 'track', userId: 'u1', event: 'Order Completed', properties: { total: 30 } });
 * // { ok: true, event: { type: 'track', userId: 'u1', event: 'Order Completed', properties: { total: 30 }, … } }
 */
export function fromSegmentMessage(
  message: unknown,
  call?: SegmentCall,
  defaults: SegmentBatchDefaults = {},
): { ok: true; event: Raw } | { ok: false; issues: Issue[] } {
  if (!isObject(message)) return { ok: false, issues: [{ path: '', message: 'a Segment call must be an object' }] };
  const type = call ?? (typeof message.type === 'string' ? SEGMENT_CALLS[message.type] : undefined);
  if (type === undefined) {
    return {
      ok: false,
      issues: [
        {
          path: 'type',
          message: `type must be one of track, page, screen, identify, group, alias; got ${JSON.stringify(message.type) ?? 'undefined'}`,
        },
      ],
    };
  }
  const userId = idOf(message.userId);
  const anonymousId = idOf(message.anonymousId);
  if (userId === undefined && anonymousId === undefined)
    return { ok: false, issues: [{ path: 'userId', message: 'a Segment call needs a userId or an anonymousId' }] };

  const merged =
    isObject(defaults.context) && isObject(message.context)
      ? { ...defaults.context, ...message.context }
      : (message.context ?? defaults.context);
  const { context, sessionId } = splitContext(merged);
  const segment: Raw = {};
  const integrations =
    isObject(defaults.integrations) && isObject(message.integrations)
      ? { ...defaults.integrations, ...message.integrations }
      : (message.integrations ?? defaults.integrations);
  if (integrations !== undefined) segment.integrations = integrations;
  for (const [key, value] of Object.entries(message)) if (!PLACED.has(key) && value !== undefined) segment[key] = value;

  const sentAt = isoOf(message.sentAt);
  const event: Raw = {
    messageId: messageIdOf(message.messageId),
    // No timestamp: the send time, which skew correction turns into the arrival time.
    timestamp: isoOf(message.timestamp) ?? sentAt ?? isoOf(defaults.sentAt) ?? new Date().toISOString(),
    ...(sentAt !== undefined && { sentAt }),
    ...(anonymousId !== undefined && { anonymousId }),
    ...(userId !== undefined && { userId }),
    ...(sessionId !== undefined && { sessionId }),
  };
  const asTrack = (name: string, properties: unknown) => {
    segment.type = type;
    Object.assign(event, { type: 'track', event: name, ...(properties !== undefined && { properties }) });
  };

  switch (type) {
    case 'track':
      if (idOf(message.event) === undefined)
        return { ok: false, issues: [{ path: 'event', message: 'a track call needs an event name' }] };
      Object.assign(event, { type: 'track', event: idOf(message.event) });
      if (message.properties !== undefined) event.properties = message.properties;
      break;
    case 'page':
    case 'screen':
      event.type = 'page';
      if (type === 'screen') segment.type = 'screen';
      if (typeof message.name === 'string') event.name = message.name;
      else if (message.name !== undefined) segment.name = message.name;
      if (message.category !== undefined) segment.category = message.category;
      if (message.properties !== undefined) event.properties = message.properties;
      break;
    case 'identify':
      if (userId !== undefined) {
        event.type = 'identify';
        if (message.traits !== undefined) event.traits = message.traits;
      } else asTrack('Identify', message.traits);
      break;
    case 'group':
      if (message.groupId !== undefined) segment.groupId = message.groupId;
      asTrack('Group', message.traits);
      break;
    case 'alias': {
      const previousId = idOf(message.previousId);
      if (previousId === undefined || userId === undefined) {
        return {
          ok: false,
          issues: [{ path: 'previousId', message: 'an alias call needs a userId and a previousId' }],
        };
      }
      Object.assign(event, { type: 'alias', previousId });
      break;
    }
  }
  // Fields a call type does not use (traits on a track, properties on an identify) are kept too.
  for (const key of CALL_FIELDS) {
    if (message[key] !== undefined && !USES[type].includes(key)) segment[key] = message[key];
  }
  if (Object.keys(segment).length > 0) context.extra = { ...(context.extra as Raw | undefined), segment };
  if (Object.keys(context).length > 0) event.context = context;
  return { ok: true, event };
}
