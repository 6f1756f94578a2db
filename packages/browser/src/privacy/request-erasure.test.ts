import 'fake-indexeddb/auto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type IngestServer, startIngestServer } from '../../test/support/ingest-server.js';
import { makeTracker } from '../../test/support/tracker-harness.js';
import { requestErasure } from './request-erasure.js';

let ingest: IngestServer;
let server: Server | undefined;
beforeEach(async () => {
  ingest = await startIngestServer();
});
afterEach(async () => {
  await ingest.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

/** A loopback erasure endpoint answering `status` with `body` (and `headers`). */
async function endpoint(status: number, body: string, headers: Record<string, string> = {}): Promise<string> {
  server = createServer((req, res) => {
    if (req.method === 'OPTIONS')
      return void res
        .writeHead(204, {
          'access-control-allow-origin': '*',
          'access-control-allow-headers': 'content-type',
          'access-control-allow-methods': 'POST',
        })
        .end();
    req.resume();
    req.on('end', () =>
      res
        .writeHead(status, { 'access-control-allow-origin': '*', 'content-type': 'application/json', ...headers })
        .end(body),
    );
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/erasure`;
}

describe('requestErasure', () => {
  it('answers invalid arguments without sending anything or throwing', async () => {
    const { tp } = makeTracker(ingest);
    expect(await requestErasure(tp, { endpoint: '' })).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(await requestErasure(null as never, { endpoint: '/e' })).toMatchObject({
      ok: false,
      error: { code: 'invalid' },
    });
    tp.destroy();
  });

  it('keeps the ids when the request does not reach the server', async () => {
    const { tp } = makeTracker(ingest);
    const before = tp.getIds().anonymousId;
    const result = await requestErasure(tp, { endpoint: 'http://127.0.0.1:9/erasure' });
    expect(result).toMatchObject({ ok: false, error: { code: 'network' } });
    expect(tp.getIds().anonymousId).toBe(before);
    tp.destroy();
  });

  it("reports the server's refusal with its message and status, and keeps the ids", async () => {
    const { tp } = makeTracker(ingest);
    const before = tp.getIds().anonymousId;
    const url = await endpoint(429, '{"error":"rate_limited","message":"ask again in 30 s"}', { 'retry-after': '30' });
    expect(await requestErasure(tp, { endpoint: url, credentials: 'omit' })).toEqual({
      ok: false,
      error: { code: 'rate_limited', message: 'ask again in 30 s', status: 429, retryAfterSec: 30 },
    });
    expect(tp.getIds().anonymousId).toBe(before);
    tp.destroy();
  });

  it('resets the tracker on a 2xx answer: new anonymous id, no user, nothing queued', async () => {
    const { tp } = makeTracker(ingest, { consent: 'pending' });
    tp.identify('u-1');
    const before = tp.getIds();
    const url = await endpoint(202, '{"erasureId":"er_7","status":"pending"}');
    expect(await requestErasure(tp, { endpoint: url, credentials: 'omit' })).toEqual({
      ok: true,
      erasureId: 'er_7',
      status: 'pending',
    });
    const after = tp.getIds();
    expect(after.anonymousId).not.toBe(before.anonymousId);
    expect(after.userId).toBeUndefined();
    // The identify held while consent was pending was purged, not sent after the erasure.
    tp.setConsent({ analytics: true });
    await tp.flush();
    expect(ingest.batches.flatMap((b) => b.events).filter((e) => e.type === 'identify')).toEqual([]);
    tp.destroy();
  });
});
