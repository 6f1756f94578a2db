// The documented form: the handler itself is the route's export (docs/getting-started/server.md).
import { createForwarder, createIngestHandler, destinations } from '@touchpoint/node';

const forwarder = createForwarder({
  destinations: [destinations.http({ url: process.env.SINK_URL ?? 'http://127.0.0.1:9/unset' })],
});

export const POST = createIngestHandler({ forwarder, writeKeys: ['pk_test_next'] });
export const OPTIONS = POST;
