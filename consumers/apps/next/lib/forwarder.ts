// The wrapper route's forwarder and ingest, in a module of their own as an app keeps them; events go to the test's sink.
import { createForwarder, createIngestHandler, destinations } from '@touchpoint/node';

export const forwarder = createForwarder({
  destinations: [destinations.http({ url: process.env.SINK_URL ?? 'http://127.0.0.1:9/unset' })],
});

export const ingest = createIngestHandler({ forwarder, writeKeys: ['pk_test_next'] });
