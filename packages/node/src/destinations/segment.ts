/**
 * `destinations.segment`: the Segment HTTP Tracking API's `/v1/batch` shape, which RudderStack,
 * Jitsu and other Segment-compatible pipelines accept too. Touchpoint-only concepts are mapped
 * onto Segment's: feedback becomes a `Feedback Submitted` track call, and stage, channel and
 * session travel as properties and context.
 *
 * Erasure (`erase: { token }`) creates a Segment *regulation* through the Segment Public API:
 * `POST https://api.segmentapis.com/regulations` (the whole workspace) or
 * `/regulations/sources/{sourceId}` (one source), `Authorization: Bearer <Public API token>`,
 * body `{ regulationType: 'SUPPRESS_WITH_DELETE', subjectType: 'USER_ID', subjectIds }`; Segment
 * answers `{ data: { regulateId } }` and deletes asynchronously. Segment regulates by `userId`
 * only (its `subjectType` is `USER_ID` or `OBJECT_ID`, the latter for cloud-source objects):
 * anonymous ids cannot be deleted through it. A customer with no user id is recorded as failed
 * with that reason, and the done answer says how many anonymous ids Segment keeps — erase those
 * in Segment by hand. EU workspaces use `url: 'https://eu1.api.segmentapis.com/regulations'`.
 */
import { TouchpointConfigError, type TouchpointEvent } from '@touchpoint/core';
import { jsonArrayBody } from '../event-json.js';
import type { ErasureRequest } from '../privacy/subject.js';
import type { DeliveryResult, Destination } from '../types.js';
import { checkUrl, createPoster, type Poster, type PostResult } from './http-post.js';
import { type CommonDestinationOptions, withCommon } from './options.js';

export interface SegmentDestinationOptions extends CommonDestinationOptions {
  writeKey: string;
  /** API host (default `https://api.segment.io`; e.g. your RudderStack data plane URL). */
  host?: string;
  /** Path of the batch endpoint (default `/v1/batch`). */
  path?: string;
  /** The whole batch endpoint URL, instead of `host` and `path` (e.g. a proxy's). */
  url?: string;
  /** Event name for feedback (default `Feedback Submitted`). */
  feedbackEventName?: string;
  /** Erasure through Segment's Public API (see the module comment); without it, erasures record `unsupported`. */
  erase?: SegmentEraseOptions;
}

export interface SegmentEraseOptions {
  /** A Segment Public API token (Workspace settings → Access Management → Tokens), not the write key. */
  token: string;
  /** Regulate one source only (`/regulations/sources/{sourceId}`); default: the whole workspace. */
  sourceId?: string;
  /**
   * Where the regulation is POSTed (default `https://api.segmentapis.com/regulations`, or
   * `…/regulations/sources/{sourceId}`); an EU workspace: `https://eu1.api.segmentapis.com/regulations`.
   */
  url?: string;
  /**
   * `SUPPRESS_WITH_DELETE` (default): delete, and drop whatever Segment receives for these user
   * ids from now on. `DELETE_ONLY`: delete, and let the user id be used again.
   */
  regulationType?: 'SUPPRESS_WITH_DELETE' | 'DELETE_ONLY';
}

type SegmentMessage = Record<string, unknown>;

/** Maps one Touchpoint event to a Segment message. */
export function toSegmentMessage(event: TouchpointEvent, feedbackEventName = 'Feedback Submitted'): SegmentMessage {
  const { extra, channel, ...context } = event.context ?? {};
  const segmentContext: Record<string, unknown> = { ...extra, ...context };
  if (channel !== undefined) segmentContext.channel = channel;
  if (event.sessionId !== undefined) segmentContext.sessionId = event.sessionId;
  const base: SegmentMessage = {
    messageId: event.messageId,
    timestamp: event.timestamp,
    anonymousId: event.anonymousId,
    ...(event.userId !== undefined && { userId: event.userId }),
    ...(event.sentAt !== undefined && { sentAt: event.sentAt }),
    ...(event.receivedAt !== undefined && { receivedAt: event.receivedAt }),
    context: segmentContext,
  };
  switch (event.type) {
    case 'track':
      return {
        ...base,
        type: 'track',
        event: event.event,
        properties: {
          ...event.properties,
          ...(event.stage !== undefined && { stage: event.stage }),
          ...(event.channel !== undefined && { channel: event.channel }),
        },
      };
    case 'page':
      return {
        ...base,
        type: 'page',
        ...(event.name !== undefined && { name: event.name }),
        properties: { ...event.properties },
      };
    case 'identify':
      return {
        ...base,
        type: 'identify',
        traits: { ...event.traits, ...(event.identities !== undefined && { identities: event.identities }) },
      };
    case 'alias':
      return { ...base, type: 'alias', previousId: event.previousId };
    case 'feedback': {
      const f = event.feedback;
      return {
        ...base,
        type: 'track',
        event: feedbackEventName,
        properties: {
          ...event.properties,
          kind: f.kind,
          ...(f.score !== undefined && { score: f.score }),
          ...(f.scale !== undefined && { scale: f.scale }),
          ...(f.comment !== undefined && { comment: f.comment }),
          ...(f.touchpoint !== undefined && { touchpoint: f.touchpoint }),
          ...(f.tags !== undefined && { tags: f.tags }),
          ...(f.sentiment !== undefined && { sentiment: f.sentiment }),
          ...(f.npsCategory !== undefined && { npsCategory: f.npsCategory }),
        },
      };
    }
  }
}

/**
 * @example
 * destinations.segment({ writeKey: process.env.SEGMENT_WRITE_KEY!, policy: { hash: ['traits.email'] } });
 */
export function segment(options: SegmentDestinationOptions): Destination {
  if (typeof options?.writeKey !== 'string' || options.writeKey === '')
    throw new TouchpointConfigError('segment.writeKey', 'must be your source write key');
  const url =
    options.url !== undefined
      ? checkUrl(options.url, 'segment.url')
      : new URL(options.path ?? '/v1/batch', checkUrl(options.host ?? 'https://api.segment.io', 'segment.host'));
  const poster = createPoster(url);
  const headers = {
    'content-type': 'application/json',
    authorization: `Basic ${Buffer.from(`${options.writeKey}:`).toString('base64')}`,
  };
  const feedbackName = options.feedbackEventName ?? 'Feedback Submitted';
  const regulator = options.erase === undefined ? undefined : createRegulator(options.erase);
  return withCommon('segment', options, {
    send(events, signal) {
      const jsons = events.map((event) => JSON.stringify(toSegmentMessage(event, feedbackName)));
      return poster.post(
        jsonArrayBody('{"batch":', jsons, `,"sentAt":"${new Date().toISOString()}"}`),
        headers,
        signal,
      );
    },
    ...(regulator && { erase: regulator.erase }),
    async close() {
      await poster.close();
      await regulator?.close();
    },
  });
}

/** The answer's `{ data: { regulateId } }`, or `undefined` when it has none. */
function regulateIdOf(body: string | undefined): string | undefined {
  try {
    const id = (JSON.parse(body ?? '') as { data?: { regulateId?: unknown } })?.data?.regulateId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

function createRegulator(options: SegmentEraseOptions): {
  erase(request: ErasureRequest, signal?: AbortSignal): Promise<DeliveryResult>;
  close(): Promise<void>;
} {
  if (typeof options !== 'object' || options === null)
    throw new TouchpointConfigError('segment.erase', 'must be { token, sourceId?, url? }');
  if (typeof options.token !== 'string' || options.token === '')
    throw new TouchpointConfigError('segment.erase.token', 'must be a Segment Public API token');
  if (options.sourceId !== undefined && (typeof options.sourceId !== 'string' || !/^\w+$/.test(options.sourceId)))
    throw new TouchpointConfigError('segment.erase.sourceId', 'must be a Segment source id (letters and digits)');
  const type = options.regulationType ?? 'SUPPRESS_WITH_DELETE';
  if (type !== 'SUPPRESS_WITH_DELETE' && type !== 'DELETE_ONLY')
    throw new TouchpointConfigError('segment.erase.regulationType', "must be 'SUPPRESS_WITH_DELETE' or 'DELETE_ONLY'");
  const url = checkUrl(
    options.url ?? `https://api.segmentapis.com/regulations${options.sourceId ? `/sources/${options.sourceId}` : ''}`,
    'segment.erase.url',
  );
  let poster: Poster | undefined;
  const headers = {
    'content-type': 'application/json',
    accept: 'application/vnd.segment.v1+json, application/json',
    authorization: `Bearer ${options.token}`,
  };
  return {
    async erase(request, signal) {
      const userIds = request.userIds;
      const anonymous = request.anonymousIds.length;
      if (userIds.length === 0) {
        return {
          ok: false,
          retryable: false,
          message: `Segment deletes by userId only and this customer has none; Segment keeps the events of their ${anonymous} anonymous id(s) — delete them in Segment by hand`,
        };
      }
      poster ??= createPoster(url);
      const body = JSON.stringify({ regulationType: type, subjectType: 'USER_ID', subjectIds: userIds });
      const answer: PostResult = await poster.post(body, headers, signal, { answer: true });
      if (!answer.ok) return failure(answer);
      const id = regulateIdOf(answer.body);
      const kept =
        anonymous > 0 ? `; Segment keeps the events of ${anonymous} anonymous id(s) (it regulates userIds only)` : '';
      return {
        ok: true,
        ...(answer.status !== undefined && { status: answer.status }),
        message: `Segment regulation ${id ?? '(no regulateId in the answer)'}: ${type} of ${userIds.length} userId(s), deleted by Segment asynchronously${kept}`,
      };
    },
    async close() {
      await poster?.close();
    },
  };
}

/** A failed answer as a delivery result; Segment's rate-limit reset stands in for a missing Retry-After. */
function failure(answer: PostResult): DeliveryResult {
  const reset = answer.headers?.['x-regulation-ratelimit-quota-reset'];
  const resetAt = typeof reset === 'string' ? Date.parse(reset) : Number.NaN;
  const retryAfter = answer.retryAfter ?? (Number.isFinite(resetAt) ? new Date(resetAt).toUTCString() : null);
  return {
    ok: false,
    ...(answer.status !== undefined && { status: answer.status }),
    retryAfter,
    ...(answer.message !== undefined && { message: answer.message }),
  };
}
