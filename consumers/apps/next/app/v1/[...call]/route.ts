// Segment's HTTP Tracking API on a catch-all route (/v1/batch, /v1/track, /v1/projects/…/settings…):
// Next passes { params: Promise<{ call: string[] }> } as the handler's second argument.
import { createForwarder, createSegmentIngestHandler, destinations } from '@touchpoint/node';

const forwarder = createForwarder({
  destinations: [destinations.http({ url: process.env.SINK_URL ?? 'http://127.0.0.1:9/unset' })],
});

export const POST = createSegmentIngestHandler({ forwarder, writeKeys: ['seg_test_next'] });
export const GET = POST;
export const OPTIONS = POST;
