import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type IngestServer, startIngestServer, waitFor } from '../test/support/ingest-server.js';
import { createTracker } from './tracker.js';

let server: IngestServer;
beforeEach(async () => {
  server = await startIngestServer();
  localStorage.clear();
});
afterEach(async () => {
  await server.close();
});

describe('createTracker', () => {
  it('delivers a tracked event to the ingest as a text/plain batch', async () => {
    const tp = createTracker({ endpoint: server.endpoint, writeKey: 'pk_test', autoCapture: false, name: 'a1' });
    const result = tp.track('cart.item_added', { productId: 'sku-1' });
    expect(result.ok).toBe(true);
    const flushed = await tp.flush();
    expect(flushed).toEqual({ ok: true, pending: 0 });
    expect(server.batches).toHaveLength(1);
    const [batch] = server.batches;
    expect(batch!.contentType).toBe('text/plain;charset=UTF-8');
    expect(batch!.writeKey).toBe('pk_test');
    expect(batch!.events[0]).toMatchObject({
      type: 'track',
      event: 'cart.item_added',
      properties: { productId: 'sku-1' },
    });
    expect(batch!.messageIds[0]).toBe(result.ok && result.messageId);
    tp.destroy();
  });
});
