// The ingest on Express 5 through toNodeHandler; no body parser in front of it (it reads the stream).
import { createForwarder, createIngestHandler, destinations, toNodeHandler } from '@touchpoint/node';
import express from 'express';

const forwarder = createForwarder({ destinations: [destinations.http({ url: process.env.SINK_URL! })] });
const ingest = createIngestHandler({ forwarder, writeKeys: ['pk_test_express'] });

const app = express();
app.get('/', (_req, res) => {
  res.send('ok');
});
app.all('/api/touchpoints', toNodeHandler(ingest));

const server = app.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', async () => {
  server.close();
  await forwarder.close({ timeoutMs: 2000 });
  process.exit(0);
});
