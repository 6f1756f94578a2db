/**
 * Reads the case events off the forwarded stream: `case.opened`, `case.message`, `case.promised`,
 * `case.promise_kept`, `case.state` and `case.resolved` touchpoints, each with `properties.caseId`
 * (the envelope's `properties`, which every SDK and the ingest carry unchanged). One function
 * turns a `TouchpointEvent` into a checked `CaseEvent` or a `CaseInputError` saying which field was
 * wrong and what is allowed — nothing half-read reaches the database.
 */
import type { TouchpointEvent } from '@touchpoint/core';
import { CaseInputError } from './errors.js';
import type { IdentityRef } from './identity-key.js';

/** Conversation states the dashboards know; any other 1-64 character string is a custom state. */
export type CaseState = 'wants_to_buy' | 'wants_advice' | 'engaged_only' | (string & {});

interface Base {
  caseId: string;
  messageId: string;
  at: number;
  channel: string | undefined;
  agent: string | undefined;
  team: string | undefined;
  /** The customer's identifiers: userId, `properties.identities`, and a browser event's anonymousId. */
  identities: IdentityRef[];
}

export type CaseEvent =
  | (Base & { kind: 'opened'; topic: string | undefined; text: string | undefined })
  | (Base & { kind: 'message'; direction: 'in' | 'out'; text: string | undefined })
  | (Base & {
      kind: 'promised';
      what: string;
      owner: string | undefined;
      dueAt: number | undefined;
      withinBusinessMs: number | undefined;
    })
  | (Base & { kind: 'promise_kept'; what: string | undefined })
  | (Base & { kind: 'state'; state: CaseState })
  | (Base & { kind: 'resolved'; text: string | undefined });

export const CASE_EVENT_NAMES = [
  'case.opened',
  'case.message',
  'case.promised',
  'case.promise_kept',
  'case.state',
  'case.resolved',
] as const;

/** `true` for a track event named `case.*` that this module reads. */
export function isCaseEvent(event: TouchpointEvent): boolean {
  return event.type === 'track' && (CASE_EVENT_NAMES as readonly string[]).includes(event.event);
}

function bad(where: string, message: string): never {
  throw new CaseInputError('invalid_event', `${where}: ${message}`);
}

function optionalText(p: Record<string, unknown>, key: string, where: string, max = 2000): string | undefined {
  const v = p[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v.length > max)
    bad(where, `properties.${key} must be a string of at most ${max} characters`);
  return v;
}

/** Reads one case event; throws `CaseInputError` (`invalid_event`) naming the bad field. */
export function readCaseEvent(event: TouchpointEvent): CaseEvent {
  if (event.type !== 'track') bad(`${event.type} event`, 'case events are track events named case.*');
  const where = `${event.event} ${event.messageId}`;
  const p = (event.properties ?? {}) as Record<string, unknown>;
  // On the envelope (wire format v1's `caseId`), or in the properties as older senders put it.
  const caseId = event.caseId ?? p.caseId;
  if (typeof caseId !== 'string' || caseId === '' || caseId.length > 128)
    bad(where, 'caseId (on the event, or properties.caseId) must be a non-empty string of at most 128 characters');
  const at = Date.parse(event.timestamp);
  if (!Number.isFinite(at)) bad(where, `timestamp ${JSON.stringify(event.timestamp)} is not ISO 8601`);
  const identities: IdentityRef[] = [];
  if (event.userId !== undefined) identities.push({ userId: event.userId });
  if (p.identities !== undefined) {
    if (!Array.isArray(p.identities) || p.identities.length > 20)
      bad(
        where,
        'properties.identities must be an array of at most 20 identities ({ phone }, { email }, { channel, id } or { type, value })',
      );
    for (const ref of p.identities) identities.push(ref as IdentityRef);
  }
  // A browser's device id belongs to the customer; a server-side event's (no `context.library`, as
  // `forwarder.track` sends) may be one fixed id of a care-desk integration, which would join every
  // customer into one profile: servers name the customer through userId and properties.identities.
  const fromBrowser = event.context?.library !== undefined;
  if (fromBrowser && event.anonymousId !== undefined && event.anonymousId !== event.userId)
    identities.push({ anonymousId: event.anonymousId });
  const base: Base = {
    caseId,
    messageId: event.messageId,
    at,
    channel: optionalText(p, 'channel', where, 64) ?? event.channel ?? event.context?.channel,
    agent: optionalText(p, 'agent', where, 128),
    team: optionalText(p, 'team', where, 128),
    identities,
  };
  switch (event.event) {
    case 'case.opened':
      return {
        ...base,
        kind: 'opened',
        topic: optionalText(p, 'topic', where, 200)?.trim().toLowerCase(),
        text: optionalText(p, 'text', where),
      };
    case 'case.message': {
      const direction = p.direction ?? 'in';
      if (direction !== 'in' && direction !== 'out')
        bad(where, `properties.direction must be 'in' or 'out', got ${JSON.stringify(direction)}`);
      return { ...base, kind: 'message', direction, text: optionalText(p, 'text', where) };
    }
    case 'case.promised': {
      const what = optionalText(p, 'what', where, 500);
      if (!what) bad(where, 'properties.what must say what was promised');
      const due = p.dueAt;
      const dueAt = typeof due === 'number' ? due : typeof due === 'string' ? Date.parse(due) : undefined;
      const hours = p.withinBusinessHours;
      if (due !== undefined && !Number.isFinite(dueAt))
        bad(where, 'properties.dueAt must be an ISO 8601 time or epoch milliseconds');
      if (hours !== undefined && !(typeof hours === 'number' && hours > 0 && hours < 10_000))
        bad(where, 'properties.withinBusinessHours must be a positive number of hours');
      if (dueAt === undefined && hours === undefined)
        bad(where, 'a promise needs properties.dueAt or properties.withinBusinessHours');
      return {
        ...base,
        kind: 'promised',
        what,
        owner: optionalText(p, 'owner', where, 128) ?? base.agent,
        dueAt,
        withinBusinessMs: typeof hours === 'number' ? hours * 3_600_000 : undefined,
      };
    }
    case 'case.promise_kept':
      return { ...base, kind: 'promise_kept', what: optionalText(p, 'what', where, 500) };
    case 'case.state': {
      const state = p.state;
      if (typeof state !== 'string' || state === '' || state.length > 64)
        bad(
          where,
          "properties.state must be 'wants_to_buy', 'wants_advice', 'engaged_only' or a custom 1-64 character state",
        );
      return { ...base, kind: 'state', state };
    }
    case 'case.resolved':
      return { ...base, kind: 'resolved', text: optionalText(p, 'text', where) };
    default:
      return bad(where, `unknown case event; use one of ${CASE_EVENT_NAMES.join(', ')}`);
  }
}
