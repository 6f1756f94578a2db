/**
 * Erasure and retention in the identity graph and the case book, on both stores: the profile an
 * erasure resolves (and the review rule that keeps two userIds apart), every row of the customer
 * deleted in one transaction per store, other customers untouched, and retention by age.
 */
import { randomUUID } from 'node:crypto';
import type { TouchpointEvent } from '@touchpoint/core';
import { createManualClock } from '@touchpoint/core/testing';
import { beforeEach, expect, it } from 'vitest';
import { createCaseBook } from '../src/cases/case-book.js';
import { createIdentityGraph } from '../src/cases/identity-graph.js';
import type { SqlStore } from '../src/cases/sql-store.js';
import { createErasureSubject } from '../src/privacy/subject.js';
import { seedCustomer } from './cases-customers.js';
import { describeOnEachStore } from './postgres.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-06-01T03:00:00Z');
const TABLES = [
  'profiles',
  'identities',
  'links',
  'merges',
  'reviews',
  'cases',
  'case_aliases',
  'timeline',
  'promises',
  'case_states',
  'orders',
] as const;

describeOnEachStore('erasure and retention', (_backend, openStore) => {
  let store: SqlStore;
  beforeEach(() => {
    store = openStore();
  });

  function setup() {
    const clock = createManualClock(T0);
    const graph = createIdentityGraph(store, { hashKey: 'shop-secret', defaultCountryCode: '84', clock });
    const book = createCaseBook(graph, { clock });
    return { clock, graph, book };
  }

  /** Every row of every table, as text: what a customer could be found in. */
  async function dump(): Promise<string> {
    const parts: string[] = [];
    for (const table of TABLES) parts.push(JSON.stringify(await store.query(`select * from ${table}`)));
    return parts.join('\n');
  }

  async function rowCounts(): Promise<Record<(typeof TABLES)[number], number>> {
    const out = {} as Record<(typeof TABLES)[number], number>;
    for (const table of TABLES)
      out[table] = Number((await store.query<{ n: unknown }>(`select count(*) as n from ${table}`))[0]!.n);
    return out;
  }

  it('resolves the whole profile from one identity, erases every row of it, and leaves the other customer whole', async () => {
    const { graph, book } = setup();
    const ann = await seedCustomer(book, graph, 'ann', T0);
    const bob = await seedCustomer(book, graph, 'bob', T0 + 60_000);
    const bobBefore = await book.history({ userId: bob.userId });

    const scope = await graph.profileOf({ channel: 'facebook', id: ann.facebookId });
    expect(scope.profiles).toHaveLength(1);
    expect(scope.anonymousIds).toContain(ann.anonymousId);
    expect(scope.userIds).toEqual([ann.userId]);
    expect(scope.accounts).toEqual([{ channel: 'facebook', id: ann.facebookId }]);
    expect(scope.keys).toContain(`email:${graph.key({ email: ann.email }).value}`);
    expect(scope.keys).toContain(`phone:${graph.key({ phone: ann.phone }).value}`);
    expect(scope.caseIds.sort()).toEqual([ann.caseId, ann.repeatCaseId].sort());
    expect(await book.caseIdsOf(scope.profiles.map((p) => p.id))).toEqual(expect.arrayContaining(scope.caseIds));

    const subject = createErasureSubject({
      erasureId: 'er_test1',
      keys: scope.keys,
      anonymousIds: scope.anonymousIds,
      userIds: scope.userIds,
      accounts: scope.accounts,
      caseIds: scope.caseIds,
      emails: [ann.email],
    });
    const before = await rowCounts();
    // The search below is not vacuous: every id the store keeps of Ann is there before.
    const stored = await dump();
    // (the raw email and its plain SHA-256 never are: the graph keeps keyed digests; the phone is in a message's text).
    for (const value of [
      ann.anonymousId,
      ann.userId,
      ann.phone,
      ann.facebookId,
      ann.caseId,
      ann.repeatCaseId,
      ann.orderId,
      graph.key({ email: ann.email }).value,
      graph.key({ phone: ann.phone }).value,
    ])
      expect(stored).toContain(value);
    const cases = await book.erase(subject);
    // 8 timeline entries (view, feedback, order, opened, promise, state, repeat contact… ), 2 cases' rows, 1 order.
    expect(cases.erased).toBeGreaterThanOrEqual(10);
    expect(cases.messageIds?.length).toBeGreaterThanOrEqual(6);
    expect(cases.detail).not.toContain(ann.userId);
    const g = await graph.erase(subject);
    expect(g.erased).toBeGreaterThanOrEqual(6);
    expect(g.detail).toMatch(/identities \d+/);

    const text = await dump();
    for (const needle of ann.needles) expect(text, needle).not.toContain(needle);
    expect(await graph.lookup({ userId: ann.userId })).toBeUndefined();
    expect(await book.history({ email: ann.email })).toBeUndefined();
    expect(await book.getCase(ann.caseId)).toBeUndefined();
    // Bob is whole: the same story, every identity still there.
    expect(await book.history({ userId: bob.userId })).toEqual(bobBefore);
    for (const needle of bob.needles.filter((n) => !n.startsWith('+') && !n.includes('@')).slice(0, 6))
      expect(text).toContain(needle);
    const after = await rowCounts();
    expect(after.identities).toBe(before.identities - scope.identities.length);
    expect(after.profiles).toBe(before.profiles - 1);

    // Erasing again finds nothing and changes nothing.
    expect((await book.erase(subject)).erased).toBe(0);
    expect((await graph.erase(subject)).erased).toBe(0);
    expect(await rowCounts()).toEqual(after);
  });

  it('erases only the asked profile when a link to another userId is held for review, and drops that review', async () => {
    const { graph, book } = setup();
    const ann = await seedCustomer(book, graph, 'ann', T0);
    const bob = await seedCustomer(book, graph, 'bob', T0);
    // A shared family phone: the link is held, the two profiles stay apart.
    const held = await graph.link({ userId: ann.userId }, { userId: bob.userId }, { reason: 'same phone on an order' });
    expect(held.status).toBe('review');
    expect(await graph.reviews()).toHaveLength(1);

    const scope = await graph.profileOf([{ userId: ann.userId }]);
    expect(scope.userIds).toEqual([ann.userId]);
    expect(scope.profiles).toHaveLength(1);
    const subject = createErasureSubject({ erasureId: 'er_test2', ...scope });
    await book.erase(subject);
    await graph.erase(subject);

    expect(await graph.reviews()).toEqual([]);
    expect(await graph.lookup({ userId: ann.userId })).toBeUndefined();
    const bobProfile = await graph.lookup({ userId: bob.userId });
    expect(bobProfile?.identities.map((i) => i.kind).sort()).toEqual(
      ['account:facebook', 'anonymousId', 'email', 'phone', 'userId'].sort(),
    );
    expect((await book.history({ userId: bob.userId }))?.cases).toHaveLength(1);
    const text = await dump();
    for (const needle of ann.needles) expect(text, needle).not.toContain(needle);
  });

  it('leaves no orphan when the graph is erased before the case book, and removes entries of others that name the customer', async () => {
    const { graph, book } = setup();
    const ann = await seedCustomer(book, graph, 'ann', T0);
    const bob = await seedCustomer(book, graph, 'bob', T0);
    // Bob's touchpoint names Ann's case as a value (a referral): it is Ann's data too.
    const mention: TouchpointEvent = {
      type: 'track',
      messageId: randomUUID(),
      timestamp: new Date(T0).toISOString(),
      userId: bob.userId,
      event: 'referral.sent',
      properties: { referredCase: ann.caseId },
    };
    // A value that only starts like Ann's case id is not hers.
    const lookalike: TouchpointEvent = {
      ...mention,
      messageId: randomUUID(),
      properties: { referredCase: `${ann.caseId}1` },
    };
    await book.record(mention);
    await book.record(lookalike);
    const subject = createErasureSubject({
      erasureId: 'er_test3',
      ...(await graph.profileOf({ userId: ann.userId })),
    });
    // The graph first: the case rows of Ann's identities go with them, none is left pointing at nothing.
    const g = await graph.erase(subject);
    expect(g.detail).toMatch(/timeline \d+/);
    expect(g.detail).toMatch(/cases 1/);
    expect(g.messageIds).not.toContain(mention.messageId);
    // The book then finds no profile, and still removes what names her in Bob's timeline.
    const b = await book.erase(subject);
    expect(b.erased).toBe(1);
    expect(b.detail).toContain('1 timeline entries of other profiles named the customer');
    expect(b.messageIds).toEqual([mention.messageId]);
    expect(
      Number(
        (
          await store.query<{ n: unknown }>(
            'select count(*) as n from timeline where identity_id not in (select id from identities)',
          )
        )[0]!.n,
      ),
    ).toBe(0);
    const text = await dump();
    for (const needle of ann.needles) expect(text, needle).not.toContain(`"${needle}"`);
    const referrals = (await book.history({ userId: bob.userId }))?.timeline.filter(
      (e) => e.kind === 'touchpoint' && e.data.name === 'referral.sent',
    );
    expect(referrals?.map((e) => (e.data.properties as { referredCase: string }).referredCase)).toEqual([
      `${ann.caseId}1`,
    ]);
  });

  it('applies retention: resolved cases and old touchpoints go, open cases and recent ones stay', async () => {
    const { graph, book } = setup();
    const old = await seedCustomer(book, graph, 'old', T0 - 400 * DAY);
    const recent = await seedCustomer(book, graph, 'new', T0 - 10 * DAY);
    const stillOpen = await seedCustomer(book, graph, 'open', T0 - 500 * DAY);
    const resolve = (caseId: string, at: number) =>
      book.record({
        type: 'track',
        messageId: randomUUID(),
        timestamp: new Date(at).toISOString(),
        anonymousId: 'srv-x',
        event: 'case.resolved',
        properties: { caseId },
      });
    await resolve(old.caseId, T0 - 390 * DAY);
    await resolve(recent.caseId, T0 - 9 * DAY);
    const before = await rowCounts();
    await expect(book.applyRetention({ days: 0 })).rejects.toThrow(/positive number of days/);

    const result = await book.applyRetention({ days: 365 });
    expect(result.cases).toBe(1);
    expect(result.promises).toBe(1);
    expect(result.states).toBe(1);
    // The old customer's view, identify-less touchpoints, feedback and order (and its case's entries); the open case's view and feedback too.
    expect(result.orders).toBe(2);
    expect(result.removed).toBe(result.cases + result.timeline + result.promises + result.states + result.orders);
    expect(await book.getCase(old.caseId)).toBeUndefined();
    expect((await book.getCase(recent.caseId))?.case.status).toBe('resolved');
    const open = await book.getCase(stillOpen.caseId);
    expect(open?.case.status).toBe('open');
    expect(open?.timeline.length).toBeGreaterThan(0);
    const after = await rowCounts();
    expect(after.timeline).toBe(before.timeline - result.timeline);
    // The graph keeps identities: an erasure request must still find the customer.
    expect(await graph.lookup({ userId: old.userId })).toBeDefined();
    expect((await book.applyRetention({ days: 365 })).removed).toBe(0);
  });
});
