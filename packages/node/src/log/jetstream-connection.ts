/**
 * One NATS connection for `jetStreamLog`, opened on first use and bounded in time everywhere: the
 * first connect gives up after `connectTimeoutMs`, a failed connect is not retried before a
 * backoff has passed (so a cluster that is down costs an ingest request microseconds, not a
 * timeout each), and once connected the client reconnects on its own with jittered backoff while
 * `connected` says whether publishing is worth trying. The NATS client is an optional peer
 * dependency loaded lazily, as `destinations.nats` does.
 */
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

export interface JetStreamSession {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  createInbox(): string;
}

export interface ConnectionSettings {
  servers: string[];
  connectTimeoutMs: number;
  /** Bound on every JetStream API call and publish. */
  requestTimeoutMs: number;
  /** Extra `connect()` options (user, pass, token, tls, …). */
  connection?: Record<string, unknown>;
  /** Runs once per new connection (creates the streams); a failure fails the connect. */
  setUp(session: JetStreamSession): Promise<void>;
}

export interface Connector {
  /** The session, or a rejection when the cluster is unreachable (fast while backing off). */
  session(): Promise<JetStreamSession>;
  /**
   * `true` while a connection that was open is lost and the client is reconnecting, or while a
   * failed connect backs off: publishing now would only wait for a timeout.
   */
  down(): boolean;
  /** How long until a connect is worth trying again (0 when connected). */
  retryAfterMs(): number;
  close(): Promise<void>;
}

async function loadNats() {
  try {
    const [transport, jetstream] = await Promise.all([import('@nats-io/transport-node'), import('@nats-io/jetstream')]);
    return { transport, jetstream };
  } catch (error) {
    throw new Error(
      `jetStreamLog needs the NATS client: npm install @nats-io/transport-node @nats-io/jetstream (${String(error)})`,
    );
  }
}

const MIN_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 5000;

export function createConnector(settings: ConnectionSettings): Connector {
  let current: Promise<JetStreamSession> | undefined;
  let live = false;
  let opened = false;
  let closed = false;
  let failures = 0;
  let retryAt = 0;

  async function open(): Promise<JetStreamSession> {
    const { transport, jetstream } = await loadNats();
    const nc = await transport.connect({
      servers: settings.servers,
      timeout: settings.connectTimeoutMs,
      reconnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      reconnectJitter: 250,
      // Notice a dead server within seconds, not the default minutes.
      pingInterval: 5000,
      maxPingOut: 2,
      ...settings.connection,
    });
    try {
      const session: JetStreamSession = {
        nc,
        js: jetstream.jetstream(nc, { timeout: settings.requestTimeoutMs }),
        jsm: await jetstream.jetstreamManager(nc, { timeout: settings.requestTimeoutMs, checkAPI: false }),
        createInbox: transport.createInbox,
      };
      await settings.setUp(session);
      watch(session);
      return session;
    } catch (error) {
      await nc.close().catch(() => {});
      throw error;
    }
  }

  function watch(session: JetStreamSession): void {
    live = true;
    opened = true;
    void (async () => {
      for await (const status of session.nc.status()) {
        if (status.type === 'disconnect' || status.type === 'reconnecting') live = false;
        else if (status.type === 'reconnect') live = true;
      }
    })().catch(() => {});
    void session.nc.closed().then(() => {
      live = false;
      opened = false;
      // Closed by the server or the client for good: the next use opens a new connection.
      if (!closed) current = undefined;
    });
  }

  return {
    session() {
      if (closed) return Promise.reject(new Error('the JetStream log is closed'));
      if (current) return current;
      const wait = retryAt - Date.now();
      if (wait > 0) return Promise.reject(new Error(`NATS unreachable; next connect attempt in ${wait} ms`));
      const attempt = open().then(
        (session) => {
          failures = 0;
          return session;
        },
        (error) => {
          failures++;
          retryAt = Date.now() + Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** (failures - 1));
          if (current === attempt) current = undefined;
          throw error;
        },
      );
      current = attempt;
      return attempt;
    },
    down: () => (opened && !live) || (current === undefined && retryAt > Date.now()),
    retryAfterMs: () => (live ? 0 : Math.max(MIN_BACKOFF_MS, retryAt - Date.now())),
    async close() {
      closed = true;
      const session = await current?.catch(() => undefined);
      current = undefined;
      if (session && !session.nc.isClosed()) await session.nc.drain().catch(() => session.nc.close());
    },
  };
}
