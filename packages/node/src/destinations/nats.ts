/**
 * `destinations.nats`: every event published to NATS JetStream, a durable distributed log, with
 * `msgID = messageId` so JetStream's duplicate window drops resends from retries and from other
 * ingest instances. The NATS client is an optional peer dependency loaded on first use, so shops
 * that never use NATS never install it.
 */
import { TouchpointConfigError, type TouchpointEvent } from '@touchpoint/core';
import type { Destination } from '../types.js';
import { type CommonDestinationOptions, withCommon } from './options.js';

export interface NatsDestinationOptions extends CommonDestinationOptions {
  /** Server URL(s), e.g. `nats://127.0.0.1:4222`. */
  servers: string | string[];
  /** Subject per event: a string, or a function such as `(e) => \`touchpoint.${e.type}\`` (default `touchpoint.events`). */
  subject?: string | ((event: TouchpointEvent) => string);
  /**
   * Create (or update) this stream on first use. `subjects` defaults to the subject (or
   * `touchpoint.>` with a subject function); `duplicateWindowMs` to 2 minutes.
   */
  stream?: { name: string; subjects?: string[]; duplicateWindowMs?: number };
  /** Extra connection options passed to `connect()` (user, pass, token, tls, …). */
  connection?: Record<string, unknown>;
}

// Structural types for the parts of nats.js v3 used here.
interface NatsConnection {
  drain(): Promise<void>;
  close(): Promise<void>;
  isClosed(): boolean;
}
interface JetStreamClient {
  publish(
    subject: string,
    payload: string,
    options: { msgID: string; timeout?: number },
  ): Promise<{ duplicate: boolean }>;
}

const SUBJECT_RE = /^[^\s*>]+$/;

async function loadNats(): Promise<{
  connect: (options: Record<string, unknown>) => Promise<NatsConnection>;
  jetstream: (nc: NatsConnection) => JetStreamClient;
  jetstreamManager: (
    nc: NatsConnection,
  ) => Promise<{ streams: { add(c: object): Promise<unknown>; update(n: string, c: object): Promise<unknown> } }>;
}> {
  try {
    const transport = (await import('@nats-io/transport-node')) as unknown as {
      connect: (o: Record<string, unknown>) => Promise<NatsConnection>;
    };
    const js = (await import('@nats-io/jetstream')) as unknown as {
      jetstream: (nc: NatsConnection) => JetStreamClient;
      jetstreamManager: (nc: NatsConnection) => Promise<any>;
    };
    return { connect: transport.connect, jetstream: js.jetstream, jetstreamManager: js.jetstreamManager };
  } catch (error) {
    throw new Error(
      `destinations.nats needs the NATS client: npm install @nats-io/transport-node @nats-io/jetstream (${String(error)})`,
    );
  }
}

/**
 * @example
 * destinations.nats({ servers: 'nats://nats:4222', subject: 'touchpoint.events', stream: { name: 'TOUCHPOINT' } });
 */
export function nats(options: NatsDestinationOptions): Destination {
  const servers = options?.servers;
  if (
    !(typeof servers === 'string' && servers !== '') &&
    !(Array.isArray(servers) && servers.length > 0 && servers.every((s) => typeof s === 'string'))
  ) {
    throw new TouchpointConfigError(
      'nats.servers',
      'must be a server URL or a non-empty array of them, e.g. "nats://127.0.0.1:4222"',
    );
  }
  const subject = options.subject ?? 'touchpoint.events';
  if (typeof subject === 'string' && !SUBJECT_RE.test(subject))
    throw new TouchpointConfigError('nats.subject', 'must be a subject without spaces or wildcards');
  if (typeof subject !== 'string' && typeof subject !== 'function')
    throw new TouchpointConfigError('nats.subject', 'must be a string or a function of the event');
  if (
    options.stream !== undefined &&
    (typeof options.stream.name !== 'string' || !/^[\w-]{1,64}$/.test(options.stream.name))
  ) {
    throw new TouchpointConfigError('nats.stream.name', 'must be 1-64 letters, digits, _ or -');
  }

  let client: Promise<{ nc: NatsConnection; js: JetStreamClient }> | undefined;
  async function start() {
    const lib = await loadNats();
    const nc = await lib.connect({ servers, ...options.connection });
    if (options.stream) {
      const jsm = await lib.jetstreamManager(nc);
      const config = {
        name: options.stream.name,
        subjects: options.stream.subjects ?? [typeof subject === 'string' ? subject : 'touchpoint.>'],
        duplicate_window: (options.stream.duplicateWindowMs ?? 120_000) * 1_000_000,
      };
      try {
        await jsm.streams.add(config);
      } catch {
        // Exists already (perhaps created by another instance): bring its settings up to date.
        await jsm.streams.update(config.name, config);
      }
    }
    return { nc, js: lib.jetstream(nc) };
  }
  function connection() {
    client ??= start().catch((error) => {
      client = undefined;
      throw error;
    });
    return client;
  }

  return withCommon('nats', options, {
    async send(events, signal) {
      const { nc, js } = await connection();
      if (nc.isClosed()) {
        client = undefined;
        throw new Error('NATS connection closed');
      }
      signal?.throwIfAborted();
      // Published concurrently; JetStream acks each, and msgID makes a resend a no-op.
      await Promise.all(
        events.map((event) =>
          js.publish(typeof subject === 'string' ? subject : subject(event), JSON.stringify(event), {
            msgID: event.messageId,
          }),
        ),
      );
    },
    async close() {
      const current = client;
      client = undefined;
      if (!current) return;
      const { nc } = await current.catch(() => ({ nc: undefined }));
      if (nc && !nc.isClosed()) await nc.drain();
    },
  });
}
