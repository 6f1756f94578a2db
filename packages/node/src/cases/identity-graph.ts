/**
 * The identity graph: every identifier a customer reaches the shop through (anonymous ids, user
 * ids, hashed emails and phones, channel accounts) is a node, every `identify()`, alias, case
 * event or server-side `link()` an edge, and a customer profile is a connected component.
 *
 * Guarantees:
 * - a profile is exactly the component of its active links, so undoing a link (`unmerge`) splits
 *   what only that link joined, and nothing else;
 * - two profiles that each carry a different `userId` are never merged automatically: the link is
 *   held for review (`reviews()`), and only `merge()` or an accepted review joins them;
 * - a profile never grows past `maxIdentitiesPerProfile` (a shared shop phone number would
 *   otherwise swallow thousands of customers): the link is refused and the profile flagged
 *   `identity_cap`, once;
 * - every merge is recorded with its reason and source, and each call runs in one transaction
 *   (`link()` and `merge()` are one statement, `tp_link`, which is atomic on its own).
 */
import { type Clock, TouchpointConfigError } from '@touchpoint/core';
import type { ErasureSubject, ErasureTargetResult } from '../privacy/subject.js';
import { CaseInputError } from './errors.js';
import { createIdentityKeys, type IdentityKey, type IdentityKeyOptions, type IdentityRef } from './identity-key.js';
import {
  eraseCaseRows,
  eraseGraphRows,
  erasureResult,
  identityIdsOf,
  keysOfSubject,
  type ProfileScope,
  profileScope,
} from './profile-erasure.js';
import type { SqlRunner, SqlStore } from './sql-store.js';

export interface IdentityGraphOptions extends IdentityKeyOptions {
  /** Most identities in one profile (default 1000); links past it are refused and flagged. */
  maxIdentitiesPerProfile?: number;
  clock?: Pick<Clock, 'now'>;
}

/** Where a link came from: events (`identify`, `alias`, `case`), a server `link()`, or a person's `merge()`. */
export type LinkSource = 'identify' | 'alias' | 'case' | 'link' | 'merge';

export interface LinkResult {
  /**
   * `merged`: two profiles became one. `linked`: already one profile (a loop or a repeat).
   * `review`: held, two different userIds. `capped`: held, the profile would pass the cap.
   * `undone`: this link was unmerged before and is not redone automatically. `same`: one identity twice.
   */
  status: 'merged' | 'linked' | 'review' | 'capped' | 'undone' | 'same';
  linkId?: number;
  /** The profile of the first identity after the call. */
  profileId: number;
  reviewId?: number;
}

export interface Profile {
  id: number;
  size: number;
  /** `identity_cap` when links were refused because the profile is full. */
  flag: string | null;
  identities: IdentityKey[];
}

export interface LinkRecord {
  id: number;
  a: IdentityKey;
  b: IdentityKey;
  reason: string;
  source: LinkSource;
  status: 'active' | 'undone' | 'review' | 'capped';
  at: number;
}

export interface Review {
  id: number;
  linkId: number;
  kind: 'two_user_ids' | 'identity_cap';
  detail: string;
  at: number;
  a: IdentityKey;
  b: IdentityKey;
}

export interface IdentityGraph {
  /**
   * Records that two identifiers belong to one customer and merges their profiles, unless the
   * no-auto-merge rule or the cap holds the link for review.
   */
  link(
    a: IdentityRef,
    b: IdentityRef,
    options: { reason: string; source?: Exclude<LinkSource, 'merge'> },
  ): Promise<LinkResult>;
  /** A person's decision: merges even two different userIds (the cap still holds). */
  merge(a: IdentityRef, b: IdentityRef, options: { reason: string }): Promise<LinkResult>;
  /** Undoes one link and splits its profile where only that link held it together. Returns the resulting profiles. */
  unmerge(linkId: number, options: { reason: string }): Promise<{ profiles: number[] }>;
  /** The profile of any identity, with all its identities; `undefined` for one never seen. */
  lookup(ref: IdentityRef): Promise<Profile | undefined>;
  /** Every link touching the profile of `ref`, with reasons, newest first. */
  links(ref: IdentityRef): Promise<LinkRecord[]>;
  /** Links held for a person to decide. */
  reviews(): Promise<Review[]>;
  /** `merge` joins the two sides (as `merge()` would); `dismiss` keeps them apart. */
  resolveReview(reviewId: number, decision: 'merge' | 'dismiss'): Promise<LinkResult | undefined>;
  /** The stored key of an identity (hashed email/phone), e.g. to compare with `lookup()` results. */
  key(ref: IdentityRef): IdentityKey;
  /**
   * For an erasure: every identity of every profile these refs belong to (profiles held apart for
   * review stay apart), their keys as `kind:value`, and the profiles' case ids and aliases.
   */
  profileOf(refs: IdentityRef | IdentityRef[]): Promise<ProfileScope>;
  /**
   * Deletes the profiles holding any of the subject's identities, in one transaction: identities,
   * links, merges, reviews, profiles — and any case-book rows still pointing at those identities
   * (erase the case book first: it also removes other profiles' entries naming the customer).
   * Logical only: `scrubStore()` removes the bytes.
   */
  erase(subject: ErasureSubject): Promise<ErasureTargetResult>;
  readonly store: SqlStore;
}

interface Resolved {
  id: number;
  profileId: number;
}

/** What the case book shares with the graph: the same keys and the same in-transaction steps. */
export interface GraphInternals {
  key(ref: IdentityRef): IdentityKey;
  ensure(tx: SqlRunner, key: IdentityKey): Promise<Resolved>;
  find(tx: SqlRunner, key: IdentityKey): Promise<Resolved | undefined>;
  link(tx: SqlRunner, a: IdentityKey, b: IdentityKey, reason: string, source: LinkSource): Promise<LinkResult>;
  now(): number;
  /** `maxIdentitiesPerProfile`: also the most identities a profile read lists. */
  maxIdentities: number;
}

// Written by createIdentityGraph, read by createCaseBook: the graph's steps without a public API.
export const graphInternals = new WeakMap<IdentityGraph, GraphInternals>();

const num = (v: unknown) => Number(v);

const LINK_SQL = 'select * from tp_link($1, $2, $3, $4, $5, $6, $7, $8)';
// One json value shaped as a Profile (migration 6): `{ id, size, flag, identities: [{ kind, value }] }`.
const LOOKUP_SQL = 'select tp_lookup_profile($1, $2, $3) as profile';

/**
 * @example
 * const graph = createIdentityGraph(await openEmbeddedStore(), { hashKey: process.env.TP_HASH_KEY, defaultCountryCode: '84' });
 * await graph.link({ phone: '0912 345 678' }, { channel: 'facebook', id: 'psid-77' }, { reason: 'agent confirmed phone' });
 * const profile = await graph.lookup({ channel: 'facebook', id: 'psid-77' }); // identities: phone, facebook
 */
export function createIdentityGraph(store: SqlStore, options: IdentityGraphOptions = {}): IdentityGraph {
  if (!store || typeof store.transaction !== 'function')
    throw new TouchpointConfigError(
      'createIdentityGraph.store',
      'must be a store from openEmbeddedStore() or openPostgresStore()',
    );
  const cap = options.maxIdentitiesPerProfile ?? 1000;
  if (!Number.isInteger(cap) || cap < 2)
    throw new TouchpointConfigError('maxIdentitiesPerProfile', `must be an integer of at least 2, got ${String(cap)}`);
  const key = createIdentityKeys(options);
  const now = () => (options.clock ? options.clock.now() : Date.now());

  async function find(tx: SqlRunner, k: IdentityKey): Promise<Resolved | undefined> {
    const [row] = await tx.query<{ id: unknown; profile_id: unknown }>(
      'select id, profile_id from identities where kind = $1 and value = $2',
      [k.kind, k.value],
    );
    return row && { id: num(row.id), profileId: num(row.profile_id) };
  }

  async function ensure(tx: SqlRunner, k: IdentityKey): Promise<Resolved> {
    // One round trip: a known identity is read; a new one is stored with a profile of its own.
    const [row] = await tx.query<{ identity_id: unknown; profile: unknown }>('select * from tp_ensure($1, $2, $3)', [
      k.kind,
      k.value,
      now(),
    ]);
    if (row?.identity_id == null) throw new Error(`identity ${k.kind} could not be stored`);
    return { id: num(row.identity_id), profileId: num(row.profile) };
  }

  /** One statement (tp_link, migration 6): ensure both sides, lock, put the link, merge or hold it. */
  async function linkIn(
    tx: SqlRunner,
    ka: IdentityKey,
    kb: IdentityKey,
    reason: string,
    source: LinkSource,
  ): Promise<LinkResult> {
    const [row] = await tx.query<{
      r_status: LinkResult['status'];
      r_link: unknown;
      r_profile: unknown;
      r_review: unknown;
    }>(LINK_SQL, [ka.kind, ka.value, kb.kind, kb.value, reason, source, cap, now()]);
    if (!row) throw new Error('identity graph: tp_link returned no row');
    const result: LinkResult = { status: row.r_status, profileId: num(row.r_profile) };
    if (row.r_link != null) result.linkId = num(row.r_link);
    if (row.r_review != null) result.reviewId = num(row.r_review);
    return result;
  }

  function checkReason(reason: unknown): string {
    if (typeof reason !== 'string' || reason.trim() === '')
      throw new CaseInputError('invalid_event', 'a link needs a reason (who or what says these belong together)');
    return reason.slice(0, 500);
  }

  async function keysOf(tx: SqlRunner, ids: number[]): Promise<Map<number, IdentityKey>> {
    const rows = await tx.query<{ id: unknown; kind: string; value: string }>(
      'select id, kind, value from identities where id = any($1::bigint[])',
      [ids],
    );
    return new Map(rows.map((r) => [num(r.id), { kind: r.kind, value: r.value }]));
  }

  const graph: IdentityGraph = {
    store,
    key,
    async profileOf(refs) {
      const keys = (Array.isArray(refs) ? refs : [refs]).map((ref) => key(ref));
      return store.transaction((tx) => profileScope(tx, keys));
    },
    async erase(subject) {
      const keys = keysOfSubject(subject, key);
      return store.transaction(async (tx) => {
        const ids = await identityIdsOf(tx, keys);
        if (ids.length === 0) return erasureResult({});
        // Rows the case book still holds for these identities would be orphans once they are gone.
        const cases = await eraseCaseRows(tx, ids, subject, { mentions: false });
        const counts = await eraseGraphRows(tx, ids);
        return erasureResult({ ...counts, ...cases.counts }, cases.messageIds);
      });
    },
    async link(a, b, opts) {
      const reason = checkReason(opts?.reason);
      // One statement is atomic on its own: no BEGIN and COMMIT around it (two more exchanges).
      return linkIn(store, key(a), key(b), reason, opts.source ?? 'link');
    },
    async merge(a, b, opts) {
      const reason = checkReason(opts?.reason);
      return linkIn(store, key(a), key(b), reason, 'merge');
    },
    async unmerge(linkId, opts) {
      const reason = checkReason(opts?.reason);
      return store.transaction(async (tx) => {
        const [edge] = await tx.query<{ a: unknown; b: unknown; status: string }>(
          'select a, b, status from links where id = $1 for update',
          [linkId],
        );
        if (edge?.status !== 'active')
          throw new CaseInputError(
            'unknown_link',
            `link ${linkId} ${edge ? `is ${edge.status}, not active` : 'does not exist'}; nothing to unmerge`,
          );
        const at = now();
        await tx.query(`update links set status = 'undone', undone_at = $2, undo_reason = $3 where id = $1`, [
          linkId,
          at,
          reason,
        ]);
        await tx.query('update merges set undone_at = $2 where link_id = $1 and undone_at is null', [linkId, at]);
        const [{ profile_id }] = (await tx.query<{ profile_id: unknown }>(
          'select profile_id from identities where id = $1',
          [num(edge.a)],
        )) as [{ profile_id: unknown }];
        const profileId = num(profile_id);
        await tx.query('select id from profiles where id = $1 for update', [profileId]);
        const memberRows = await tx.query<{ id: unknown; kind: string; value: string }>(
          'select id, kind, value from identities where profile_id = $1',
          [profileId],
        );
        const members = memberRows.map((r) => num(r.id));
        const userOf = new Map(memberRows.filter((r) => r.kind === 'userId').map((r) => [num(r.id), r.value]));
        const usersIn = (component: number[]) => component.flatMap((id) => (userOf.has(id) ? [userOf.get(id)!] : []));
        const edges = await tx.query<{ a: unknown; b: unknown }>(
          `select a, b from links where status = 'active' and (a = any($1::bigint[]) or b = any($1::bigint[]))`,
          [members],
        );
        const adjacent = new Map<number, number[]>(members.map((m) => [m, []]));
        for (const e of edges) {
          adjacent.get(num(e.a))?.push(num(e.b));
          adjacent.get(num(e.b))?.push(num(e.a));
        }
        const components: number[][] = [];
        const seen = new Set<number>();
        for (const start of members) {
          if (seen.has(start)) continue;
          const component = [start];
          seen.add(start);
          for (let i = 0; i < component.length; i++) {
            for (const next of adjacent.get(component[i]!) ?? []) {
              if (!seen.has(next)) {
                seen.add(next);
                component.push(next);
              }
            }
          }
          components.push(component);
        }
        components.sort((x, y) => y.length - x.length);
        const result = [profileId];
        await tx.query('update profiles set size = $2, user_ids = $3, flag = null where id = $1', [
          profileId,
          components[0]!.length,
          usersIn(components[0]!),
        ]);
        for (const component of components.slice(1)) {
          const [row] = await tx.query<{ id: unknown }>(
            'insert into profiles (size, user_ids, created_at) values ($1, $2, $3) returning id',
            [component.length, usersIn(component), at],
          );
          const id = num(row!.id);
          await tx.query('update identities set profile_id = $1 where id = any($2::bigint[])', [id, component]);
          result.push(id);
        }
        return { profiles: result };
      });
    },
    async lookup(ref) {
      const k = key(ref);
      const [row] = await store.query<{ profile: Profile | null }>(LOOKUP_SQL, [k.kind, k.value, cap]);
      return row?.profile ?? undefined;
    },
    async links(ref) {
      const k = key(ref);
      return store.transaction(async (tx) => {
        const found = await find(tx, k);
        if (!found) return [];
        const rows = await tx.query<{
          id: unknown;
          a: unknown;
          b: unknown;
          reason: string;
          source: LinkSource;
          status: LinkRecord['status'];
          at: unknown;
        }>(
          `select l.id, l.a, l.b, l.reason, l.source, l.status, l.at from links l
           where l.a in (select id from identities where profile_id = $1) or l.b in (select id from identities where profile_id = $1)
           order by l.at desc, l.id desc`,
          [found.profileId],
        );
        const keys = await keysOf(tx, [...new Set(rows.flatMap((r) => [num(r.a), num(r.b)]))]);
        return rows.map((r) => ({
          id: num(r.id),
          a: keys.get(num(r.a))!,
          b: keys.get(num(r.b))!,
          reason: r.reason,
          source: r.source,
          status: r.status,
          at: num(r.at),
        }));
      });
    },
    async reviews() {
      return store.transaction(async (tx) => {
        const rows = await tx.query<{
          id: unknown;
          link_id: unknown;
          kind: Review['kind'];
          detail: string;
          at: unknown;
          a: unknown;
          b: unknown;
        }>(
          `select r.id, r.link_id, r.kind, r.detail, r.at, l.a, l.b from reviews r join links l on l.id = r.link_id
           where r.resolved_at is null order by r.at, r.id`,
        );
        const keys = await keysOf(tx, [...new Set(rows.flatMap((r) => [num(r.a), num(r.b)]))]);
        return rows.map((r) => ({
          id: num(r.id),
          linkId: num(r.link_id),
          kind: r.kind,
          detail: r.detail,
          at: num(r.at),
          a: keys.get(num(r.a))!,
          b: keys.get(num(r.b))!,
        }));
      });
    },
    resolveReview(reviewId, decision) {
      return store.transaction(async (tx) => {
        const [row] = await tx.query<{ a: unknown; b: unknown; reason: string }>(
          `select l.a, l.b, l.reason from reviews r join links l on l.id = r.link_id where r.id = $1 and r.resolved_at is null`,
          [reviewId],
        );
        if (!row) throw new CaseInputError('unknown_link', `review ${reviewId} does not exist or was already resolved`);
        await tx.query('update reviews set resolved_at = $2, resolution = $3 where id = $1', [
          reviewId,
          now(),
          decision,
        ]);
        if (decision === 'dismiss') return undefined;
        const keys = await keysOf(tx, [num(row.a), num(row.b)]);
        return linkIn(
          tx,
          keys.get(num(row.a))!,
          keys.get(num(row.b))!,
          `review ${reviewId} accepted: ${row.reason}`,
          'merge',
        );
      });
    },
  };
  graphInternals.set(graph, { key, ensure, find, link: linkIn, now, maxIdentities: cap });
  return graph;
}
