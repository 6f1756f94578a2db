/**
 * One destination's reader on the JetStream log: a durable pull consumer (explicit acks) that
 * every worker holding a reader of the same name shares. A message a worker took but never acked
 * (the worker died, its connection broke) goes to another worker after `ackWaitMs`; `retry` naks
 * with a delay; `max_ack_pending` bounds what the workers hold together, so a destination that is
 * down leaves its backlog in the stream, not in memory.
 *
 * `next()` speaks the pull protocol directly (`$JS.API.CONSUMER.MSG.NEXT` with `no_wait` and
 * `expires`), because that answers as soon as anything is there and waits only when nothing is —
 * the client library's `fetch` waits for a full batch and cannot wait under a second.
 */
import type { Msg, Subscription } from '@nats-io/transport-node';
import type { Connector, JetStreamSession } from './jetstream-connection.js';
import type { LogMessage, LogReader, ReadLimits } from './types.js';

export interface JetStreamReaderSettings {
  connector: Connector;
  stream: string;
  /** The durable consumer's name (already sanitised). */
  consumer: string;
  /** The reader's name as the caller gave it. */
  name: string;
  filterSubject: string;
  ackWaitMs: number;
  maxAckPending: number;
  requestTimeoutMs: number;
}

interface Pull {
  /** What this pull received so far. */
  messages: LogMessage[];
  batch: number;
  tooBig: boolean;
  done(): void;
}

// A pull's `max_bytes` counts subject, reply and headers too: room for them beside the JSON.
const ENVELOPE_BYTES = 512;

/** Delivery info from a JetStream ack subject: `$JS.ACK.<stream>.<consumer>.<delivered>.<seq>.<cseq>.<ns>.<pending>` (or the 12-token form with domain and account). */
function parseAckSubject(reply: string): { delivered: number; seq: number; ms: number; pending: number } | undefined {
  const t = reply.split('.');
  const o = t.length === 9 ? 0 : t.length >= 11 ? 2 : -1;
  if (o < 0 || t[0] !== '$JS' || t[1] !== 'ACK') return undefined;
  const ns = t[7 + o]!;
  return {
    delivered: Number(t[4 + o]),
    seq: Number(t[5 + o]),
    ms: ns.length > 6 ? Number(ns.slice(0, -6)) : 0,
    pending: Number(t[8 + o]),
  };
}

export interface JetStreamReader extends LogReader {
  /** Creates (or joins) the consumer now, so `lag()` is known before the first read; rejects when unreachable. */
  prepare(): Promise<void>;
  /** Gives back (naks) every message still held; called by the log's `close()`. */
  release(): Promise<void>;
}

export function createJetStreamReader(settings: JetStreamReaderSettings): JetStreamReader {
  const { connector } = settings;
  // Reply subject (the ack handle) of every message handed out and not yet acked, by stream sequence.
  const held = new Map<number, string>();
  const pulls = new Map<string, Pull>();
  let ready: { session: JetStreamSession; sub: Subscription; inbox: string } | undefined;
  let readying: Promise<NonNullable<typeof ready>> | undefined;
  let active: Pull | undefined;
  // One pull in flight per reader; concurrent next() calls queue behind it.
  let queue: Promise<unknown> = Promise.resolve();
  let pending = 0;
  let token = 0;
  let closed = false;
  let stale = false;
  let wake: (() => void) | undefined;

  async function setUp(): Promise<NonNullable<typeof ready>> {
    const session = await connector.session();
    if (ready?.session === session && !stale) return ready;
    stale = false;
    const config = {
      durable_name: settings.consumer,
      ack_policy: 'explicit',
      ack_wait: settings.ackWaitMs * 1_000_000,
      max_ack_pending: settings.maxAckPending,
      max_deliver: -1,
      deliver_policy: 'all',
      filter_subject: settings.filterSubject,
    } as const;
    let info: { num_pending: number; num_ack_pending: number };
    try {
      info = await session.jsm.consumers.add(settings.stream, config);
    } catch {
      // Exists with other settings (another worker, an older version): bring the editable ones up to date.
      info = await session.jsm.consumers.update(settings.stream, settings.consumer, {
        ack_wait: config.ack_wait,
        max_ack_pending: config.max_ack_pending,
      });
    }
    pending = info.num_pending + info.num_ack_pending;
    unsubscribe();
    const inbox = session.createInbox();
    const sub = session.nc.subscribe(`${inbox}.*`, { callback: (_error, msg) => receive(session, inbox, msg) });
    ready = { session, sub, inbox };
    return ready;
  }

  function unsubscribe(): void {
    try {
      ready?.sub.unsubscribe();
    } catch {
      // The connection is gone, and its subscriptions with it.
    }
  }

  function receive(session: JetStreamSession, inbox: string, msg: Msg): void {
    const info = msg.reply ? parseAckSubject(msg.reply) : undefined;
    if (!info) {
      // A status ends its pull: 404/408 nothing (more) to read, 409 max bytes / max ack pending / leader change.
      const pull = pulls.get(msg.subject.slice(inbox.length + 1));
      const code = msg.headers?.code;
      const description = msg.headers?.description ?? '';
      // No consumer to answer (deleted, or the stream was recreated): set it up again on the next read.
      if (code === 503 || /consumer deleted/i.test(description)) stale = true;
      if (pull) {
        if (code === 409 && /MaxBytes/i.test(description)) pull.tooBig = true;
        pull.done();
      }
      return;
    }
    // Messages arrive under their own subject, not the pull's: they belong to the one pull in flight.
    const pull = active;
    if (!pull || closed || pull.messages.length >= pull.batch) {
      // Arrived after its pull gave up: give it back at once rather than after the ack wait.
      session.nc.publish(msg.reply!, '-NAK');
      return;
    }
    held.set(info.seq, msg.reply!);
    pending = info.pending;
    pull.messages.push({ seq: info.seq, json: msg.string(), attempts: info.delivered - 1, appendedAt: info.ms });
    if (pull.messages.length >= pull.batch) pull.done();
  }

  function pull(
    r: NonNullable<typeof ready>,
    batch: number,
    maxBytes: number | undefined,
    waitMs: number,
  ): Promise<Pull> {
    const id = String(++token);
    return new Promise((resolve) => {
      const request: Record<string, unknown> = { batch, no_wait: true };
      if (maxBytes !== undefined) request.max_bytes = maxBytes;
      if (waitMs > 0) request.expires = waitMs * 1_000_000;
      const entry: Pull = {
        messages: [],
        batch,
        tooBig: false,
        done() {
          clearTimeout(timer);
          pulls.delete(id);
          if (active === entry) active = undefined;
          resolve(entry);
        },
      };
      // The server ends every pull it receives. No answer at all means the connection was lost
      // or the consumer is gone (a pull to a deleted consumer is silently dropped): check it.
      const timer = setTimeout(() => {
        stale = true;
        entry.done();
      }, waitMs + Math.min(settings.requestTimeoutMs, 2000));
      pulls.set(id, entry);
      active = entry;
      try {
        r.session.nc.publish(
          `$JS.API.CONSUMER.MSG.NEXT.${settings.stream}.${settings.consumer}`,
          JSON.stringify(request),
          {
            reply: `${r.inbox}.${id}`,
          },
        );
      } catch {
        entry.done();
      }
    });
  }

  function pause(ms: number): Promise<void> {
    if (ms <= 0 || closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });
  }

  async function flush(): Promise<void> {
    const nc = ready?.session.nc;
    if (!nc || nc.isClosed()) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      nc.flush().catch(() => {}),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, settings.requestTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  /** Sends `payload` for each held message; returns the reply subject of the last one sent. */
  function settle(messages: readonly LogMessage[], payload: string, confirmLast = false): string | undefined {
    const nc = ready?.session.nc;
    let last: string | undefined;
    for (const m of messages) {
      const reply = held.get(m.seq);
      if (reply === undefined) continue;
      held.delete(m.seq);
      if (last !== undefined) publish(last, payload);
      last = reply;
    }
    if (last !== undefined && !confirmLast) publish(last, payload);
    return last;

    function publish(reply: string, text: string) {
      try {
        nc?.publish(reply, text);
      } catch {
        // Connection gone: the server hands the message out again after the ack wait.
      }
    }
  }

  function setUpOnce(): Promise<NonNullable<typeof ready>> {
    readying ??= setUp().finally(() => {
      readying = undefined;
    });
    return readying;
  }

  async function read(limits: ReadLimits): Promise<LogMessage[]> {
    const started = Date.now();
    let out: LogMessage[] = [];
    // While the client reconnects a pull would only wait for its guard timer.
    if (!closed && !connector.down()) {
      try {
        const r = await setUpOnce();
        const maxBytes = limits.maxBytes > 0 ? limits.maxBytes + ENVELOPE_BYTES : undefined;
        const first = await pull(r, Math.max(1, limits.maxEvents), maxBytes, limits.waitMs);
        out = first.messages;
        // One event larger than the byte limit: hand it out alone rather than never.
        if (out.length === 0 && first.tooBig) out = (await pull(r, 1, undefined, 0)).messages;
        if (out.length === 0) pending = 0;
      } catch {
        // Unreachable or closing: answer "nothing yet" after the wait, like an idle log.
      }
    }
    // An empty answer takes its full wait, so a caller's loop never spins on an outage.
    if (out.length === 0) await pause(Math.min(limits.waitMs, 1000) - (Date.now() - started));
    return out;
  }

  return {
    name: settings.name,
    next(limits: ReadLimits): Promise<LogMessage[]> {
      const result = queue.then(() => read(limits));
      queue = result.catch(() => {});
      return result;
    },
    async ack(messages) {
      // The last ack as a request: the consumer applies acks in order and answers that one once
      // done, so when this resolves every ack is applied (list() and the trim see them).
      const last = settle(messages, '+ACK', true);
      const nc = ready?.session.nc;
      if (last === undefined || !nc || nc.isClosed()) return;
      await nc.request(last, '+ACK', { timeout: settings.requestTimeoutMs }).catch(() => {
        // Unconfirmed: at worst the message is delivered again after the ack wait.
      });
    },
    retry(messages, delayMs) {
      const delay = Math.max(0, Math.round(delayMs));
      settle(messages, delay > 0 ? `-NAK ${JSON.stringify({ delay: delay * 1_000_000 })}` : '-NAK');
    },
    lag: () => pending + held.size,
    async close() {
      // Stops reading; acks and retries of what is held still work (deliveries in flight finish).
      if (closed) return;
      closed = true;
      wake?.();
      for (const p of [...pulls.values()]) p.done();
      unsubscribe();
    },
    async prepare() {
      await setUpOnce();
    },
    async release() {
      // The log is closing: what this worker still holds goes back now, not after the ack wait.
      settle(
        [...held.keys()].map((seq) => ({ seq }) as LogMessage),
        '-NAK',
      );
      await flush();
    },
  };
}
