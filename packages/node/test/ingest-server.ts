/** Starts an ingest (handler + forwarder into memory) on a real loopback node:http server. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TouchpointEvent } from '@touchpoint/core';
import * as destinations from '../src/destinations/index.js';
import { createForwarder, type ForwarderOptions } from '../src/forwarder.js';
import { createIngestHandler, type IngestHandlerOptions } from '../src/ingest-handler.js';
import { toNodeHandler } from '../src/node-handler.js';

export const WRITE_KEY = 'pk_test_123';

export async function startIngest(
  options: Partial<IngestHandlerOptions> = {},
  forwarderOptions: Partial<ForwarderOptions> = {},
) {
  const received: TouchpointEvent[] = [];
  const forwarder = createForwarder({
    destinations: [destinations.fn(async (events) => void received.push(...events), { name: 'memory' })],
    batch: { maxEvents: 1 },
    ...forwarderOptions,
  });
  const handler = createIngestHandler({ forwarder, writeKeys: [WRITE_KEY], onError: () => {}, ...options });
  const server = createServer(toNodeHandler(handler));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/batch`;
  return {
    url,
    handler,
    forwarder,
    received,
    post(body: string | Uint8Array, headers: Record<string, string> = {}, path = '') {
      return fetch(url + path, {
        method: 'POST',
        body: body as BodyInit,
        headers: { 'content-type': 'text/plain;charset=UTF-8', ...headers },
      });
    },
    async close() {
      await forwarder.close({ timeoutMs: 1000 });
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export function batchBody(batch: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ batch, sentAt: new Date().toISOString(), v: 1, writeKey: WRITE_KEY, ...extra });
}
