import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type IngestServer, startIngestServer } from '../test/support/ingest-server.js';
import { makeTracker } from '../test/support/tracker-harness.js';

let server: IngestServer;
beforeEach(async () => {
  server = await startIngestServer();
});
afterEach(async () => {
  await server.close();
});

const events = () => server.batches.flatMap((b) => b.events);

describe('consent', () => {
  it('holds events while consent is pending and sends them once granted, stamped with the consent', async () => {
    const { tp, seen } = makeTracker(server, { consent: 'pending' });
    expect(tp.getConsent()).toBe('pending');
    tp.track('a');
    tp.page();
    expect(await tp.flush()).toEqual({ ok: true, pending: 0 });
    expect(server.batches).toHaveLength(0);
    tp.setConsent({ analytics: true });
    expect(seen.consent).toEqual([{ analytics: true, personalization: false, marketing: false }]);
    await tp.flush();
    expect(events().map((e) => e.type)).toEqual(['track', 'page']);
    expect(events()[0].context.consent).toEqual({ analytics: true, personalization: false, marketing: false });
    tp.destroy();
  });

  it('discards held behaviour events when analytics is refused, but keeps explicit feedback', async () => {
    const { tp, seen } = makeTracker(server, { consent: 'pending' });
    tp.track('a');
    tp.feedback({ kind: 'csat', score: 5 });
    tp.setConsent({ analytics: false });
    await tp.flush();
    expect(events().map((e) => e.type)).toEqual(['feedback']);
    expect(seen.dropped.map((d) => d.reason)).toEqual(['consent']);
    const later = tp.track('b');
    expect(later.ok).toBe(false);
    if (!later.ok) expect(later.error.code).toBe('consent');
    expect(seen.dropped.map((d) => d.reason)).toEqual(['consent', 'consent']);
    expect(seen.error).toEqual([]);
    // Without analytics consent, identify() does not link the visitor to the user either.
    expect(tp.identify('user-9').ok).toBe(false);
    expect(tp.getIds().userId).toBeUndefined();
    tp.destroy();
  });

  it('caps the events held while consent is pending, dropping the oldest', async () => {
    const { tp, seen } = makeTracker(server, { consent: 'pending', queue: { maxEvents: 3 } });
    const ids = ['a', 'b', 'c', 'd', 'e'].map((name) => tp.track(name)).map((r) => r.ok && r.messageId);
    expect(seen.dropped).toEqual([
      { reason: 'queue_full', messageIds: [ids[0]] },
      { reason: 'queue_full', messageIds: [ids[1]] },
    ]);
    tp.setConsent({ analytics: true });
    await tp.flush();
    expect(events().map((e) => e.messageId)).toEqual(ids.slice(2));
    tp.destroy();
  });

  it('turns marketing off for browsers sending Global Privacy Control, when configured', () => {
    Object.defineProperty(navigator, 'globalPrivacyControl', { configurable: true, value: true });
    try {
      const respects = makeTracker(server, { respectGlobalPrivacyControl: true });
      expect(respects.tp.getConsent()).toEqual({ analytics: true, personalization: true, marketing: false });
      respects.tp.setConsent({ marketing: true });
      expect(respects.tp.getConsent()).toMatchObject({ marketing: false });
      const ignores = makeTracker(server);
      expect(ignores.tp.getConsent()).toMatchObject({ marketing: true });
      respects.tp.destroy();
      ignores.tp.destroy();
    } finally {
      delete (navigator as any).globalPrivacyControl;
    }
  });
});
