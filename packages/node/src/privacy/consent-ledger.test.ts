/**
 * The consent ledger on both stores: consent events recorded once through the destination the
 * forwarder delivers to, read back for the whole profile, kept without identifiers after an
 * erasure, malformed events answered not-retryable after the valid ones are committed.
 */
import { randomUUID } from 'node:crypto';
import { TouchpointConfigError, type TouchpointEvent } from '@touchpoint/core';
import { beforeEach, expect, it } from 'vitest';
import { describeOnEachStore } from '../../test/postgres.js';
import { createIdentityGraph } from '../cases/identity-graph.js';
import type { SqlStore } from '../cases/sql-store.js';
import { createForwarder } from '../forwarder.js';
import type { DropReport } from '../types.js';
import { type ConsentLedger, createConsentLedger } from './consent-ledger.js';
import { createErasureSubject } from './subject.js';

const T0 = Date.parse('2026-06-01T03:00:00Z');
const DAY = 86_400_000;

function consent(
  at: number,
  who: { anonymousId?: string; userId?: string },
  properties: Record<string, unknown>,
): TouchpointEvent {
  return {
    type: 'track',
    messageId: randomUUID(),
    timestamp: new Date(at).toISOString(),
    ...who,
    event: 'consent.updated',
    properties: properties as never,
  } as TouchpointEvent;
}

const granted = {
  analytics: true,
  personalization: true,
  marketing: false,
  policyVersion: '2026-05',
  source: 'banner',
};

describeOnEachStore('consent ledger', (_backend, openStore) => {
  let store: SqlStore;
  beforeEach(() => {
    store = openStore();
  });

  function setup(now = T0): { ledger: ConsentLedger; graph: ReturnType<typeof createIdentityGraph> } {
    const graph = createIdentityGraph(store, { hashKey: 'shop-secret' });
    return { graph, ledger: createConsentLedger(store, { graph, clock: { now: () => now } }) };
  }

  it('records each decision once, and reads the whole profile oldest first (before and after sign-in)', async () => {
    const { ledger, graph } = setup();
    const destination = ledger.destination();
    expect(destination.name).toBe('consent');
    const first = consent(T0, { anonymousId: 'anon-1' }, { ...granted, gpc: false });
    const later = consent(
      T0 + DAY,
      { anonymousId: 'anon-1', userId: 'u-1' },
      {
        analytics: true,
        personalization: false,
        marketing: false,
        gpc: true,
        source: 'gpc',
      },
    );
    const view = { ...first, messageId: randomUUID(), event: 'product.viewed', properties: {} } as TouchpointEvent;
    expect(await destination.send([view, first])).toBeUndefined();
    // At-least-once delivery: the same batch again, and then the next one.
    await destination.send([view, first]);
    await destination.send([later]);

    // Only anonymous until the graph learns who it is.
    expect((await ledger.consents({ anonymousId: 'anon-1' })).map((r) => r.messageId)).toEqual([
      first.messageId,
      later.messageId,
    ]);
    expect((await ledger.consents({ userId: 'u-1' })).map((r) => r.messageId)).toEqual([later.messageId]);
    await graph.link({ userId: 'u-1' }, { anonymousId: 'anon-2' }, { reason: 'identify' });
    await graph.link({ userId: 'u-1' }, { anonymousId: 'anon-1' }, { reason: 'identify' });
    const records = await ledger.consents({ anonymousId: 'anon-2' });
    expect(records).toEqual([
      {
        consent: { analytics: true, personalization: true, marketing: false },
        gpc: false,
        policyVersion: '2026-05',
        source: 'banner',
        at: new Date(T0).toISOString(),
        messageId: first.messageId,
      },
      {
        consent: { analytics: true, personalization: false, marketing: false },
        gpc: true,
        source: 'gpc',
        at: new Date(T0 + DAY).toISOString(),
        messageId: later.messageId,
      },
    ]);
    expect(await ledger.consents({ userId: 'nobody' })).toEqual([]);
    expect(await ledger.record(view)).toBe(false);
    expect(await ledger.record(first)).toBe(false);
  });

  it('keeps every record after an erasure, without identifiers, under the erasure id — and a redelivery does not re-identify', async () => {
    const { ledger, graph } = setup();
    const ann = consent(T0, { anonymousId: 'anon-ann', userId: 'user-ann' }, { ...granted, gpc: false });
    const annLater = consent(T0 + DAY, { userId: 'user-ann' }, { ...granted, marketing: true, gpc: false });
    const bob = consent(T0, { anonymousId: 'anon-bob' }, { ...granted, gpc: true });
    await ledger.destination().send([ann, annLater, bob]);
    const subject = createErasureSubject({ erasureId: 'er_1', ...(await graph.profileOf({ userId: 'user-ann' })) });

    const result = await ledger.erase(subject);
    expect(result.erased).toBe(2);
    expect(result.detail).toBe('kept 2 consent records as proof without identifiers');
    expect(await ledger.consents({ userId: 'user-ann' })).toEqual([]);
    const proof = await ledger.ofErasure('er_1');
    expect(proof.map((r) => [r.messageId, r.consent.marketing, r.erasureId])).toEqual([
      [ann.messageId, false, 'er_1'],
      [annLater.messageId, true, 'er_1'],
    ]);
    const rows = JSON.stringify(await store.query('select * from consent_records'));
    expect(rows).not.toContain('user-ann');
    expect(rows).not.toContain('anon-ann');
    expect(rows).toContain('anon-bob');

    await ledger.destination().send([ann]);
    expect(await ledger.consents({ userId: 'user-ann' })).toEqual([]);
    expect(await ledger.ofErasure('er_1')).toHaveLength(2);
    expect((await ledger.erase(subject)).erased).toBe(0);
    expect(await ledger.consents({ anonymousId: 'anon-bob' })).toHaveLength(1);
  });

  it('commits the valid decisions of a batch and answers a malformed one as not retryable, naming the field', async () => {
    const { ledger } = setup();
    const good = consent(T0, { anonymousId: 'anon-1' }, { ...granted });
    const noFlag = consent(
      T0,
      { anonymousId: 'anon-1' },
      { analytics: 'yes', personalization: true, marketing: false },
    );
    const nobody = consent(T0, {}, { ...granted });
    const answer = await ledger.destination({ name: 'proof' }).send([good, noFlag, nobody]);
    expect(answer).toMatchObject({ ok: false, retryable: false });
    expect(answer?.message).toContain(
      `consent.updated ${noFlag.messageId}: properties.analytics must be true or false`,
    );
    expect(answer?.message).toContain(`${nobody.messageId}: needs an anonymousId or a userId`);
    // `gpc` absent: a browser without the signal.
    expect((await ledger.consents({ anonymousId: 'anon-1' })).map((r) => [r.messageId, r.gpc])).toEqual([
      [good.messageId, false],
    ]);
    await expect(ledger.record(noFlag)).rejects.toThrow(/properties\.analytics/);
  });

  it('takes consent events from a real forwarder: a redelivered one is recorded once, a malformed one is dead-lettered with why', async () => {
    const { ledger } = setup();
    const drops: DropReport[] = [];
    const forwarder = createForwarder({
      destinations: [ledger.destination()],
      retry: { maxAttempts: 2, baseMs: 1, maxMs: 5 },
      onDrop: (drop) => drops.push(drop),
    });
    const good = consent(T0, { anonymousId: 'anon-f' }, { ...granted, gpc: true });
    const bad = consent(T0, { anonymousId: 'anon-f' }, { analytics: true });
    expect(forwarder.enqueue(good)).toBe(true);
    await forwarder.flush();
    // At-least-once: the same event delivered again later (a replay, another instance).
    forwarder.enqueue(good);
    forwarder.enqueue(bad);
    await forwarder.flush();
    await forwarder.close();
    expect((await ledger.consents({ anonymousId: 'anon-f' })).map((r) => r.messageId)).toEqual([good.messageId]);
    expect(drops).toHaveLength(1);
    expect(drops[0]).toMatchObject({ reason: 'not_retryable', destination: 'consent' });
    expect(drops[0]!.message).toContain(`${bad.messageId}: properties.personalization must be true or false`);
  });

  it('keeps consent records as proof unless given its own retention period', async () => {
    const { ledger } = setup(T0 + 400 * DAY);
    await ledger
      .destination()
      .send([
        consent(T0, { anonymousId: 'anon-1' }, granted),
        consent(T0 + 300 * DAY, { anonymousId: 'anon-1' }, granted),
      ]);
    await expect(ledger.applyRetention({ days: -1 })).rejects.toThrow(TouchpointConfigError);
    expect(await ledger.applyRetention({ days: 365 })).toEqual({ removed: 1 });
    expect(await ledger.consents({ anonymousId: 'anon-1' })).toHaveLength(1);
  });

  it('refuses a missing store or graph at creation', () => {
    expect(() => createConsentLedger(undefined as never, { graph: setup().graph })).toThrow(TouchpointConfigError);
    expect(() => createConsentLedger(store, {} as never)).toThrow(/createConsentLedger\.graph/);
  });
});
