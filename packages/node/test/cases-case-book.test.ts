/**
 * The case book on both stores, through the forwarder's destination interface: the air
 * conditioner story across web, hotline and Facebook, repeat contacts, refused events, promises
 * that go overdue on a manual clock, SLA figures in business hours across a DST change, and
 * conversion per conversation state.
 */
import { randomUUID } from 'node:crypto';
import type { TouchpointEvent } from '@touchpoint/core';
import { createManualClock } from '@touchpoint/core/testing';
import { beforeEach, expect, it } from 'vitest';
import { createBusinessHours } from '../src/cases/business-hours.js';
import { type CaseAlert, createCaseBook } from '../src/cases/case-book.js';
import { casesDestination } from '../src/cases/cases-destination.js';
import { CaseInputError } from '../src/cases/errors.js';
import { createIdentityGraph } from '../src/cases/identity-graph.js';
import type { SqlStore } from '../src/cases/sql-store.js';
import { describeOnEachStore } from './postgres.js';

const H = 3_600_000;
const DAY = 24 * H;
const T0 = Date.parse('2026-06-01T03:00:00Z');
const PHONE = '0912 345 678';

function track(
  event: string,
  properties: Record<string, unknown>,
  at: number,
  who: { anonymousId?: string; userId?: string } = {},
): TouchpointEvent {
  return {
    type: 'track',
    messageId: randomUUID(),
    timestamp: new Date(at).toISOString(),
    anonymousId: who.anonymousId ?? (who.userId ? undefined : `srv-${randomUUID()}`),
    ...(who.userId ? { userId: who.userId } : {}),
    // Events with an anonymousId of their own come from the browser tracker; the rest from servers.
    ...(who.anonymousId ? { context: { library: { name: '@touchpoint/browser', version: '0.1.0' } } } : {}),
    event,
    properties: properties as never,
  } as TouchpointEvent;
}

describeOnEachStore('case book', (_backend, openStore) => {
  let store: SqlStore;
  beforeEach(() => {
    store = openStore();
  });

  function setup(extra: Parameters<typeof createCaseBook>[1] = {}) {
    const clock = createManualClock(T0);
    const alerts: CaseAlert[] = [];
    const graph = createIdentityGraph(store, { defaultCountryCode: '84', clock });
    const book = createCaseBook(graph, { clock, notify: (a) => void alerts.push(a), ...extra });
    const rejected: string[] = [];
    const destination = casesDestination(book, {
      onReject: (_e, err) => rejected.push(`${err.code}: ${err.message}`),
    });
    return {
      clock,
      alerts,
      graph,
      book,
      destination,
      rejected,
      send: (...events: TouchpointEvent[]) => destination.send(events),
    };
  }

  it('keeps one case across web, hotline and Facebook, and history() tells the whole story from any of them', async () => {
    const { book, send, alerts } = setup();
    const topic = 'Air conditioner repair';
    await send(
      track('product.viewed', { productId: 'ac-9000' }, T0 - DAY, { anonymousId: 'anon-1' }),
      track(
        'case.opened',
        { caseId: 'WEB-1', channel: 'web', topic, text: 'My AC broke', identities: [{ phone: PHONE }] },
        T0,
        {
          anonymousId: 'anon-1',
        },
      ),
      track(
        'case.message',
        { caseId: 'WEB-1', direction: 'out', agent: 'lan', text: 'Sorry! We will send someone' },
        T0 + H,
      ),
      track(
        'case.promised',
        { caseId: 'WEB-1', what: 'technician visit', dueAt: new Date(T0 + 2 * DAY).toISOString(), agent: 'lan' },
        T0 + H,
      ),
    );
    // A week later: the hotline, then Facebook, from the same phone number.
    await send(
      track(
        'case.opened',
        {
          caseId: 'CALL-7',
          channel: 'hotline',
          topic: 'air conditioner REPAIR',
          identities: [{ phone: '+84912345678' }, { channel: 'hotline', id: 'caller-7' }],
        },
        T0 + 7 * DAY,
      ),
      track(
        'case.opened',
        {
          caseId: 'FB-3',
          channel: 'facebook',
          topic,
          text: 'Third time I explain this',
          identities: [{ channel: 'facebook', id: 'psid-3' }, { phone: PHONE }],
        },
        T0 + 8 * DAY,
      ),
      track(
        'case.message',
        { caseId: 'FB-3', direction: 'out', agent: 'minh', text: 'I see the whole story, sorry' },
        T0 + 8 * DAY + 60_000,
      ),
    );
    expect(
      alerts
        .filter((a) => a.kind === 'repeat_contact')
        .map((a) => [a.caseId, a.contactCaseId, a.channel, 'count' in a && a.count]),
    ).toEqual([
      ['WEB-1', 'CALL-7', 'hotline', 1],
      ['WEB-1', 'FB-3', 'facebook', 2],
    ]);

    const story = await book.history({ channel: 'facebook', id: 'psid-3' });
    expect(story?.cases.map((c) => [c.id, c.repeatContacts, c.status])).toEqual([['WEB-1', 2, 'open']]);
    expect(story?.timeline.map((e) => `${e.kind}@${e.channel ?? '-'}`)).toEqual([
      'touchpoint@-',
      'opened@web',
      'message@-',
      'promise@-',
      'repeat_contact@hotline',
      'repeat_contact@facebook',
      'message@-',
    ]);
    expect(story?.profile.identities.map((i) => i.kind).sort()).toEqual([
      'account:facebook',
      'account:hotline',
      'anonymousId',
      'phone',
    ]);
    // The Facebook case id is an alias of the one case.
    const detail = await book.getCase('FB-3');
    expect(detail?.case.id).toBe('WEB-1');
    expect(detail?.promises.map((p) => [p.what, p.owner, p.status])).toEqual([['technician visit', 'lan', 'open']]);
    expect(detail?.sla.firstReplyMs).toBe(H);
  });

  it('opens a new case for another topic or after the old one is resolved, and records each event once', async () => {
    const { book, send } = setup();
    const opened = track('case.opened', { caseId: 'A', topic: 'delivery', identities: [{ email: 'ana@x.io' }] }, T0);
    await send(opened, opened);
    await send(track('case.opened', { caseId: 'B', topic: 'refund', identities: [{ email: 'ana@x.io' }] }, T0 + H));
    await send(track('case.resolved', { caseId: 'A' }, T0 + 2 * H));
    await send(
      track('case.opened', { caseId: 'C', topic: 'delivery', identities: [{ email: 'ANA@x.io' }] }, T0 + 3 * H),
    );
    const story = await book.history({ email: 'ana@x.io' });
    expect(story?.cases.map((c) => [c.id, c.status, c.repeatContacts])).toEqual([
      ['A', 'resolved', 0],
      ['B', 'open', 0],
      ['C', 'open', 0],
    ]);
    expect(await book.record(opened)).toEqual({ status: 'duplicate', caseId: 'A' });
  });

  it('refuses case events for unknown case ids or with bad fields, says why, and changes nothing', async () => {
    const { book, send, rejected } = setup();
    const before = await store.query('select * from timeline');
    await send(
      track('case.message', { caseId: 'GHOST-1', text: 'hello?' }, T0),
      track('case.opened', { caseId: 'X', identities: [{ phone: '12' }] }, T0),
      track('case.promised', { caseId: 'X', what: 'call back' }, T0),
      track('case.state', { caseId: '' }, T0),
      track('case.message', { caseId: 'X', direction: 'sideways' }, T0),
    );
    expect(rejected).toHaveLength(5);
    expect(rejected[0]).toMatch(/^unknown_case: .*"GHOST-1" was never opened/);
    expect(rejected[1]).toMatch(/^invalid_identity: .*E\.164/);
    expect(rejected[2]).toMatch(/dueAt or properties\.withinBusinessHours/);
    expect(rejected[3]).toMatch(/properties\.caseId/);
    expect(rejected[4]).toMatch(/'in' or 'out'/);
    expect(await store.query('select * from timeline')).toEqual(before);
    expect(await store.query('select * from cases')).toEqual([]);
    await expect(book.record(track('case.resolved', { caseId: 'GHOST-1' }, T0))).rejects.toBeInstanceOf(CaseInputError);
  });

  it('alerts the owner when a promise goes overdue, escalates later, once each — on a manual clock', async () => {
    const { clock, alerts, book, send } = setup({
      escalateAfterMs: 4 * H,
      escalateTo: (owner) => `lead-of-${owner}`,
    });
    await send(
      track('case.opened', { caseId: 'K', identities: [{ phone: PHONE }] }, T0),
      track('case.promised', { caseId: 'K', what: 'technician visit', owner: 'lan', dueAt: T0 + 2 * DAY }, T0),
      track('case.promised', { caseId: 'K', what: 'refund voucher', owner: 'lan', dueAt: T0 + DAY }, T0),
      track('case.promise_kept', { caseId: 'K', what: 'Refund voucher' }, T0 + H),
    );
    const watch = book.watchPromises({ everyMs: 60_000 });
    clock.advance(2 * DAY - 60_000);
    await watch.settled();
    expect(alerts).toEqual([]);
    clock.advance(60_000);
    await watch.settled();
    expect(alerts.map((a) => [a.kind, a.owner, 'promise' in a && a.promise.what])).toEqual([
      ['promise_overdue', 'lan', 'technician visit'],
    ]);
    clock.advance(H);
    await watch.settled();
    expect(alerts).toHaveLength(1);
    clock.advance(3 * H);
    await watch.settled();
    expect(alerts.map((a) => [a.kind, a.owner])).toEqual([
      ['promise_overdue', 'lan'],
      ['promise_escalated', 'lead-of-lan'],
    ]);
    watch.stop();
    expect(await book.checkPromises()).toEqual([]);
    // Promising the same thing again replaces the old promise, and the timeline says it was the second time.
    await send(
      track('case.promised', { caseId: 'K', what: 'Technician visit', dueAt: clock.now() + DAY }, clock.now()),
    );
    const detail = await book.getCase('K');
    expect(detail?.promises.map((p) => [p.what, p.status])).toEqual([
      ['technician visit', 'replaced'],
      ['refund voucher', 'kept'],
      ['Technician visit', 'open'],
    ]);
    expect(detail?.timeline.at(-1)?.data.repromised).toBe(1);
    expect((await book.dashboard()).overduePromises).toBe(0);
  });

  it('measures first reply, handling and resolve times in business hours across the DST change', async () => {
    const businessHours = createBusinessHours({ timeZone: 'Europe/Berlin' });
    const { book, send, clock } = setup({ businessHours });
    const fri16 = Date.parse('2026-03-27T15:00:00Z'); // Friday 16:00 CET
    const mon10 = Date.parse('2026-03-30T08:00:00Z'); // Monday 10:00 CEST
    await send(
      track('case.opened', { caseId: 'D', identities: [{ email: 'd@x.io' }] }, fri16),
      track('case.message', { caseId: 'D', direction: 'out', agent: 'jan' }, mon10),
      track('case.message', { caseId: 'D', direction: 'in' }, mon10 + H),
      track('case.message', { caseId: 'D', direction: 'out' }, mon10 + 1.5 * H),
      track('case.promised', { caseId: 'D', what: 'replacement part', withinBusinessHours: 8 }, mon10 + 1.5 * H),
      track('case.resolved', { caseId: 'D' }, mon10 + 2 * H),
    );
    const detail = await book.getCase('D');
    expect(detail?.sla).toEqual({ firstReplyMs: 2 * H, handlingMs: 2.5 * H, resolveMs: 4 * H });
    // Mon 11:30 + 8 business hours = Tue 11:30 Berlin.
    expect(new Date(detail!.promises[0]!.dueAt).toISOString()).toBe('2026-03-31T09:30:00.000Z');
    expect(detail?.promises[0]?.status).toBe('kept');
    clock.advance(mon10 + 3 * H - clock.now());
    expect(await book.dashboard()).toMatchObject({
      openCases: 0,
      casesOpened: 1,
      medianFirstReplyMs: 2 * H,
      medianResolveMs: 4 * H,
    });
  });

  it('counts an order by the same profile within the window for each conversation state, per agent and team', async () => {
    const { book, send } = setup();
    await send(
      // Ana wants to buy (agent lan), then orders from her logged-in account, which identify() links to her phone.
      track(
        'case.opened',
        { caseId: 'S1', channel: 'zalo', identities: [{ phone: '+84900000001' }], team: 'sales' },
        T0,
      ),
      track('case.state', { caseId: 'S1', state: 'wants_to_buy', agent: 'lan' }, T0 + H),
      track('case.state', { caseId: 'S1', state: 'wants_to_buy', agent: 'lan' }, T0 + 2 * H),
      {
        type: 'identify',
        messageId: randomUUID(),
        timestamp: new Date(T0 + 3 * H).toISOString(),
        anonymousId: 'web-ana',
        userId: 'ana',
        identities: [{ type: 'phone', value: '+84900000001' }],
      },
      track('order.completed', { orderId: 'o-1', revenue: 420 }, T0 + DAY, { userId: 'ana' }),
      // Binh only wanted advice (agent lan) and never ordered.
      track(
        'case.opened',
        { caseId: 'S2', channel: 'facebook', identities: [{ channel: 'facebook', id: 'binh' }], team: 'sales' },
        T0,
      ),
      track('case.state', { caseId: 'S2', state: 'wants_advice', agent: 'lan' }, T0 + H),
      // Chi wanted to buy (agent minh) but ordered after the 7-day window.
      track('case.opened', { caseId: 'S3', identities: [{ email: 'chi@x.io' }], team: 'care' }, T0),
      track('case.state', { caseId: 'S3', state: 'wants_to_buy', agent: 'minh' }, T0 + H),
      track('order.completed', { orderId: 'o-2' }, T0 + 9 * DAY, { anonymousId: 'chi-web' }),
      {
        type: 'alias',
        messageId: randomUUID(),
        timestamp: new Date(T0).toISOString(),
        anonymousId: 'chi-web',
        userId: 'chi',
        previousId: 'chi-web',
      },
      track('case.message', { caseId: 'S3', direction: 'in', identities: [{ userId: 'chi' }] }, T0 + 2 * H),
    );
    const report = await book.conversion({ windowMs: 7 * DAY });
    expect(report.byState).toEqual({
      wants_to_buy: { conversations: 2, converted: 1, rate: 0.5 },
      wants_advice: { conversations: 1, converted: 0, rate: 0 },
    });
    expect(report.byAgent.lan).toEqual({
      wants_to_buy: { conversations: 1, converted: 1, rate: 1 },
      wants_advice: { conversations: 1, converted: 0, rate: 0 },
    });
    expect(report.byTeam.care?.wants_to_buy).toEqual({ conversations: 1, converted: 0, rate: 0 });
    // With a 10-day window Chi's order counts too.
    expect((await book.conversion({ windowMs: 10 * DAY })).byState.wants_to_buy?.converted).toBe(2);
  });
});
