import 'fake-indexeddb/auto';
import { createManualClock } from '@touchpoint/core/testing';
import { createStore, keys } from 'idb-keyval';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type IngestServer, startIngestServer, waitFor } from '../test/support/ingest-server.js';
import { makeTracker, uniqueName } from '../test/support/tracker-harness.js';

let server: IngestServer;
beforeEach(async () => {
  server = await startIngestServer();
});
afterEach(async () => {
  await server.close();
});

const delivered = () => server.batches.flatMap((b) => b.messageIds);
const settle = () => new Promise((r) => setTimeout(r, 60));
/** Events stored in IndexedDB for the tracker called `name`. */
const stored = async (name: string) => (await keys(createStore(`touchpoint-${name}`, 'events'))).length;

describe('durable queue', () => {
  it('keeps events in IndexedDB across a page close, and the next page delivers them', async () => {
    const name = uniqueName();
    server.mode = 'down';
    const first = makeTracker(server, { name });
    const ids = Array.from({ length: 25 }, (_, i) => first.tp.track(`e${i}`)).map((r) => r.ok && r.messageId);
    await first.tp.flush();
    await waitFor(async () => (await stored(name)) === 25, 'the events to be stored');
    first.tp.destroy(); // the page closes: its owner lock is released

    server.mode = 'up';
    const next = makeTracker(server, { name });
    await waitFor(() => delivered().length === 25, 'the stored events');
    expect(delivered().sort()).toEqual([...ids].sort());
    next.tp.destroy();
  });

  it('does not adopt the events of a tab that is still open, so no event is sent twice', async () => {
    const name = uniqueName();
    const clock = createManualClock(Date.parse('2026-11-22T10:00:00Z'));
    server.mode = 'down';
    const tabA = makeTracker(server, { name }, clock);
    for (let i = 0; i < 10; i++) tabA.tp.track(`a${i}`);
    await tabA.tp.flush();
    await waitFor(async () => (await stored(name)) === 10, "tab A's events to be stored");
    server.mode = 'up';
    const tabB = makeTracker(server, { name }, clock);
    tabB.tp.track('b0');
    await settle();
    expect(await tabB.tp.flush()).toEqual({ ok: true, pending: 0 });
    expect(delivered()).toHaveLength(1);
    expect(await tabA.tp.flush()).toEqual({ ok: true, pending: 0 });
    clock.advance(120_000); // B looks for orphans again: A is alive, so nothing to adopt
    await settle();
    expect(delivered()).toHaveLength(11);
    expect(server.duplicates()).toEqual([]);
    await waitFor(async () => (await stored(name)) === 0, 'the store to empty');
    tabA.tp.destroy();
    tabB.tp.destroy();
  });

  it('drops the oldest events beyond the cap, and says so', async () => {
    server.mode = 'down';
    const { tp, seen } = makeTracker(server, { queue: { maxEvents: 5 } });
    const ids = Array.from({ length: 7 }, (_, i) => tp.track(`e${i}`)).map((r) => r.ok && r.messageId);
    expect(seen.dropped).toEqual([
      { reason: 'queue_full', messageIds: [ids[0]] },
      { reason: 'queue_full', messageIds: [ids[1]] },
    ]);
    server.mode = 'up';
    await tp.flush();
    expect(delivered()).toEqual(ids.slice(2));
    tp.destroy();
  });

  it('works in memory when IndexedDB is not wanted', async () => {
    const { tp } = makeTracker(server, { storage: 'memory' });
    tp.track('a');
    expect(await tp.flush()).toEqual({ ok: true, pending: 0 });
    tp.destroy();
  });

  it('keeps two trackers on one page apart', async () => {
    const one = makeTracker(server, { writeKey: 'pk_one' });
    const two = makeTracker(server, { writeKey: 'pk_two' });
    one.tp.track('from.one');
    two.tp.track('from.two');
    await Promise.all([one.tp.flush(), two.tp.flush()]);
    const byKey = Object.fromEntries(server.batches.map((b) => [b.writeKey, b.events.map((e) => e.event)]));
    expect(byKey).toEqual({ pk_one: ['from.one'], pk_two: ['from.two'] });
    expect(one.tp.getIds().anonymousId).not.toBe(two.tp.getIds().anonymousId);
    one.tp.destroy();
    two.tp.destroy();
  });
});
