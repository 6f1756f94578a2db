/**
 * Adapts a Fetch API handler to node:http (and Express, which passes the same objects). The body
 * is streamed to the handler with backpressure, so its size limit applies before anything is
 * buffered; the client's socket address is passed along as `info.ip`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IngestRequestInfo } from './ingest-handler.js';

function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  // Once the handler cancels (body too large) or the stream ends, late node events must not
  // touch the controller: that would throw inside an event emitter and crash the process.
  let open = true;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        req.on('data', (chunk: Buffer) => {
          if (!open) return;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) req.pause();
        });
        req.on('end', () => {
          if (!open) return;
          open = false;
          controller.close();
        });
        req.on('error', (error) => {
          if (!open) return;
          open = false;
          controller.error(error);
        });
        req.pause();
      },
      pull() {
        req.resume();
      },
      cancel() {
        // Stop reading; the rest is discarded after the answer (sent with `connection: close`).
        open = false;
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
        // Answered before the body was read (401, 413…): close this connection rather than read
        // the rest into the next request's parser, and discard whatever still arrives.
        const unread = !req.complete;
        if (unread) out.connection = 'close';
        res.writeHead(response.status, out);
        res.end(payload);
        if (unread) {
          req.removeAllListeners('data');
          req.resume();
        }
      } catch (error) {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
          res.end(JSON.stringify({ error: 'internal_error', message: String(error) }));
        } else res.destroy();
      }
    })();
  };
}
