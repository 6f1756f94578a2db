/**
 * `destinations.segment`: the Segment HTTP Tracking API's `/v1/batch` shape, which RudderStack,
 * Jitsu and other Segment-compatible pipelines accept too. Touchpoint-only concepts are mapped
 * onto Segment's: feedback becomes a `Feedback Submitted` track call, and stage, channel and
 * session travel as properties and context.
 */
import { TouchpointConfigError, type TouchpointEvent } from '@touchpoint/core';
import { jsonArrayBody } from '../event-json.js';
import type { Destination } from '../types.js';
import { checkUrl, createPoster } from './http-post.js';
import { type CommonDestinationOptions, withCommon } from './options.js';

export interface SegmentDestinationOptions extends CommonDestinationOptions {
  writeKey: string;
  /** API host (default `https://api.segment.io`; e.g. your RudderStack data plane URL). */
  host?: string;
  /** Path of the batch endpoint (default `/v1/batch`). */
  path?: string;
  /** Event name for feedback (default `Feedback Submitted`). */
  feedbackEventName?: string;
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
  const host = checkUrl(options.host ?? 'https://api.segment.io', 'segment.host');
  const url = new URL(options.path ?? '/v1/batch', host);
  const poster = createPoster(url);
  const headers = {
    'content-type': 'application/json',
    authorization: `Basic ${Buffer.from(`${options.writeKey}:`).toString('base64')}`,
  };
  const feedbackName = options.feedbackEventName ?? 'Feedback Submitted';
  return withCommon('segment', options, {
    send(events, signal) {
      const jsons = events.map((event) => JSON.stringify(toSegmentMessage(event, feedbackName)));
      return poster.post(
        jsonArrayBody('{"batch":', jsons, `,"sentAt":"${new Date().toISOString()}"}`),
        headers,
        signal,
      );
    },
    close: () => poster.close(),
  });
}
