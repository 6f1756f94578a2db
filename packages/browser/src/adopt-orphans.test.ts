import 'fake-indexeddb/auto';
import { createManualClock } from '@touchpoint/core/testing';
import { createStore, setMany } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import { adoptOrphans } from './adopt-orphans.js';
import { localKeyValue } from './environment.js';
import { createQueue } from './queue.js';
import { createTabOwnership } from './tab-ownership.js';

let counter = 0;
const event = (messageId: string) => JSON.stringify({ type: 'track', event: 'x', messageId });

/** Three tabs of one shop in one browser (happy-dom has no Web Locks: the lease stands in). */
async function setting() {
  const namespace = `adopt${counter++}`;
  const kv = localKeyValue();
  const clock = createManualClock(Date.parse('2026-11-22T10:00:00Z'));
  const me = createTabOwnership(namespace, kv, clock);
  const open = createTabOwnership(namespace, kv, clock);
  await Promise.all([me.ready_, open.ready_]);
  const store = createStore(`touchpoint-${namespace}`, 'events');
  // The id of a tab that closed: nobody holds its lock.
  const closed = 'closed-tab';
  await setMany(
    [
      [`${me.id_}:00000000`, event('mine')],
      [`${open.id_}:00000000`, event('open-1')],
      [`${closed}:00000000`, event('closed-1')],
      [`${closed}:00000001`, event('closed-2')],
    ],
    store,
  );
  const queue = createQueue({
    store_: undefined,
    maxEvents_: 100,
    maxBytes_: 1e6,
    ready_: Promise.resolve(),
    onOverflow_: () => {},
    onStorageError_: (error) => {
      throw error;
    },
  });
  const waiting = () => queue.take_(100, 1e6).map((item) => item.messageId_);
  return { me, open, closed, store, queue, waiting };
}

describe('adoptOrphans', () => {
  it("takes over a closed tab's stored events, and leaves an open tab's and its own alone", async () => {
    const { me, open, store, queue, waiting } = await setting();
    expect(await adoptOrphans(store, queue, me)).toBe(2);
    expect(waiting().sort()).toEqual(['closed-1', 'closed-2']);
    me.release_();
    open.release_();
  });

  it('adopts each event once, however often it looks', async () => {
    const { me, open, store, queue } = await setting();
    expect(await adoptOrphans(store, queue, me)).toBe(2);
    expect(await adoptOrphans(store, queue, me)).toBe(0);
    expect(queue.size_).toBe(2);
    me.release_();
    open.release_();
  });

  it("adopts a tab's events once that tab closes", async () => {
    const { me, open, store, queue, waiting } = await setting();
    await adoptOrphans(store, queue, me);
    open.release_();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(await adoptOrphans(store, queue, me)).toBe(1);
    expect(waiting()).toContain('open-1');
    me.release_();
  });

  it('loses no stored event it cannot read: an unreadable one is still sent, without an id', async () => {
    const { me, open, closed, store, queue } = await setting();
    await setMany([[`${closed}:00000002`, '{not json']], store);
    expect(await adoptOrphans(store, queue, me)).toBe(3);
    const items = queue.take_(100, 1e6);
    expect(items.find((i) => i.json_ === '{not json')).toMatchObject({ messageId_: '', bytes_: 9 });
    me.release_();
    open.release_();
  });
});
