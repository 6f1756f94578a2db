/**
 * Builds the event for `forwarder.track()` — the hot path of server-side tracking — with checks
 * as strict as the wire schema's but without a generic schema walk: the envelope is built here,
 * so only the caller's strings and `properties` need checking (the latter with core's bounded
 * JSON walk, which also refuses prototype keys).
 */
import {
  type Clock,
  getTouchpoint,
  type Issue,
  type JsonObject,
  MAX_EVENT_BYTES,
  type TouchpointDefinitions,
  type TrackEvent,
} from '@touchpoint/core';
import { cleanJsonObject, formatPath, isoDateTime } from '@touchpoint/core/schema';
import { isoAt } from './event-json.js';
import { uuidV4 } from './uuid-v4.js';

export interface TrackInput {
  event: string;
  userId?: string;
  anonymousId?: string;
  messageId?: string;
  timestamp?: Date | string;
  sessionId?: string;
  properties?: unknown;
  channel?: string;
}

function id(value: unknown, field: string, issues: Issue[], max = 256): value is string {
  if (typeof value === 'string' && value.length > 0 && value.length <= max) return true;
  issues.push({ path: field, message: `${field} must be a string of 1-${max} characters` });
  return false;
}

/** The event and its JSON, or the issues. `context` is not accepted here (see `forwarder.enqueue`). */
export function buildTrack(
  input: TrackInput,
  catalog: TouchpointDefinitions | undefined,
  clock: Clock,
): { ok: true; event: TrackEvent; json: string } | { ok: false; issues: Issue[] } {
  const issues: Issue[] = [];
  if (typeof input !== 'object' || input === null)
    return { ok: false, issues: [{ path: '', message: 'track() needs an object like { userId, event, properties }' }] };
  id(input.event, 'event', issues, 128);
  if (input.userId === undefined && input.anonymousId === undefined)
    issues.push({ path: 'userId', message: 'give a userId or an anonymousId' });
  if (input.userId !== undefined) id(input.userId, 'userId', issues);
  if (input.anonymousId !== undefined) id(input.anonymousId, 'anonymousId', issues);
  if (input.sessionId !== undefined) id(input.sessionId, 'sessionId', issues);
  if (input.messageId !== undefined) id(input.messageId, 'messageId', issues, 128);
  if (input.channel !== undefined) id(input.channel, 'channel', issues, 64);
  const received = isoAt(clock.now());
  let timestamp = received;
  if (input.timestamp instanceof Date) {
    if (Number.isNaN(input.timestamp.getTime()))
      issues.push({ path: 'timestamp', message: 'timestamp is an invalid Date' });
    else timestamp = input.timestamp.toISOString();
  } else if (input.timestamp !== undefined) {
    if (isoDateTime.safeParse(input.timestamp).success) timestamp = input.timestamp;
    else
      issues.push({
        path: 'timestamp',
        message: 'timestamp must be a Date or an ISO 8601 date-time such as 2026-11-22T10:15:00.000Z',
      });
  }
  let properties: JsonObject | undefined;
  if (input.properties !== undefined) {
    const raw: { path: (string | number)[]; message: string }[] = [];
    properties = cleanJsonObject(input.properties, [], raw) as JsonObject | undefined;
    for (const issue of raw) issues.push({ path: formatPath('properties', issue.path), message: issue.message });
  }
  if (issues.length > 0) return { ok: false, issues };

  const def = getTouchpoint(catalog, input.event);
  const event: TrackEvent = {
    type: 'track',
    // uuid-v4.ts: the same v4 ids as crypto.randomUUID(), without its ~580 bytes of garbage each.
    messageId: input.messageId ?? uuidV4(),
    timestamp,
    receivedAt: received,
    event: input.event,
    channel: input.channel ?? def?.channel ?? 'server',
  };
  // Servers often know only the user: a userId alone identifies the customer (no made-up anonymousId).
  if (input.anonymousId !== undefined) event.anonymousId = input.anonymousId;
  if (input.userId !== undefined) event.userId = input.userId;
  if (input.sessionId !== undefined) event.sessionId = input.sessionId;
  if (properties !== undefined) event.properties = properties;
  if (def?.stage !== undefined) event.stage = def.stage;
  const json = JSON.stringify(event);
  // Worst case is 3 bytes per UTF-16 unit; measure exactly only when that could exceed the limit.
  if (json.length * 3 > MAX_EVENT_BYTES) {
    const bytes = Buffer.byteLength(json);
    if (bytes > MAX_EVENT_BYTES)
      return {
        ok: false,
        issues: [{ path: '', message: `event is ${bytes} bytes of JSON; at most ${MAX_EVENT_BYTES} are allowed` }],
      };
  }
  return { ok: true, event, json };
}
