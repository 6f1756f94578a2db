import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type IngestServer, startIngestServer, waitFor } from '../test/support/ingest-server.js';
import { makeTracker, uniqueName } from '../test/support/tracker-harness.js';
import type { Tracker } from './types.js';

let server: IngestServer;
beforeEach(async () => {
  server = await startIngestServer();
});
afterEach(async () => {
  await server.close();
});

const all = () => server.batches.flatMap((b) => b.events);
/** What the page recorded about the customer's behaviour and feedback (not consent records). */
const events = () => all().filter((e) => e.event !== 'consent.updated');
/** The `consent.updated` touchpoints the server received, the proof of each decision. */
const records = () => all().filter((e) => e.event === 'consent.updated');
/** Sends until `count` consent records arrived (the recorder is a chunk loaded on demand). */
const recorded = (tp: Tracker, count: number) =>
  waitFor(async () => {
    await tp.flush();
    return records().length >= count;
  }, `${count} consent records`);
const GPC = () => Object.defineProperty(navigator, 'globalPrivacyControl', { configurable: true, value: true });

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

describe('consent records', () => {
  it('sends a decision made through setConsent as consent.updated, with the policy version', async () => {
    const { tp } = makeTracker(server, { consent: 'pending', policyVersion: '2026-05' });
    tp.setConsent({ analytics: true, personalization: true });
    await recorded(tp, 1);
    const [record] = records();
    expect(record).toMatchObject({
      type: 'track',
      event: 'consent.updated',
      properties: {
        analytics: true,
        personalization: true,
        marketing: false,
        gpc: false,
        policyVersion: '2026-05',
        source: 'api',
      },
      context: { consent: { analytics: true, personalization: true, marketing: false } },
    });
    expect(record.anonymousId).toBe(tp.getIds().anonymousId);
    tp.destroy();
  });

  it('sends a refusal too, though nothing else is sent without analytics consent', async () => {
    const { tp, seen } = makeTracker(server, { consent: 'pending' });
    tp.track('held');
    tp.setConsent({ analytics: false });
    expect(tp.track('after').ok).toBe(false);
    await recorded(tp, 1);
    expect(records()[0].properties).toEqual({
      analytics: false,
      personalization: false,
      marketing: false,
      gpc: false,
      source: 'api',
    });
    expect(events()).toEqual([]);
    expect(seen.dropped.map((d) => d.reason)).toEqual(['consent', 'consent']);
    tp.destroy();
  });

  it('records a decision once per browser: the same choice on the next page sends nothing, a change does', async () => {
    const name = uniqueName();
    const first = makeTracker(server, { name, consent: 'pending' });
    first.tp.setConsent({ analytics: true });
    await recorded(first.tp, 1);
    first.tp.destroy();
    // The next page: the banner hands the saved choice over again, then the customer changes it.
    const next = makeTracker(server, { name, consent: 'pending' });
    next.tp.setConsent({ analytics: true });
    next.tp.track('seen');
    await next.tp.flush();
    expect(events().map((e) => e.event)).toEqual(['seen']);
    next.tp.setConsent({ marketing: true });
    await recorded(next.tp, 2);
    expect(records().map((r) => r.properties.marketing)).toEqual([false, true]);
    next.tp.destroy();
  });

  it('records consent given at creation once (source config), and again after reset() for the new visitor', async () => {
    const name = uniqueName();
    const consent = { analytics: true, personalization: false, marketing: false };
    const first = makeTracker(server, { name, consent });
    await recorded(first.tp, 1);
    expect(records()[0].properties.source).toBe('config');
    const before = first.tp.getIds().anonymousId;
    first.tp.destroy();
    const again = makeTracker(server, { name, consent });
    again.tp.track('page two');
    await waitFor(async () => {
      await again.tp.flush();
      return events().length === 1;
    }, 'the second page event');
    expect(records()).toHaveLength(1);
    again.tp.reset();
    again.tp.destroy();
    const afterReset = makeTracker(server, { name, consent });
    await recorded(afterReset.tp, 2);
    expect(records()[1].anonymousId).not.toBe(before);
    expect(records()[1].anonymousId).toBe(afterReset.tp.getIds().anonymousId);
    afterReset.tp.destroy();
  });

  it('records Global Privacy Control turning marketing off (source gpc), once', async () => {
    GPC();
    try {
      const name = uniqueName();
      const first = makeTracker(server, { name, respectGlobalPrivacyControl: true, policyVersion: 'v3' });
      await recorded(first.tp, 1);
      expect(records()[0].properties).toEqual({
        analytics: true,
        personalization: true,
        marketing: false,
        gpc: true,
        policyVersion: 'v3',
        source: 'gpc',
      });
      first.tp.destroy();
      const again = makeTracker(server, { name, respectGlobalPrivacyControl: true, policyVersion: 'v3' });
      again.tp.track('x');
      await waitFor(async () => {
        await again.tp.flush();
        return events().length === 1;
      }, 'the second page event');
      expect(records()).toHaveLength(1);
      again.tp.destroy();
    } finally {
      delete (navigator as any).globalPrivacyControl;
    }
  });

  it('sends no record for the default "everything granted", which nobody decided', async () => {
    const { tp } = makeTracker(server);
    tp.track('x');
    // A tracker created afterwards with a decision: once its record arrived, a record the first
    // one had started (the same lazily loaded module, imported earlier) would have arrived too.
    const decided = makeTracker(server, { consent: { analytics: true, personalization: true, marketing: true } });
    await recorded(decided.tp, 1);
    await tp.flush();
    expect(records().map((r) => r.anonymousId)).toEqual([decided.tp.getIds().anonymousId]);
    expect(events().map((e) => e.event)).toEqual(['x']);
    tp.destroy();
    decided.tp.destroy();
  });

  it('refuses a policyVersion that is not a non-empty string', () => {
    const { tp } = makeTracker(server, { policyVersion: '' });
    const result = tp.track('x');
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.error).toMatchObject({ code: 'invalid', message: expect.stringContaining('policyVersion') });
  });
});
