/**
 * `jetStreamLog({ servers })`: the durable log on NATS JetStream, for ingest instances and delivery
 * workers on many machines. `append` resolves `{ ok: true }` only once JetStream acknowledged every
 * event (stored on a majority of `replicas`), each published with `Nats-Msg-Id` = its `messageId`
 * so a resend within the duplicate window is stored once. Each destination reads through one
 * durable pull consumer that all workers share (see jetstream-reader.ts); dead letters go to a
 * second stream, one subject per destination.
 *
 * Nothing here waits without bound: connecting, every publish and every API call have a timeout,
 * and while the cluster is unreachable `append` answers `unavailable` at once (the ingest's 503 +
 * Retry-After) until the client has reconnected.
 *
 * Space: the stream keeps messages (limits retention, so a new consumer can replay them) until
 * every destination's consumer has acked past them; a periodic trim then purges them. `append`
 * answers `full` from the stream's size (looked up every 2 s and again before any refusal) plus
 * what this process appended since. The server's own `max_bytes` (with `discard: new`) sits a
 * margin above that budget and is only a backstop for instances racing past it, because it is not
 * safe to lean on: nats-server 2.9.10's file store, at `max_bytes` with `discard: new`, accepts
 * and acknowledges a message whose record does not fit and deletes the OLDEST message instead —
 * from then on every append is acknowledged and an older, acknowledged event discarded (measured:
 * 100 appends acknowledged, 6 kept). The margin keeps a stream from ever getting there.
 *
 * Erasure: an ordered consumer walks the subject (flow-controlled, so memory stays bounded) and
 * each of the subject's messages is deleted with the server's secure erase (`erase: true`: the
 * record is overwritten on disk, not only marked deleted); the same for the dead-letter subject.
 * A worker that holds one of them unacked never gets it redelivered. `expire` purges below the
 * first message appended at or after the cut (dead letters: deleted one by one, their stream is
 * shared).
 */
import { TouchpointConfigError } from '@touchpoint/core';
import type { ErasureSubject, ErasureTargetResult } from '../privacy/subject.js';
import { createConnector, type JetStreamSession } from './jetstream-connection.js';
import { createJetStreamReader, type JetStreamReader } from './jetstream-reader.js';
import { eventMessageIdOf, messageIdOf } from './message-id.js';
import type { AppendResult, EventLog, LogMessage, LogStats } from './types.js';

export interface JetStreamLogOptions {
  /** Server URL(s), e.g. `['nats://n1:4222', 'nats://n2:4222', 'nats://n3:4222']`. */
  servers: string | string[];
  /** Stream name (default `TOUCHPOINT_LOG`); dead letters go to `<stream>_DEAD`. */
  stream?: string;
  /** Subject the events are stored under (default `touchpoint.log`); dead letters under `<subject>.dead.<destination>`. */
  subject?: string;
  /** Copies of every event: 1, or 3 in a cluster (default 1). Acknowledged once a majority stored it. */
  replicas?: number;
  /**
   * Most bytes the stream holds; past it `append` answers `full` (default 1 GiB). A budget each
   * instance checks, so concurrent instances may pass it by what they append within ~2 s; the
   * stream's own limit is set a margin above (25 %, at least 1 MiB).
   */
  maxBytes?: number;
  /** Most bytes of dead letters (default `maxBytes`). */
  deadLetterMaxBytes?: number;
  /** Resends of a `messageId` within this window are stored once (default 2 minutes). */
  duplicateWindowMs?: number;
  /** A message a worker took but did not ack goes to another worker after this (default 30 s). */
  ackWaitMs?: number;
  /** Most messages all workers of one destination hold unacked together (default 1000). */
  maxAckPending?: number;
  /** Give up connecting after this (default 2 s). */
  connectTimeoutMs?: number;
  /** Give up on a publish or API call after this (default 5 s); the append answers `unavailable`. */
  publishTimeoutMs?: number;
  /** How often messages every destination acked are purged (default 10 s; 0 keeps them, within `maxBytes`). */
  trimIntervalMs?: number;
  /** Extra `connect()` options (user, pass, token, tls, …). */
  connection?: Record<string, unknown>;
}

const NAME_RE = /^[\w-]{1,64}$/;
const SUBJECT_RE = /^[^\s*>]+$/;
// Per-message storage beyond the JSON (subject, Nats-Msg-Id header, record framing), for estimates
// between two looks at the stream's real size.
const RECORD_OVERHEAD = 128;
const REFRESH_MS = 2000;

/** A consumer name or subject token from any destination name: safe characters, and a hash when it had to change. */
export function natsToken(name: string): string {
  const safe = name.replace(/[^\w-]/g, '_').slice(0, 48);
  if (safe === name && safe !== '') return safe;
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return `${safe}_${(h >>> 0).toString(36)}`;
}

function positive(field: string, value: number | undefined, fallback: number, min = 1): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min)
    throw new TouchpointConfigError(`jetStreamLog.${field}`, `must be an integer of at least ${min}, got ${value}`);
  return v;
}

interface Target {
  stream: string;
  subject: string;
  maxBytes: number;
  /** Consumer names are prefixed (dead-letter readers of different destinations share a stream). */
  consumerPrefix: string;
  trim: boolean;
}

/**
 * @example
 * const log = jetStreamLog({ servers: ['nats://n1:4222', 'nats://n2:4222', 'nats://n3:4222'], replicas: 3 });
 * const forwarder = createForwarder({ log, destinations: [destinations.http({ url })] });
 */
export function jetStreamLog(options: JetStreamLogOptions): EventLog {
  const servers = typeof options?.servers === 'string' ? [options.servers] : options?.servers;
  if (!Array.isArray(servers) || servers.length === 0 || !servers.every((s) => typeof s === 'string' && s !== ''))
    throw new TouchpointConfigError(
      'jetStreamLog.servers',
      'must be a server URL or a non-empty array of them, e.g. "nats://127.0.0.1:4222"',
    );
  const stream = options.stream ?? 'TOUCHPOINT_LOG';
  if (!NAME_RE.test(stream) || stream.length > 59)
    throw new TouchpointConfigError('jetStreamLog.stream', `must be 1-59 letters, digits, _ or -, got ${stream}`);
  const subject = options.subject ?? 'touchpoint.log';
  if (!SUBJECT_RE.test(subject))
    throw new TouchpointConfigError('jetStreamLog.subject', 'must be a subject without spaces or wildcards');
  const replicas = positive('replicas', options.replicas, 1);
  if (replicas > 5) throw new TouchpointConfigError('jetStreamLog.replicas', `must be 1 to 5, got ${replicas}`);
  const maxBytes = positive('maxBytes', options.maxBytes, 1024 ** 3, 1024);
  const deadMaxBytes = positive('deadLetterMaxBytes', options.deadLetterMaxBytes, maxBytes, 1024);
  const duplicateWindowMs = positive('duplicateWindowMs', options.duplicateWindowMs, 120_000);
  const ackWaitMs = positive('ackWaitMs', options.ackWaitMs, 30_000);
  const maxAckPending = positive('maxAckPending', options.maxAckPending, 1000);
  const connectTimeoutMs = positive('connectTimeoutMs', options.connectTimeoutMs, 2000);
  const publishTimeoutMs = positive('publishTimeoutMs', options.publishTimeoutMs, 5000);
  const trimIntervalMs = positive('trimIntervalMs', options.trimIntervalMs, 10_000, 0);

  const main: Target = { stream, subject, maxBytes, consumerPrefix: '', trim: trimIntervalMs > 0 };
  const deadStream = `${stream}_DEAD`;
  const streamConfig = (name: string, subjects: string[], bytes: number) => ({
    name,
    subjects,
    retention: 'limits' as const,
    storage: 'file' as const,
    discard: 'new' as const,
    // The backstop, above the budget `append` enforces (see the header for why not at it).
    max_bytes: bytes + Math.max(1024 * 1024, Math.floor(bytes / 4)),
    num_replicas: replicas,
    duplicate_window: duplicateWindowMs * 1_000_000,
  });

  const connector = createConnector({
    servers,
    connectTimeoutMs,
    requestTimeoutMs: publishTimeoutMs,
    connection: options.connection,
    async setUp({ jsm }) {
      for (const config of [
        streamConfig(stream, [subject], maxBytes),
        streamConfig(deadStream, [`${subject}.dead.*`], deadMaxBytes),
      ]) {
        try {
          await jsm.streams.add(config);
        } catch {
          // Exists already (another instance made it), perhaps with older settings.
          await jsm.streams.update(config.name, config);
        }
      }
    },
  });

  const deadLogs = new Map<string, EventLog>();
  const mainLog = targetLog(main, (destination) => {
    let log = deadLogs.get(destination);
    if (!log) {
      const token = natsToken(destination);
      log = targetLog(
        {
          stream: deadStream,
          subject: `${subject}.dead.${token}`,
          maxBytes: deadMaxBytes,
          consumerPrefix: `${token}_`,
          trim: trimIntervalMs > 0,
        },
        () => Promise.reject(new Error('dead letters have no dead letters of their own')),
      );
      deadLogs.set(destination, log);
    }
    return Promise.resolve(log);
  });
  return {
    ...mainLog,
    async close() {
      await Promise.all([mainLog.close(), ...[...deadLogs.values()].map((log) => log.close())]);
      await connector.close();
    },
  };

  /** The engine for one stream subject: the events, or one destination's dead letters. */
  function targetLog(target: Target, deadLetters: (destination: string) => Promise<EventLog>): EventLog {
    const readers = new Set<JetStreamReader>();
    const refused = { full: 0, unavailable: 0, closed: 0 };
    let appended = 0;
    let streamBytes = 0;
    let addedSinceInfo = 0;
    let refreshedAt = 0;
    let trimmedAt = 0;
    let refreshing: Promise<void> | undefined;
    let closed = false;

    const estimate = () => streamBytes + addedSinceInfo;
    const fits = (bytes: number) => estimate() + bytes <= target.maxBytes;

    /** The stream sequence every reader of this subject acked up to; 0 when it has no reader. */
    async function ackFloor(session: JetStreamSession): Promise<number> {
      let floor = Number.POSITIVE_INFINITY;
      for await (const consumer of session.jsm.consumers.list(target.stream))
        if (consumer.config.filter_subject === target.subject) floor = Math.min(floor, consumer.ack_floor.stream_seq);
      return floor === Number.POSITIVE_INFINITY ? 0 : floor;
    }

    async function maintain(session: JetStreamSession): Promise<void> {
      if (target.trim && (Date.now() - trimmedAt >= trimIntervalMs || !fits(0))) {
        trimmedAt = Date.now();
        // What every reader acked goes; a subject nobody reads keeps all it has.
        const floor = await ackFloor(session);
        if (floor > 0 && target.subject === subject) {
          // The events' stream holds this one subject: purge below the floor. (Not a purge with a
          // subject filter: on nats-server 2.9 that moved the consumers' ack floors past messages
          // still unacked — the crash test lost them.)
          await session.jsm.streams.purge(target.stream, { seq: floor + 1 });
        } else if (floor > 0) {
          // A dead-letter subject shares its stream with other destinations': delete its replayed
          // records one by one (few, and a delete leaves every consumer's state alone).
          let seq = 0;
          for (let n = 0; n < 1000; n++) {
            const query = { seq: seq + 1, next_by_subj: target.subject } as unknown as { seq: number };
            const stored = await session.jsm.streams.getMessage(target.stream, query);
            if (!stored || stored.seq > floor) break;
            seq = stored.seq;
            await session.jsm.streams.deleteMessage(target.stream, seq, false);
          }
        }
      }
      const info = await session.jsm.streams.info(target.stream);
      // The dead-letter stream holds every destination's: count this subject's share by the whole.
      streamBytes = info.state.bytes;
      addedSinceInfo = 0;
      refreshedAt = Date.now();
    }

    function refresh(): Promise<void> {
      refreshing ??= connector
        .session()
        .then(maintain)
        .catch(() => {})
        .finally(() => {
          refreshing = undefined;
        });
      return refreshing;
    }

    const timer = setInterval(() => {
      if (!connector.down() && Date.now() - refreshedAt >= REFRESH_MS) void refresh();
    }, REFRESH_MS);
    timer.unref();

    /** Walks this subject with an ordered consumer and securely erases each of the subject's messages. */
    async function eraseFrom(session: JetStreamSession, who: ErasureSubject): Promise<ErasureTargetResult> {
      const info = await session.jsm.streams.info(target.stream);
      const lastSeq = info.state.last_seq;
      const messageIds: string[] = [];
      let erased = 0;
      if (info.state.messages === 0) return { erased, messageIds };
      const consumer = await session.js.consumers.get(target.stream, {
        filter_subjects: target.subject,
        deliver_policy: 'all',
      });
      let done = false;
      while (!done) {
        const batch = await consumer.fetch({ max_messages: 256, expires: 1000 });
        let got = 0;
        for await (const m of batch) {
          got++;
          if (m.seq > lastSeq) {
            done = true;
            break;
          }
          const json = m.string();
          if (who.matchesJson(json)) {
            const id = eventMessageIdOf(json);
            if (id !== undefined) messageIds.push(id);
            // erase=true: the server overwrites the stored record, not only its index entry.
            await session.jsm.streams.deleteMessage(target.stream, m.seq, true);
            erased++;
          }
          if (m.seq >= lastSeq || m.info.pending === 0) done = true;
        }
        if (got === 0) done = true;
      }
      await consumer.delete().catch(() => {});
      return { erased, messageIds };
    }

    /** The first message of this subject appended at or after `ms`, by an ordered consumer's start time. */
    async function firstAtOrAfter(session: JetStreamSession, ms: number): Promise<number | undefined> {
      const consumer = await session.js.consumers.get(target.stream, {
        filter_subjects: target.subject,
        deliver_policy: 'by_start_time',
        opt_start_time: new Date(ms).toISOString(),
      });
      try {
        const batch = await consumer.fetch({ max_messages: 1, expires: 1000 });
        for await (const m of batch) return m.seq;
        return undefined;
      } finally {
        await consumer.delete().catch(() => {});
      }
    }

    function refuse(reason: 'full' | 'unavailable' | 'closed', message: string, retryAfterMs: number, error?: unknown) {
      refused[reason]++;
      return { ok: false, reason, message, retryAfterMs, error } as const;
    }

    async function publishAll(session: JetStreamSession, jsons: readonly string[]): Promise<AppendResult> {
      const results = await Promise.allSettled(
        jsons.map((json) => {
          const id = messageIdOf(json);
          return session.js.publish(
            target.subject,
            json,
            id === undefined ? { timeout: publishTimeoutMs } : { timeout: publishTimeoutMs, msgID: id },
          );
        }),
      );
      let failed: unknown;
      let full = false;
      for (let i = 0; i < results.length; i++) {
        const r = results[i]!;
        if (r.status === 'fulfilled') {
          appended++;
          addedSinceInfo += jsons[i]!.length + RECORD_OVERHEAD;
        } else {
          failed ??= r.reason;
          const code = (r.reason as { code?: unknown }).code;
          if (code === 10077 || code === 10047 || /maximum (bytes|messages)/i.test(String(r.reason))) full = true;
        }
      }
      if (failed === undefined) return { ok: true };
      // Those that were stored are stored; a retry of all of them is deduplicated by messageId.
      return full
        ? refuse('full', `JetStream stream ${target.stream} is full (maxBytes ${target.maxBytes})`, 10_000, failed)
        : refuse('unavailable', `JetStream did not acknowledge: ${String(failed)}`, 2000, failed);
    }

    return {
      kind: 'jetstream',
      durable: true,
      async append(jsons) {
        if (closed) return refuse('closed', 'the log is closed', 1000);
        if (jsons.length === 0) return { ok: true };
        let bytes = 0;
        for (const json of jsons) bytes += json.length + RECORD_OVERHEAD;
        if (!fits(bytes)) {
          // Perhaps a trim freed space, or the estimate is stale: look once more before refusing.
          if (Date.now() - refreshedAt > 500) await refresh();
          if (!fits(bytes))
            return refuse(
              'full',
              `JetStream stream ${target.stream} is over its budget (${target.maxBytes} bytes)`,
              10_000,
            );
        }
        if (connector.down())
          return refuse('unavailable', 'NATS is unreachable (reconnecting)', Math.max(1000, connector.retryAfterMs()));
        let timer: NodeJS.Timeout | undefined;
        try {
          const session = await Promise.race([
            connector.session(),
            new Promise<never>((_, reject) => {
              timer = setTimeout(
                () => reject(new Error('connecting to NATS timed out')),
                connectTimeoutMs + publishTimeoutMs,
              );
            }),
          ]);
          clearTimeout(timer);
          if (refreshedAt === 0) await refresh();
          return await publishAll(session, jsons);
        } catch (error) {
          clearTimeout(timer);
          return refuse(
            'unavailable',
            `NATS is unreachable: ${String(error)}`,
            Math.max(1000, connector.retryAfterMs()),
            error,
          );
        }
      },
      async reader(name) {
        if (typeof name !== 'string' || name === '')
          throw new TouchpointConfigError('jetStreamLog.reader(name)', 'must be a non-empty string');
        const reader = createJetStreamReader({
          connector,
          stream: target.stream,
          consumer: `${target.consumerPrefix}${natsToken(name)}`,
          name,
          filterSubject: target.subject,
          ackWaitMs,
          maxAckPending,
          requestTimeoutMs: publishTimeoutMs,
        });
        readers.add(reader);
        // Join the consumer now when NATS is there (lag() is then known); otherwise on the first read.
        await reader.prepare().catch(() => {});
        return reader;
      },
      deadLetters,
      async list({ afterSeq = 0, max }) {
        // What some reader has not acked yet (all of it when nobody reads this subject).
        const session = await connector.session();
        const floor = await ackFloor(session);
        const out: LogMessage[] = [];
        let seq = Math.max(afterSeq, floor) + 1;
        while (out.length < max) {
          // `next_by_subj` (nats-server 2.9+): the first message on the subject at or after `seq`.
          const query = { seq, next_by_subj: target.subject } as unknown as { seq: number };
          const stored = await session.jsm.streams.getMessage(target.stream, query);
          if (!stored) break;
          out.push({ seq: stored.seq, json: stored.string(), attempts: 0, appendedAt: stored.time.getTime() });
          seq = stored.seq + 1;
        }
        return out;
      },
      async erase(subject) {
        return eraseFrom(await connector.session(), subject);
      },
      async expire(beforeMs) {
        const session = await connector.session();
        if (target.subject === subject) {
          const first = await firstAtOrAfter(session, beforeMs);
          const info = await session.jsm.streams.info(target.stream);
          const upTo = first ?? info.state.last_seq + 1;
          if (upTo <= info.state.first_seq) return { removed: 0 };
          const purged = await session.jsm.streams.purge(target.stream, { seq: upTo });
          return { removed: purged.purged };
        }
        let removed = 0;
        for (let seq = 1; ; ) {
          const query = { seq, next_by_subj: target.subject } as unknown as { seq: number };
          const stored = await session.jsm.streams.getMessage(target.stream, query);
          if (!stored || stored.time.getTime() >= beforeMs) break;
          await session.jsm.streams.deleteMessage(target.stream, stored.seq, false);
          removed++;
          seq = stored.seq + 1;
        }
        return { removed };
      },
      hasRoom: (bytes) => fits(bytes),
      stats(): LogStats {
        return { kind: 'jetstream', appended, bytes: estimate(), maxBytes: target.maxBytes, refused: { ...refused } };
      },
      async close() {
        closed = true;
        clearInterval(timer);
        await Promise.all([...readers].map((r) => r.close().then(() => r.release())));
      },
    };
  }
}
