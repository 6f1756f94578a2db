// The ingest on Hono, served by @hono/node-server: the handler takes the web-standard Request as is.
import { serve } from '@hono/node-server';
import { createForwarder, createIngestHandler, destinations } from '@touchpoint/node';
import { Hono } from 'hono';

const forwarder = createForwarder({ destinations: [destinations.http({ url: process.env.SINK_URL! })] });
const ingest = createIngestHandler({ forwarder, writeKeys: ['pk_test_hono'] });

const app = new Hono<{ Bindings: { incoming: { socket: { remoteAddress?: string } } } }>();
app.get('/', (c) => c.text('ok'));
app.on(['POST', 'OPTIONS'], '/api/touchpoints', (c) => {
  const ip = c.env.incoming.socket.remoteAddress;
  return ingest(c.req.raw, ip ? { ip } : {});
});

const server = serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' });
process.on('SIGTERM', async () => {
  server.close();
  await forwarder.close({ timeoutMs: 2000 });
  process.exit(0);
});
