/**
 * Wire format v1: the event envelope every package reads and writes.
 *
 * Types only (plus the tiny `createMessageId`), so the browser's first load carries no schema
 * library. The zod schemas that validate these shapes on servers live in `@touchpoint/core/schema`
 * and are checked against these types at compile time.
 */
import type { FeedbackPayload } from './feedback-types.js';
import type { Channel, JourneyStage } from './stages.js';

/** Any JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** A JSON object, as used for `properties`, `traits` and free-form context. */
export type JsonObject = { [key: string]: JsonValue };

export const EVENT_TYPES = ['track', 'page', 'identify', 'alias', 'feedback'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Consent categories. `analytics` gates track/page; `personalization` gates recommendations. */
export interface ConsentState {
  analytics: boolean;
  personalization: boolean;
  marketing: boolean;
}

export interface EventContext {
  library?: { name: string; version: string };
  page?: { url?: string; path?: string; referrer?: string; title?: string; search?: string };
  /** UTM parameters, captured once per session as the awareness-stage source. */
  campaign?: { source?: string; medium?: string; name?: string; term?: string; content?: string };
  locale?: string;
  /** IANA time zone, e.g. `Europe/Berlin`. */
  timezone?: string;
  userAgent?: string;
  screen?: { width?: number; height?: number; density?: number };
  consent?: ConsentState;
  channel?: Channel;
  /** Set by servers only. */
  ip?: string;
  /** Anything else the integration wants to carry. */
  extra?: JsonObject;
}

interface EnvelopeBase {
  /** Stable id (UUID v4). Retries and beacons resend the same id, so servers can dedupe. */
  messageId: string;
  /** When it happened, ISO 8601, by the client's clock (servers correct skew from `sentAt`). */
  timestamp: string;
  /** When the client sent it, ISO 8601 (set per attempt). */
  sentAt?: string;
  /** When a server received it, ISO 8601 (set by servers only). */
  receivedAt?: string;
  /**
   * The browser's device id; every browser event has one. A server-side event may carry only
   * `userId` (a known customer needs no anonymous id), so servers accept either, never neither.
   */
  anonymousId?: string;
  userId?: string;
  sessionId?: string;
  /**
   * The support case this event belongs to (a message, a promise, a survey answer about it), so a
   * case's whole story can be read across channels. `@touchpoint/node/cases` also reads
   * `properties.caseId`.
   */
  caseId?: string;
  context?: EventContext;
}

/** A touchpoint: something the customer did or met. */
export interface TrackEvent extends EnvelopeBase {
  type: 'track';
  /** Touchpoint name, e.g. `cart.item_added`. */
  event: string;
  properties?: JsonObject;
  /** Stage and channel from the catalog, stamped by the SDK so servers need no catalog. */
  stage?: JourneyStage;
  channel?: Channel;
}

export interface PageEvent extends EnvelopeBase {
  type: 'page';
  name?: string;
  properties?: JsonObject;
}

/**
 * One of the customer's accounts or contact points. A customer has many (an email, a phone, a
 * marketplace account); linking them lets a shop join journeys across channels.
 * Set `hashed: true` when `value` is a SHA-256 hex digest (see `hashIdentity`).
 */
export interface Identity {
  /** `email`, `phone`, or an account kind such as `shopify`, `amazon`, `loyalty`. */
  type: string;
  value: string;
  hashed?: boolean;
  /** For accounts on another platform: which one. */
  provider?: string;
}

export interface IdentifyEvent extends EnvelopeBase {
  type: 'identify';
  userId: string;
  traits?: JsonObject;
  identities?: Identity[];
}

/** Links a previous id (often the anonymous id) to a user id. */
export interface AliasEvent extends EnvelopeBase {
  type: 'alias';
  userId: string;
  previousId: string;
}

export type { FeedbackPayload } from './feedback-types.js';

export interface FeedbackEvent extends EnvelopeBase {
  type: 'feedback';
  feedback: FeedbackPayload;
  properties?: JsonObject;
}

export type TouchpointEvent = TrackEvent | PageEvent | IdentifyEvent | AliasEvent | FeedbackEvent;

/** What the browser POSTs and the ingest accepts. */
export interface EventBatch {
  batch: TouchpointEvent[];
  /** When this attempt was sent, ISO 8601, by the client's clock. */
  sentAt: string;
  /** Wire-format version (1). */
  v?: number;
  /** For `sendBeacon`, which cannot set headers. */
  writeKey?: string;
}

/**
 * A new message id: a UUID v4 from `crypto.randomUUID` where available (secure contexts), else
 * from `crypto.getRandomValues`, so ids stay unguessable on plain-http development pages too.
 */
export function createMessageId(): string {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  const b = new Uint8Array(16);
  if (c) c.getRandomValues(b);
  else for (let i = 0; i < 16; i++) b[i] = Math.random() * 256;
  b[6] = (b[6]! & 15) | 64; // version 4
  b[8] = (b[8]! & 63) | 128; // RFC 4122 variant
  let hex = '';
  for (const x of b) hex += (x + 256).toString(16).slice(1);
  return hex.replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `true` for a UUID in canonical text form (any version). */
export function isMessageId(value: unknown): value is string {
  return typeof value === 'string' && UUID_RE.test(value);
}
