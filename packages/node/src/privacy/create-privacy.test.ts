import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TouchpointConfigError } from '@touchpoint/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { destinations } from '../destinations/index.js';
import { createForwarder } from '../forwarder.js';
import { memoryLog } from '../log/memory-log.js';
import type { Destination } from '../types.js';
import { createPrivacy, ErasureInputError, forgetTarget } from './create-privacy.js';
import type { ErasureRequest } from './subject.js';

const EMAIL = 'Mai.Pham@Example.com';
const USER = 'user-77120';
const ANON = 'anon-a1b2c3d4';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tp-privacy-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A destination whose erase answers from a script, and which records what it was asked. */
function scripted(name: string, answers: Array<{ ok: boolean; status?: number; retryAfter?: string }>) {
  const asked: ErasureRequest[] = [];
  const destination = destinations.fn(async () => ({ ok: true }), {
    name,
    erase: async (request) => {
      asked.push(request);
      return answers.shift() ?? { ok: true };
    },
  });
  return { destination, asked };
}

function forwarderWith(list: Destination[]) {
  return createForwarder({ log: memoryLog(), destinations: list, retry: { baseMs: 5, maxMs: 20 } });
}

describe('createPrivacy', () => {
  it('records each destination as done, failed with its reason, or unsupported, and keeps no identifiers once settled', async () => {
    const flaky = scripted('flaky', [
      { ok: false, status: 503 },
      { ok: false, status: 429, retryAfter: '0' },
    ]);
    const refuses = scripted('refuses', [{ ok: false, status: 400 }]);
    // A CRM that is down: the customer's event waits in the log for it, and must never reach it once erased.
    let crmDown = true;
    const crmReceived: string[] = [];
    const crm = destinations.fn(
      async (events) => {
        if (crmDown) return { ok: false, status: 503 };
        for (const e of events) crmReceived.push(e.userId ?? '');
        return { ok: true };
      },
      { name: 'crm' },
    );
    const forwarder = forwarderWith([flaky.destination, refuses.destination, crm]);
    forwarder.track({ event: 'order.completed', userId: USER, anonymousId: ANON, properties: { email: EMAIL } });
    forwarder.track({ event: 'order.completed', userId: 'someone-else' });
    await new Promise((r) => setTimeout(r, 100));
    const privacy = createPrivacy({ dir, forwarder, retry: { baseMs: 5, maxMs: 20 } });

    const record = await privacy.erase([{ userId: USER }, { email: EMAIL }, { anonymousId: ANON }], {
      requestedBy: 'operator-3',
    });
    expect(record.status).toBe('pending');
    expect(record.stores.find((s) => s.store === 'log')).toMatchObject({ ok: true, erased: 1 });
    expect(await privacy.settled({ timeoutMs: 10_000 })).toBe(true);

    const [audit] = await privacy.erasures();
    expect(audit!.destinations.flaky).toMatchObject({ status: 'done', attempts: 3 });
    expect(audit!.destinations.refuses).toMatchObject({ status: 'failed', attempts: 1 });
    expect((audit!.destinations.refuses as { reason: string }).reason).toMatch(/400/);
    expect(audit!.destinations.crm).toEqual({ status: 'unsupported' });
    expect(audit!.status).toBe('failed');
    expect(audit!.requestedBy).toBe('operator-3');
    expect(audit!.identityKinds).toEqual({ userId: 1, email: 1, anonymousId: 1 });
    // Destinations got what they need to find the customer: ids, the raw email given, its hash, the message ids.
    expect(flaky.asked[0]).toMatchObject({ userIds: [USER], anonymousIds: [ANON], emails: ['mai.pham@example.com'] });
    expect(flaky.asked[0]!.hashedEmails[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(flaky.asked[0]!.messageIds).toHaveLength(1);

    // The journal: the audit holds no identifier; the pending file (the only copy) is gone.
    const journal = await readFile(join(dir, 'audit.jsonl'), 'utf8');
    for (const needle of [USER, ANON, 'mai.pham@example.com', EMAIL, flaky.asked[0]!.hashedEmails[0]!])
      expect(journal).not.toContain(needle);
    expect(await readdir(join(dir, 'pending'))).toEqual([]);
    // The CRM comes back: it gets the other customer's event, never the erased one.
    crmDown = false;
    await forwarder.flush();
    expect(crmReceived).toEqual(['someone-else']);
    await privacy.close();
    await forwarder.close();
  });

  it('resumes after a crash: a store that failed and a destination that was down finish on the next start', async () => {
    let targetFails = true;
    const target = {
      name: 'orders-cache',
      async erase() {
        if (targetFails) throw new Error(`disk unavailable while removing ${EMAIL}`);
        return { erased: 2 };
      },
    };
    const down = scripted('crm', [
      { ok: false, status: 503 },
      { ok: false, status: 503 },
      { ok: false, status: 503 },
    ]);
    const forwarder1 = forwarderWith([down.destination]);
    const first = createPrivacy({
      dir,
      forwarder: forwarder1,
      targets: [target],
      retry: { baseMs: 60_000, maxMs: 60_000 },
    });
    const record = await first.erase({ email: EMAIL }, { requestedBy: 'dpo' });
    const failedStore = record.stores.find((s) => s.store === 'orders-cache')!;
    expect(failedStore.ok).toBe(false);
    // A driver's message may quote the customer: it is recorded redacted.
    expect(failedStore.detail).toBe('disk unavailable while removing [redacted]');
    // "Crash": the process stops with the erasure pending.
    await first.close();
    await forwarder1.close();
    expect(await readdir(join(dir, 'pending'))).toHaveLength(1);

    targetFails = false;
    const up = scripted('crm', []);
    const forwarder2 = forwarderWith([up.destination]);
    const second = createPrivacy({ dir, forwarder: forwarder2, targets: [target], retry: { baseMs: 5, maxMs: 20 } });
    expect(await second.settled({ timeoutMs: 10_000 })).toBe(true);
    const [audit] = await second.erasures();
    expect(audit!.id).toBe(record.id);
    expect(audit!.status).toBe('done');
    expect(audit!.stores.find((s) => s.store === 'orders-cache')).toMatchObject({ ok: true, erased: 2 });
    expect(up.asked[0]!.emails).toEqual(['mai.pham@example.com']);
    expect(await readdir(join(dir, 'pending'))).toEqual([]);
    await second.close();
    await forwarder2.close();
  });

  it('refuses what it cannot act on with a typed error, and nothing is erased', async () => {
    expect(() => createPrivacy({} as never)).toThrow(TouchpointConfigError);
    expect(() => createPrivacy({ dir, retention: { days: 0 } })).toThrow(TouchpointConfigError);
    expect(() => createPrivacy({ dir, targets: [{} as never] })).toThrow(TouchpointConfigError);
    const privacy = createPrivacy({ dir });
    await expect(privacy.erase([], { requestedBy: 'x' })).rejects.toThrow(ErasureInputError);
    await expect(privacy.erase({ userId: USER }, {} as never)).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(privacy.erase({ phone: '12' }, { requestedBy: 'x' })).rejects.toMatchObject({
      code: 'invalid_identity',
    });
    expect(await privacy.erasures()).toEqual([]);
    await privacy.close();
    await expect(privacy.erase({ userId: USER }, { requestedBy: 'x' })).rejects.toMatchObject({ code: 'closed' });
  });

  it('forgetTarget forgets every user and anonymous id of the profile, then persists once', async () => {
    const forgotten: string[] = [];
    let saved = 0;
    const privacy = createPrivacy({
      dir,
      targets: [
        forgetTarget(
          'model',
          (id) => {
            forgotten.push(id);
            return id === USER ? 3 : 0;
          },
          () => {
            saved++;
          },
        ),
      ],
    });
    const record = await privacy.erase([{ userId: USER }, { anonymousId: ANON }], { requestedBy: 'dpo' });
    expect(forgotten.sort()).toEqual([ANON, USER].sort());
    expect(saved).toBe(1);
    expect(record.stores).toEqual([{ store: 'model', ok: true, erased: 3 }]);
    expect(record.status).toBe('done');
    await privacy.close();
  });

  it('applies retention to the log, dead letters and cases, consent records only with consentDays, then scrubs', async () => {
    const asked: string[] = [];
    const forwarder = forwarderWith([destinations.fn(async () => ({ ok: true }), { name: 'crm' })]);
    const cases = {
      erase: async () => ({ erased: 0 }),
      applyRetention: async ({ days }: { days: number }) => {
        asked.push(`cases:${days}`);
        return { removed: 4 };
      },
    };
    const consent = {
      consents: async () => [],
      ofErasure: async () => [],
      erase: async () => ({ erased: 0 }),
      applyRetention: async ({ days }: { days: number }) => {
        asked.push(`consent:${days}`);
        return { removed: 1 };
      },
    };
    let scrubs = 0;
    const scrub = async () => {
      scrubs++;
    };
    const keep = createPrivacy({ dir, forwarder, cases, consent, scrub, retention: { days: 400, everyMs: 3_600_000 } });
    const results = await keep.applyRetention();
    expect(results.map((r) => r.store)).toEqual(['log', 'dead-letters:crm', 'cases']);
    expect(asked).toEqual(['cases:400']);
    expect(scrubs).toBe(1);
    await keep.close();
    const expire = createPrivacy({
      dir,
      forwarder,
      cases,
      consent,
      scrub,
      retention: { days: 400, consentDays: 3650 },
    });
    expect((await expire.applyRetention()).find((r) => r.store === 'consent')).toEqual({
      store: 'consent',
      removed: 1,
    });
    expect(asked).toEqual(['cases:400', 'cases:400', 'consent:3650']);
    expect(() => createPrivacy({ dir, retention: { days: 30, consentDays: -1 } })).toThrow(TouchpointConfigError);
    await expire.close();
    await forwarder.close();
  });
});
