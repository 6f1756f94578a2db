/**
 * A real HTTP server on 127.0.0.1 (port 0) that records every request, for delivery tests that
 * must see the bytes on the wire. Its answer per request is scripted by the test.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SinkRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface SinkAnswer {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Answer after this many ms (a slow backend). */
  delayMs?: number;
  /** Destroy the connection instead of answering. */
  reset?: boolean;
}

export interface Sink {
  url: string;
  requests: SinkRequest[];
  /** Events of every request answered 2xx, in arrival order (from `{"batch":[…]}` bodies). */
  delivered: Array<{ messageId: string; [key: string]: unknown }>;
  /** Resolves once `n` events were delivered. */
  waitFor(n: number): Promise<void>;
  close(): Promise<void>;
}

export async function startSink(
  answer: (request: SinkRequest, index: number) => SinkAnswer = () => ({}),
): Promise<Sink> {
  const requests: SinkRequest[] = [];
  const delivered: Sink['delivered'] = [];
  let waiters: { n: number; resolve: () => void }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request: SinkRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      const index = requests.push(request) - 1;
      const a = answer(request, index);
      const respond = () => {
        if (a.reset) {
          req.socket.destroy();
          return;
        }
        const status = a.status ?? 200;
        if (status >= 200 && status < 300) {
          const parsed = JSON.parse(request.body) as { batch?: Sink['delivered'] };
          for (const e of parsed.batch ?? []) delivered.push(e);
          waiters = waiters.filter((w) => {
            if (delivered.length < w.n) return true;
            w.resolve();
            return false;
          });
        }
        res.writeHead(status, { 'content-type': 'application/json', ...a.headers });
        res.end(a.body ?? '{}');
      };
      if (a.delayMs) setTimeout(respond, a.delayMs);
      else respond();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/ingest`,
    requests,
    delivered,
    waitFor(n) {
      if (delivered.length >= n) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ n, resolve }));
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
