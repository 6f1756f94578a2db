/**
 * A real loopback ingest for tests: accepts batches the way the node ingest does (text/plain or
 * JSON body `{batch, sentAt, v, writeKey}`), counts events by messageId, and can be told to
 * fail (answer a status, or drop the connection as a network error would). It can also serve
 * static pages for the real-browser tests.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedBatch {
  contentType: string | undefined;
  writeKey: string | undefined;
  messageIds: string[];
  events: any[];
  bytes: number;
}

export interface IngestServer {
  url: string;
  endpoint: string;
  batches: ReceivedBatch[];
  /** How many times each messageId arrived. */
  counts: Map<string, number>;
  /** `'down'` drops connections; a number answers that status; a function decides per batch. */
  mode:
    | 'up'
    | 'down'
    | number
    | ((batch: ReceivedBatch) => { status: number; body?: unknown; headers?: Record<string, string> } | undefined);
  /** Static routes: path → [content type, body, extra headers]. */
  pages: Map<string, [string, string | Buffer, Record<string, string>?]>;
  duplicates(): string[];
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startIngestServer(): Promise<IngestServer> {
  const state: Omit<IngestServer, 'url' | 'endpoint' | 'close' | 'duplicates'> = {
    batches: [],
    counts: new Map(),
    mode: 'up',
    pages: new Map(),
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = (req.url ?? '/').split('?')[0]!;
    const cors = { 'Access-Control-Allow-Origin': '*' };
    if (req.method === 'OPTIONS') {
      res
        .writeHead(204, {
          ...cors,
          'Access-Control-Allow-Headers': 'content-type',
          'Access-Control-Allow-Methods': 'POST',
        })
        .end();
      return;
    }
    if (req.method === 'GET') {
      const page = state.pages.get(path);
      if (!page) return void res.writeHead(404).end();
      res.writeHead(200, { 'Content-Type': page[0], 'Cache-Control': 'no-store', ...page[2] }).end(page[1]);
      return;
    }
    if (path !== '/ingest') return void res.writeHead(404, cors).end();
    const text = await readBody(req);
    if (state.mode === 'down') {
      req.socket.destroy();
      return;
    }
    let parsed: any;
    try {
      parsed = JSON.parse(text);
    } catch {
      return void res.writeHead(400, cors).end('{"error":"malformed"}');
    }
    const events: any[] = Array.isArray(parsed.batch) ? parsed.batch : [];
    const batch: ReceivedBatch = {
      contentType: req.headers['content-type'],
      writeKey: parsed.writeKey,
      messageIds: events.map((e) => e.messageId),
      events,
      bytes: Buffer.byteLength(text),
    };
    const custom =
      typeof state.mode === 'function'
        ? state.mode(batch)
        : typeof state.mode === 'number'
          ? { status: state.mode }
          : undefined;
    if (custom && custom.status !== 200) {
      res
        .writeHead(custom.status, { ...cors, 'Content-Type': 'application/json', ...custom.headers })
        .end(JSON.stringify(custom.body ?? {}));
      return;
    }
    state.batches.push(batch);
    for (const id of batch.messageIds) state.counts.set(id, (state.counts.get(id) ?? 0) + 1);
    res
      .writeHead(200, { ...cors, 'Content-Type': 'application/json' })
      .end(JSON.stringify(custom?.body ?? { accepted: events.length, rejected: [] }));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return Object.assign(state, {
    url,
    endpoint: `${url}/ingest`,
    duplicates: () => [...state.counts].filter(([, n]) => n > 1).map(([id]) => id),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  }) as IngestServer;
}

/** Waits until `check` returns true, polling; throws with `what` after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
