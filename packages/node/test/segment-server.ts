/** Starts the Segment-compatible ingest (handler + forwarder into memory) on a real loopback server. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TouchpointEvent } from '@touchpoint/core';
import * as destinations from '../src/destinations/index.js';
import { createForwarder, type ForwarderOptions } from '../src/forwarder.js';
import { toNodeHandler } from '../src/node-handler.js';
import { createSegmentIngestHandler, type SegmentIngestOptions } from '../src/segment-ingest.js';

export const SEGMENT_KEY = 'seg_write_key_1';

export async function startSegmentIngest(
  options: Partial<SegmentIngestOptions> = {},
  forwarderOptions: Partial<ForwarderOptions> = {},
  deliver: (events: TouchpointEvent[]) => Promise<void> = async () => {},
) {
  const received: TouchpointEvent[] = [];
  const forwarder = createForwarder({
    destinations: [
      destinations.fn(
        async (events) => {
          await deliver(events);
          received.push(...events);
        },
        { name: 'memory' },
      ),
    ],
    batch: { maxEvents: 50, maxWaitMs: 5 },
    ...forwarderOptions,
  });
  const handler = createSegmentIngestHandler({ forwarder, writeKeys: [SEGMENT_KEY], onError: () => {}, ...options });
  const paths: string[] = [];
  const server = createServer(
    toNodeHandler((request, info) => {
      paths.push(`${request.method} ${new URL(request.url).pathname}`);
      return handler(request, info);
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    forwarder,
    received,
    /** `METHOD /path` of every request, in arrival order. */
    paths,
    /** Events that reached the destination, by message id: every id must appear once. */
    counts(): Map<string, number> {
      const counts = new Map<string, number>();
      for (const e of received) counts.set(e.messageId, (counts.get(e.messageId) ?? 0) + 1);
      return counts;
    },
    post(path: string, body: unknown, headers: Record<string, string> = {}) {
      return fetch(origin + path, {
        method: 'POST',
        body: typeof body === 'string' ? body : JSON.stringify(body),
        headers: {
          'content-type': 'application/json',
          authorization: `Basic ${Buffer.from(`${SEGMENT_KEY}:`).toString('base64')}`,
          ...headers,
        },
      });
    },
    async close() {
      await forwarder.close({ timeoutMs: 1000 });
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
