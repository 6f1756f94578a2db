/**
 * Adapts a Fetch API handler to node:http (and Express, which passes the same objects). The body
 * is streamed to the handler with backpressure, so its size limit applies before anything is
 * buffered; the client's socket address is passed along as `info.ip`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IngestRequestInfo } from './ingest-handler.js';

function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        req.on('data', (chunk: Buffer) => {
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) req.pause();
        });
        req.on('end', () => controller.close());
        req.on('error', (error) => controller.error(error));
        req.pause();
      },
      pull() {
        req.resume();
      },
      cancel() {
        // Stop reading; node discards the rest after the answer (sent with `connection: close`).
        req.pause();
      },
    },
    { highWaterMark: 4 },
  );
}

/**
 * @example
 * http.createServer(toNodeHandler(createIngestHandler({ forwarder, writeKeys }))).listen(8080);
 */
export function toNodeHandler(
  handler: (request: Request, info?: IngestRequestInfo) => Promise<Response>,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void (async () => {
      try {
        const host = req.headers.host ?? 'localhost';
        const url = new URL(req.url ?? '/', `http://${host.replace(/[^\w.:[\]-]/g, '') || 'localhost'}`);
        const headers = new Headers();
        for (const [name, value] of Object.entries(req.headers)) {
          if (value === undefined) continue;
          if (Array.isArray(value)) for (const v of value) headers.append(name, v);
          else headers.set(name, value);
        }
        const method = req.method ?? 'GET';
        const hasBody = method !== 'GET' && method !== 'HEAD';
        const request = new Request(url, {
          method,
          headers,
          ...(hasBody && { body: bodyStream(req), duplex: 'half' }),
        } as RequestInit);
        const info: IngestRequestInfo = req.socket.remoteAddress ? { ip: req.socket.remoteAddress } : {};
        const response = await handler(request, info);
        const out: Record<string, string> = {};
        response.headers.forEach((value, name) => {
          out[name] = value;
        });
        const payload = Buffer.from(await response.arrayBuffer());
        res.writeHead(response.status, out);
        res.end(payload);
      } catch (error) {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
          res.end(JSON.stringify({ error: 'internal_error', message: String(error) }));
        } else res.destroy();
      }
    })();
  };
}
