/**
 * The identity graph on both stores: merges, loops, unmerges, the no-auto-merge rule for two
 * userIds, the identity cap on a shared phone number, hashing, and refused input.
 */
import { hashIdentity } from '@touchpoint/core';
import { beforeEach, expect, it } from 'vitest';
import { CaseInputError } from '../src/cases/errors.js';
import { createIdentityGraph } from '../src/cases/identity-graph.js';
import { migrate } from '../src/cases/migrations.js';
import type { SqlStore } from '../src/cases/sql-store.js';
import { describeOnEachStore } from './postgres.js';

describeOnEachStore('identity graph', (backend, openStore) => {
  let store: SqlStore;
  beforeEach(() => {
    store = openStore();
  });

  it('finds the whole profile from any identity, with email and phone stored only as hashes', async () => {
    const graph = createIdentityGraph(store, { defaultCountryCode: '84' });
    expect(
      await graph.link({ phone: '0912 345 678' }, { channel: 'facebook', id: 'psid-77' }, { reason: 'agent asked' }),
    ).toMatchObject({
      status: 'merged',
    });
    await graph.link(
      { phone: '+84 912-345-678' },
      { channel: 'hotline', id: 'call-1' },
      { reason: 'caller id', source: 'case' },
    );
    await graph.link(
      { anonymousId: 'anon-1' },
      { email: ' An@Example.com ' },
      { reason: 'identify', source: 'identify' },
    );
    await graph.link({ email: 'an@example.com' }, { phone: '0912345678' }, { reason: 'checkout form' });

    const profile = await graph.lookup({ channel: 'facebook', id: 'psid-77' });
    expect(profile?.size).toBe(5);
    expect(profile?.identities.map((i) => i.kind).sort()).toEqual([
      'account:facebook',
      'account:hotline',
      'anonymousId',
      'email',
      'phone',
    ]);
    expect((await graph.lookup({ anonymousId: 'anon-1' }))?.id).toBe(profile?.id);
    const phone = profile!.identities.find((i) => i.kind === 'phone')!;
    expect(phone.value).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(await store.query('select * from identities'))).not.toContain('912345678');
    // The browser's pre-hashed identity (core's hashIdentity) lands on the same key.
    const hashed = await hashIdentity({ type: 'phone', value: '0912 345 678' }, { defaultCountryCode: '84' });
    expect((await graph.lookup(hashed))?.id).toBe(profile?.id);
    expect(await graph.lookup({ userId: 'nobody' })).toBeUndefined();
  });

  it('keys email and phone with the shop key, so two shops never share a digest', async () => {
    const a = createIdentityGraph(store, { hashKey: 'shop-a' }).key({ email: 'x@y.z' });
    const b = createIdentityGraph(store, { hashKey: 'shop-b' }).key({ email: 'x@y.z' });
    expect(a.value).not.toBe(b.value);
    expect(a.value).toMatch(/^[0-9a-f]{64}$/);
  });

  it('records a loop of links without merging anything twice', async () => {
    const graph = createIdentityGraph(store);
    await graph.link({ anonymousId: 'a' }, { anonymousId: 'b' }, { reason: 'r1' });
    await graph.link({ anonymousId: 'b' }, { anonymousId: 'c' }, { reason: 'r2' });
    expect((await graph.link({ anonymousId: 'c' }, { anonymousId: 'a' }, { reason: 'r3' })).status).toBe('linked');
    expect((await graph.link({ anonymousId: 'a' }, { anonymousId: 'b' }, { reason: 'again' })).status).toBe('linked');
    expect((await graph.link({ anonymousId: 'a' }, { anonymousId: 'a' }, { reason: 'self' })).status).toBe('same');
    const profile = await graph.lookup({ anonymousId: 'a' });
    expect(profile?.size).toBe(3);
    expect((await graph.links({ anonymousId: 'c' })).map((l) => l.reason)).toEqual(['r3', 'r2', 'r1']);
    const [{ n }] = (await store.query<{ n: unknown }>('select count(*) as n from profiles')) as [{ n: unknown }];
    expect(Number(n)).toBe(1);
  });

  it('unmerges one link: splits what only it joined, keeps a loop whole, and is not redone by the next event', async () => {
    const graph = createIdentityGraph(store);
    await graph.link({ userId: 'u1' }, { email: 'a@x.io' }, { reason: 'identify' });
    const wrong = await graph.link({ email: 'a@x.io' }, { channel: 'zalo', id: 'z9' }, { reason: 'typo by agent' });
    expect((await graph.lookup({ channel: 'zalo', id: 'z9' }))?.size).toBe(3);

    const { profiles } = await graph.unmerge(wrong.linkId!, { reason: 'customer says not theirs' });
    expect(profiles).toHaveLength(2);
    expect((await graph.lookup({ userId: 'u1' }))?.size).toBe(2);
    expect((await graph.lookup({ channel: 'zalo', id: 'z9' }))?.size).toBe(1);
    expect(
      (await graph.link({ email: 'a@x.io' }, { channel: 'zalo', id: 'z9' }, { reason: 'replayed event' })).status,
    ).toBe('undone');
    expect((await graph.lookup({ channel: 'zalo', id: 'z9' }))?.size).toBe(1);
    // A person can redo it.
    expect((await graph.merge({ email: 'a@x.io' }, { channel: 'zalo', id: 'z9' }, { reason: 'verified' })).status).toBe(
      'merged',
    );

    // In a triangle, one undone link leaves the profile connected.
    await graph.link({ anonymousId: 'p' }, { anonymousId: 'q' }, { reason: '1' });
    await graph.link({ anonymousId: 'q' }, { anonymousId: 'r' }, { reason: '2' });
    const third = await graph.link({ anonymousId: 'r' }, { anonymousId: 'p' }, { reason: '3' });
    expect((await graph.unmerge(third.linkId!, { reason: 'x' })).profiles).toHaveLength(1);
    expect((await graph.lookup({ anonymousId: 'r' }))?.size).toBe(3);
    expect(await graph.unmerge(third.linkId!, { reason: 'twice' }).catch((e) => e)).toBeInstanceOf(CaseInputError);
  });

  it('never merges two different userIds automatically: the link waits for review', async () => {
    const graph = createIdentityGraph(store);
    await graph.link({ userId: 'ana' }, { phone: '+84911111111' }, { reason: 'identify' });
    await graph.link({ userId: 'binh' }, { email: 'b@x.io' }, { reason: 'identify' });
    const held = await graph.link(
      { email: 'b@x.io' },
      { phone: '+84911111111' },
      { reason: 'same phone on a form', source: 'case' },
    );
    expect(held.status).toBe('review');
    expect((await graph.lookup({ userId: 'ana' }))?.size).toBe(2);
    expect((await graph.lookup({ userId: 'binh' }))?.size).toBe(2);
    const [review] = await graph.reviews();
    expect(review).toMatchObject({ kind: 'two_user_ids', linkId: held.linkId });
    expect(review!.detail).toContain('ana');
    // The same userId on both sides is no conflict.
    await graph.link({ userId: 'ana' }, { anonymousId: 'tab-2' }, { reason: 'login' });
    expect((await graph.link({ anonymousId: 'tab-2' }, { phone: '+84911111111' }, { reason: 'x' })).status).toBe(
      'linked',
    );

    expect((await graph.resolveReview(review!.id, 'merge'))?.status).toBe('merged');
    expect((await graph.lookup({ userId: 'binh' }))?.size).toBe(5);
    expect(await graph.reviews()).toEqual([]);
  });

  it('caps a profile that 10 000 identities reach through one shared phone, flags it once, and stays usable', async () => {
    const graph = createIdentityGraph(store); // the default cap: 1000 identities per profile
    const shopPhone = { phone: '+842838000000' };
    const statuses = new Map<string, number>();
    const n = 10_000;
    const batch = backend.name === 'postgres' ? 8 : 1;
    for (let i = 0; i < n; i += batch) {
      const results = await Promise.all(
        Array.from({ length: Math.min(batch, n - i) }, (_, j) =>
          graph.link({ anonymousId: `visitor-${i + j}` }, shopPhone, {
            reason: 'typed the shop phone',
            source: 'case',
          }),
        ),
      );
      for (const r of results) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    }
    expect(statuses.get('merged')).toBe(999);
    expect(statuses.get('capped')).toBe(n - 999);
    const profile = await graph.lookup(shopPhone);
    expect(profile).toMatchObject({ size: 1000, flag: 'identity_cap' });
    expect(profile?.identities).toHaveLength(1000);
    expect((await graph.reviews()).filter((r) => r.kind === 'identity_cap')).toHaveLength(1);
    expect((await graph.lookup({ anonymousId: 'visitor-9999' }))?.size).toBe(1);
    const [{ total }] = (await store.query<{ total: unknown }>('select sum(size) as total from profiles')) as [
      { total: unknown },
    ];
    expect(Number(total)).toBe(n + 1);
  }, 300_000);

  it('links in one statement: no transaction around it, and a link that fails leaves nothing half-done', async () => {
    const calls = { query: 0, transaction: 0 };
    const counted: SqlStore = {
      ...store,
      query: (sql, params) => {
        calls.query++;
        return store.query(sql, params);
      },
      transaction: (fn) => {
        calls.transaction++;
        return store.transaction(fn);
      },
    };
    const graph = createIdentityGraph(counted);
    await graph.link({ anonymousId: 'a' }, { email: 'a@x.io' }, { reason: 'new identity' });
    await graph.link({ anonymousId: 'b' }, { email: 'b@x.io' }, { reason: 'new identity' });
    await graph.link({ email: 'a@x.io' }, { email: 'b@x.io' }, { reason: 'merge' });
    await graph.merge({ userId: 'u1' }, { anonymousId: 'a' }, { reason: 'merge by a person' });
    expect(calls).toEqual({ query: 4, transaction: 0 });

    // The merge step fails after both identities, the link and the moves were written: all of it goes.
    await store.query(`create function refuse() returns trigger language plpgsql as $f$
      begin raise exception 'merges refused by the test'; end $f$`);
    await store.query('create trigger refuse before insert on merges for each row execute function refuse()');
    const before = await store.query('select kind, value, profile_id from identities order by id');
    const failed = await graph.link({ anonymousId: 'c' }, { email: 'a@x.io' }, { reason: 'x' }).catch((e) => e);
    expect(String(failed)).toMatch(/merges refused by the test/);
    expect(await store.query('select kind, value, profile_id from identities order by id')).toEqual(before);
    expect(await graph.lookup({ anonymousId: 'c' })).toBeUndefined();
    expect((await graph.lookup({ email: 'b@x.io' }))?.size).toBe(5);
    await store.query('drop trigger refuse on merges');
    expect((await graph.link({ anonymousId: 'c' }, { email: 'a@x.io' }, { reason: 'x' })).status).toBe('merged');
    expect((await graph.lookup({ anonymousId: 'c' }))?.size).toBe(6);
  });

  it('keeps every profile, link, merge and review when migration 6 runs on a version 5 database', async () => {
    const graph = createIdentityGraph(store, { maxIdentitiesPerProfile: 3 });
    await graph.link({ userId: 'ana' }, { phone: '+84911111111' }, { reason: 'identify' });
    await graph.link({ userId: 'binh' }, { email: 'b@x.io' }, { reason: 'identify' });
    const held = await graph.link({ email: 'b@x.io' }, { phone: '+84911111111' }, { reason: 'form' });
    const undone = await graph.link({ anonymousId: 'p' }, { userId: 'ana' }, { reason: 'wrong' });
    await graph.unmerge(undone.linkId!, { reason: 'not her' });
    await graph.link({ anonymousId: 'q' }, { anonymousId: 'r' }, { reason: 'tab' });
    const capped = await graph.link({ anonymousId: 'r' }, { email: 'b@x.io' }, { reason: 'full' });
    expect([held.status, capped.status]).toEqual(['review', 'capped']);

    const refs = [{ userId: 'ana' }, { userId: 'binh' }, { anonymousId: 'p' }, { anonymousId: 'q' }];
    const answers = async () => ({
      profiles: await Promise.all(refs.map((r) => graph.lookup(r))),
      links: await Promise.all(refs.map((r) => graph.links(r))),
      reviews: await graph.reviews(),
      merges: await store.query('select link_id, into_profile, from_profile, moved, reason, undone_at from merges'),
    });
    const before = await answers();

    // What a database written by the version 5 code has: every table, no tp_link or tp_lookup_profile.
    await store.query('drop function tp_link');
    await store.query('drop function tp_lookup_profile');
    await store.query('delete from migrations where version = 6');
    expect(await migrate(store)).toEqual([6]);
    expect(await answers()).toEqual(before);
    expect(await migrate(store)).toEqual([]);

    // And the rules hold across the upgrade: still held, still undone, still capped.
    expect((await graph.link({ email: 'b@x.io' }, { phone: '+84911111111' }, { reason: 'again' })).status).toBe(
      'review',
    );
    expect((await graph.link({ anonymousId: 'p' }, { userId: 'ana' }, { reason: 'again' })).status).toBe('undone');
    expect((await graph.link({ anonymousId: 'r' }, { email: 'b@x.io' }, { reason: 'again' })).status).toBe('capped');
    expect(await answers()).toEqual(before);
    expect((await graph.link({ anonymousId: 's' }, { anonymousId: 'p' }, { reason: 'new' })).status).toBe('merged');
  });

  it('ends concurrent links over overlapping profiles in one consistent profile', async () => {
    const graph = createIdentityGraph(store);
    const n = 40;
    // Every link touches a profile its neighbours are merging at the same time (on Postgres through
    // four connections: the lock, the re-read and the retry in tp_link).
    const results = await Promise.all(
      Array.from({ length: n - 1 }, (_, i) =>
        graph.link({ anonymousId: `v${i}` }, { anonymousId: `v${i + 1}` }, { reason: `step ${i}` }),
      ),
    );
    expect(results.filter((r) => r.status === 'merged')).toHaveLength(n - 1);
    const profile = await graph.lookup({ anonymousId: 'v0' });
    expect(profile?.size).toBe(n);
    for (const r of results) expect(r.profileId).toBeGreaterThan(0);
    const [row] = await store.query<{ profiles: unknown; total: unknown; merges: unknown }>(
      'select (select count(*) from profiles) as profiles, (select sum(size) from profiles) as total, (select count(*) from merges) as merges',
    );
    expect([Number(row!.profiles), Number(row!.total), Number(row!.merges)]).toEqual([1, n, n - 1]);
  });

  it('stores one new identity once when several links bring it into different profiles at the same time', async () => {
    const graph = createIdentityGraph(store);
    const n = 8;
    for (let i = 0; i < n; i++)
      await graph.link({ anonymousId: `tab-${i}` }, { channel: 'zalo', id: `z-${i}` }, { reason: 'chat' });
    // On Postgres the first to insert the email wins; the others meet it (ON CONFLICT) and take the
    // general path, which merges their profile with the winner's.
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        graph.link({ anonymousId: `tab-${i}` }, { email: 'shared@x.io' }, { reason: `form ${i}` }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(n).fill('merged'));
    const profile = await graph.lookup({ email: 'shared@x.io' });
    expect(profile?.size).toBe(2 * n + 1);
    expect(profile?.identities).toHaveLength(2 * n + 1);
    const [row] = await store.query<{ profiles: unknown; total: unknown; identities: unknown; emails: unknown }>(
      `select (select count(*) from profiles) as profiles, (select sum(size) from profiles) as total,
        (select count(*) from identities) as identities, (select count(*) from identities where kind = 'email') as emails`,
    );
    expect([row!.profiles, row!.total, row!.identities, row!.emails].map(Number)).toEqual([1, 2 * n + 1, 2 * n + 1, 1]);
  });

  it('refuses bad input with a clear error and writes nothing', async () => {
    const graph = createIdentityGraph(store);
    const err = (p: Promise<unknown>) => p.catch((e: unknown) => e);
    const bad = (await err(graph.link({ phone: '0912 345 678' }, { userId: 'x' }, { reason: 'r' }))) as CaseInputError;
    expect(bad).toBeInstanceOf(CaseInputError);
    expect(bad.message).toMatch(/E\.164.*defaultCountryCode/);
    expect(await err(graph.link({ userId: '' }, { userId: 'x' }, { reason: 'r' }))).toBeInstanceOf(CaseInputError);
    expect(await err(graph.link({ userId: 'a' }, { userId: 'b' }, { reason: '' }))).toBeInstanceOf(CaseInputError);
    expect(await err(graph.link({ userId: 'a' }, { nope: 1 } as never, { reason: 'r' }))).toBeInstanceOf(
      CaseInputError,
    );
    expect(await err(graph.unmerge(424242, { reason: 'r' }))).toBeInstanceOf(CaseInputError);
    expect(await store.query('select * from identities')).toEqual([]);
    expect(() => createIdentityGraph(store, { maxIdentitiesPerProfile: 1 })).toThrow(/maxIdentitiesPerProfile/);
  });
});
