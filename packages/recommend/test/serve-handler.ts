/**
 * Serves a web-standard `(Request) => Promise<Response>` handler on a real loopback port, so
 * model-handler and loader tests go over actual HTTP. (A few lines, like @touchpoint/node's
 * `toNodeHandler`, which this package must not depend on.)
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackServer {
  url: string;
  /** Requests seen, with the headers that matter here. */
  requests: { method: string; path: string; ifNoneMatch: string | undefined; status: number }[];
  close(): Promise<void>;
}

export async function serveHandler(handler: (request: Request) => Promise<Response>): Promise<LoopbackServer> {
  const requests: LoopbackServer['requests'] = [];
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : Buffer.concat(chunks);
    const response = await handler(new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers, body }));
    requests.push({
      method: req.method ?? '',
      path: req.url ?? '',
      ifNoneMatch: req.headers['if-none-match'],
      status: response.status,
    });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
