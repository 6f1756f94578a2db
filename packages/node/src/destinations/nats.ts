/**
 * `destinations.nats`: every event published to NATS JetStream, a durable distributed log, with
 * `msgID = messageId` so JetStream's duplicate window drops resends from retries and from other
 * ingest instances. The NATS client is an optional peer dependency loaded on first use, so shops
 * that never use NATS never install it.
 *
 * Erasure: `erase()` publishes one `identity.erased` message (see `erasure-message.ts`) on
 * `erase.subject` (default `touchpoint.erasures`) through JetStream, with `msgID` = the erasure's
 * id, and — with `erase.secret` — the Standard Webhooks signature headers (`webhook-id`,
 * `webhook-timestamp`, `webhook-signature`), which `verifyWebhook` checks on the consumer's side.
 * Your consumers act on it. Messages already in a stream you own (the events this destination
 * published) are yours to delete: Touchpoint erases what it keeps, and tells you whom to forget.
 */
import { TouchpointConfigError, type TouchpointEvent } from '@touchpoint/core';
import type { Destination } from '../types.js';
import { erasureMessage } from './erasure-message.js';
import { type CommonDestinationOptions, withCommon } from './options.js';
import { checkWebhookSecrets, signStandardWebhook } from './webhook-signature.js';

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
  /**
   * How an erasure reaches your consumers: an `identity.erased` message on `subject` (default
   * `touchpoint.erasures`; it must be in a stream — `stream` adds it to the one it creates),
   * signed like a Standard Webhook with `secret` (`whsec_…`), raw emails and phones only with
   * `includeRaw`. `false`: no erase, so erasures record this destination as `unsupported`.
   */
  erase?: false | { subject?: string; secret?: string | string[]; includeRaw?: boolean };
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
    options: { msgID: string; timeout?: number; headers?: MsgHeaders },
  ): Promise<{ duplicate: boolean }>;
}
interface MsgHeaders {
  set(key: string, value: string): void;
}

const SUBJECT_RE = /^[^\s*>]+$/;

async function loadNats(): Promise<{
  connect: (options: Record<string, unknown>) => Promise<NatsConnection>;
  headers: () => MsgHeaders;
  jetstream: (nc: NatsConnection) => JetStreamClient;
  jetstreamManager: (
    nc: NatsConnection,
  ) => Promise<{ streams: { add(c: object): Promise<unknown>; update(n: string, c: object): Promise<unknown> } }>;
}> {
  try {
    const transport = (await import('@nats-io/transport-node')) as unknown as {
      connect: (o: Record<string, unknown>) => Promise<NatsConnection>;
      headers: () => MsgHeaders;
    };
    const js = (await import('@nats-io/jetstream')) as unknown as {
      jetstream: (nc: NatsConnection) => JetStreamClient;
      jetstreamManager: (nc: NatsConnection) => Promise<any>;
    };
    return {
      connect: transport.connect,
      headers: transport.headers,
      jetstream: js.jetstream,
      jetstreamManager: js.jetstreamManager,
    };
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
  const erase = options.erase;
  if (erase !== undefined && erase !== false && (typeof erase !== 'object' || erase === null))
    throw new TouchpointConfigError('nats.erase', 'must be false or { subject?, secret?, includeRaw? }');
  const eraseSubject = erase === false ? undefined : (erase?.subject ?? 'touchpoint.erasures');
  if (eraseSubject !== undefined && (typeof eraseSubject !== 'string' || !SUBJECT_RE.test(eraseSubject)))
    throw new TouchpointConfigError('nats.erase.subject', 'must be a subject without spaces or wildcards');
  const eraseSecrets =
    erase && erase.secret !== undefined
      ? checkWebhookSecrets(erase.secret, 'standard', 'nats.erase.secret')
      : undefined;
  if (erase && erase.includeRaw !== undefined && typeof erase.includeRaw !== 'boolean')
    throw new TouchpointConfigError('nats.erase.includeRaw', 'must be true or false');

  let client: Promise<{ nc: NatsConnection; js: JetStreamClient; headers: () => MsgHeaders }> | undefined;
  async function start() {
    const lib = await loadNats();
    const nc = await lib.connect({ servers, ...options.connection });
    if (options.stream) {
      const jsm = await lib.jetstreamManager(nc);
      const events = typeof subject === 'string' ? subject : 'touchpoint.>';
      // The erasure subject joins the stream this destination creates, unless `touchpoint.>` covers it.
      const erasures =
        eraseSubject !== undefined && !(events === 'touchpoint.>' && eraseSubject.startsWith('touchpoint.'))
          ? [eraseSubject]
          : [];
      const config = {
        name: options.stream.name,
        subjects: options.stream.subjects ?? [events, ...erasures.filter((s) => s !== events)],
        duplicate_window: (options.stream.duplicateWindowMs ?? 120_000) * 1_000_000,
      };
      try {
        await jsm.streams.add(config);
      } catch {
        // Exists already (perhaps created by another instance): bring its settings up to date.
        await jsm.streams.update(config.name, config);
      }
    }
    return { nc, js: lib.jetstream(nc), headers: lib.headers };
  }
  function connection() {
    client ??= start().catch((error) => {
      client = undefined;
      throw error;
    });
    return client;
  }

  async function open() {
    const current = await connection();
    if (current.nc.isClosed()) {
      client = undefined;
      throw new Error('NATS connection closed');
    }
    return current;
  }

  return withCommon('nats', options, {
    async send(events, signal) {
      const { js } = await open();
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
    ...(eraseSubject !== undefined && {
      async erase(request, signal) {
        const { js, headers } = await open();
        signal?.throwIfAborted();
        const payload = JSON.stringify(erasureMessage(request, erase ? erase.includeRaw === true : false));
        const hdrs = headers();
        hdrs.set('content-type', 'application/json');
        if (eraseSecrets) {
          const signed = signStandardWebhook(payload, eraseSecrets, request.erasureId, Math.floor(Date.now() / 1000));
          for (const [key, value] of Object.entries(signed)) hdrs.set(key, value);
        }
        // JetStream acknowledges it once stored; msgID makes a retried erasure a duplicate, not a second message.
        await js.publish(eraseSubject, payload, { msgID: request.erasureId, headers: hdrs });
      },
    }),
    async close() {
      const current = client;
      client = undefined;
      if (!current) return;
      const { nc } = await current.catch(() => ({ nc: undefined }));
      if (nc && !nc.isClosed()) await nc.drain();
    },
  });
}
