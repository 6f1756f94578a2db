/**
 * Erasure in the identity graph and the case book: which rows are one customer's, and removing
 * them. A customer is a profile (a connected component of the graph); erasing asks for every
 * profile that holds one of the subject's identities — and only those: a link held for review
 * (two different userIds) never joined two profiles, so it does not widen an erasure either.
 *
 * Deleting here is logical (committed rows gone, in one transaction); the bytes of the old rows
 * stay in Postgres pages and WAL until `scrubStore()` rewrites them (see `store-scrub.ts`).
 */
import type { ErasureSubject, ErasureTargetResult } from '../privacy/subject.js';
import type { IdentityKey, IdentityRef } from './identity-key.js';
import type { SqlRunner } from './sql-store.js';

/** Everything the graph and the case book know about the profiles of some identities. */
export interface ProfileScope {
  /** The profiles found (a ref never seen has none). */
  profiles: { id: number; size: number; flag: string | null }[];
  /** Every identity of those profiles, plus each ref's own key when the graph never saw it. */
  identities: IdentityKey[];
  /** `kind:value` of each identity (emails and phones as the graph's digests): `SubjectInput.keys`. */
  keys: string[];
  anonymousIds: string[];
  userIds: string[];
  accounts: { channel: string; id: string }[];
  /** The profiles' cases and their aliases (from the case book's tables in the same store). */
  caseIds: string[];
}

const num = (v: unknown) => Number(v);

/** `userId:u1`, `email:<digest>`, `account:facebook:psid-7` — the shape of `ErasureSubject.keys`. */
export const keyString = (k: IdentityKey) => `${k.kind}:${k.value}`;

/** The inverse of `keyString`; an account's kind is `account:<channel>`, so it ends at the second colon. */
export function parseKeyString(text: string): IdentityKey | undefined {
  const colon = text.indexOf(':', text.startsWith('account:') ? 'account:'.length : 0);
  if (colon <= 0 || colon === text.length - 1) return undefined;
  return { kind: text.slice(0, colon), value: text.slice(colon + 1) };
}

/** The graph keys a subject names: its `keys` and every raw id in it, keyed as the graph keys them. */
export function keysOfSubject(subject: ErasureSubject, key: (ref: IdentityRef) => IdentityKey): IdentityKey[] {
  const out = new Map<string, IdentityKey>();
  const add = (k: IdentityKey | undefined) => {
    if (k) out.set(keyString(k), k);
  };
  for (const text of subject.keys) add(parseKeyString(text));
  const refs: IdentityRef[] = [
    ...subject.anonymousIds.map((anonymousId) => ({ anonymousId })),
    ...subject.userIds.map((userId) => ({ userId })),
    ...subject.accounts.map((a) => ({ channel: a.channel, id: a.id })),
    ...subject.emails.map((email) => ({ email })),
    ...subject.phones.map((phone) => ({ phone })),
  ];
  for (const ref of refs) {
    try {
      add(key(ref));
    } catch {
      // A value the graph cannot key (a national phone without a country code) names no identity here.
    }
  }
  return [...out.values()];
}

interface IdentityRow {
  id: unknown;
  kind: string;
  value: string;
  profile_id: unknown;
  size: unknown;
  flag: string | null;
}

/** Every identity of every profile holding one of `keys`. */
async function profileRows(tx: SqlRunner, keys: IdentityKey[]): Promise<IdentityRow[]> {
  if (keys.length === 0) return [];
  return tx.query<IdentityRow>(
    `select i.id, i.kind, i.value, i.profile_id, p.size, p.flag from identities i join profiles p on p.id = i.profile_id
     where i.profile_id in (
       select m.profile_id from identities m join unnest($1::text[], $2::text[]) as k(kind, value)
         on m.kind = k.kind and m.value = k.value)
     order by i.profile_id, i.id`,
    [keys.map((k) => k.kind), keys.map((k) => k.value)],
  );
}

/** Case ids of cases opened by these identities, with their aliases. */
async function casesOfIdentities(
  tx: SqlRunner,
  identityIds: number[],
  extra: readonly string[] = [],
): Promise<string[]> {
  const rows = await tx.query<{ id: string }>(
    `with c as (
       select id from cases where identity_id = any($1::bigint[])
       union select coalesce((select a.case_id from case_aliases a where a.alias = x), x) from unnest($2::text[]) x)
     select c.id from c join cases k on k.id = c.id
     union select a.alias from case_aliases a where a.case_id in (select id from c)`,
    [identityIds, [...extra]],
  );
  return rows.map((r) => r.id);
}

/** The scope of some identities: their whole profiles, and the cases of those profiles. */
export async function profileScope(tx: SqlRunner, keys: IdentityKey[]): Promise<ProfileScope> {
  const rows = await profileRows(tx, keys);
  const identities = new Map<string, IdentityKey>();
  const profiles = new Map<number, ProfileScope['profiles'][number]>();
  for (const r of rows) {
    identities.set(keyString(r), { kind: r.kind, value: r.value });
    profiles.set(num(r.profile_id), { id: num(r.profile_id), size: num(r.size), flag: r.flag });
  }
  // A ref the graph never saw is still the customer's: the log or a file may hold it.
  for (const k of keys) if (!identities.has(keyString(k))) identities.set(keyString(k), k);
  const all = [...identities.values()];
  const of = (kind: string) => all.filter((k) => k.kind === kind).map((k) => k.value);
  return {
    profiles: [...profiles.values()],
    identities: all,
    keys: all.map(keyString),
    anonymousIds: of('anonymousId'),
    userIds: of('userId'),
    accounts: all
      .filter((k) => k.kind.startsWith('account:'))
      .map((k) => ({ channel: k.kind.slice('account:'.length), id: k.value })),
    caseIds: await casesOfIdentities(
      tx,
      rows.map((r) => num(r.id)),
    ),
  };
}

/** Case ids (and aliases) of cases opened by any identity of these profiles. */
export async function caseIdsOfProfiles(tx: SqlRunner, profileIds: number[]): Promise<string[]> {
  const rows = await tx.query<{ id: unknown }>('select id from identities where profile_id = any($1::bigint[])', [
    profileIds,
  ]);
  return casesOfIdentities(
    tx,
    rows.map((r) => num(r.id)),
  );
}

/** `like` pattern for a string value inside `jsonb::text`: the JSON-quoted value, so `"CALL-7"` never matches `"CALL-71"`. */
function jsonValuePattern(needle: string): string {
  return `%${JSON.stringify(needle).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

// Shorter ids (a userId `42`) would match unrelated values in other customers' entries.
const SWEEP_MIN_LENGTH = 8;

/**
 * Deletes the case book's rows of these identities and cases: cases, aliases, timeline entries,
 * promises, states and orders — and timeline entries of other profiles whose data holds one of
 * the subject's ids as a value (a touchpoint naming the customer's case id, say). Returns counts
 * and the erased entries' message ids.
 */
export async function eraseCaseRows(
  tx: SqlRunner,
  identityIds: number[],
  subject: ErasureSubject,
  options: { mentions: boolean } = { mentions: true },
): Promise<{ counts: Record<string, number>; messageIds: string[] }> {
  const caseIds = await casesOfIdentities(tx, identityIds, subject.caseIds);
  const counts: Record<string, number> = {};
  const del = async (table: string, sql: string, params: unknown[]) => {
    const rows = await tx.query<{ message_id?: string | null }>(sql, params);
    counts[table] = (counts[table] ?? 0) + rows.length;
    return rows;
  };
  const entries = await del(
    'timeline',
    'delete from timeline where identity_id = any($1::bigint[]) or case_id = any($2::text[]) returning message_id',
    [identityIds, caseIds],
  );
  // A scan of the whole timeline; the case book's erase runs it, the graph's (orphans only) need not.
  const patterns = options.mentions
    ? [...subject.needles].filter((n) => n.length >= SWEEP_MIN_LENGTH).map(jsonValuePattern)
    : [];
  const mentions =
    patterns.length === 0
      ? []
      : await del('timeline', 'delete from timeline where data::text like any($1::text[]) returning message_id', [
          patterns,
        ]);
  counts.mentions = mentions.length;
  await del('promises', 'delete from promises where case_id = any($1::text[]) returning id', [caseIds]);
  await del('case_states', 'delete from case_states where case_id = any($1::text[]) returning id', [caseIds]);
  await del('orders', 'delete from orders where identity_id = any($1::bigint[]) returning id', [identityIds]);
  await del('case_aliases', 'delete from case_aliases where case_id = any($1::text[]) returning alias', [caseIds]);
  await del('cases', 'delete from cases where id = any($1::text[]) returning id', [caseIds]);
  const messageIds = [...entries, ...mentions].flatMap((r) => (r.message_id ? [r.message_id] : []));
  return { counts, messageIds };
}

/** Identity ids of every profile holding one of `keys`. */
export async function identityIdsOf(tx: SqlRunner, keys: IdentityKey[]): Promise<number[]> {
  return (await profileRows(tx, keys)).map((r) => num(r.id));
}

/**
 * Deletes the graph's rows of these profiles: identities, the links touching them (and the merges
 * and reviews of those links), merges into or out of the profiles, and the profiles.
 */
export async function eraseGraphRows(tx: SqlRunner, identityIds: number[]): Promise<Record<string, number>> {
  const profileIds = (
    await tx.query<{ profile_id: unknown }>('select distinct profile_id from identities where id = any($1::bigint[])', [
      identityIds,
    ])
  ).map((r) => num(r.profile_id));
  const links = (
    await tx.query<{ id: unknown }>('select id from links where a = any($1::bigint[]) or b = any($1::bigint[])', [
      identityIds,
    ])
  ).map((r) => num(r.id));
  const count = async (sql: string, params: unknown[]) => (await tx.query(sql, params)).length;
  return {
    reviews: await count('delete from reviews where link_id = any($1::bigint[]) returning id', [links]),
    merges: await count(
      'delete from merges where link_id = any($1::bigint[]) or into_profile = any($2::bigint[]) or from_profile = any($2::bigint[]) returning id',
      [links, profileIds],
    ),
    links: await count('delete from links where id = any($1::bigint[]) returning id', [links]),
    identities: await count('delete from identities where id = any($1::bigint[]) returning id', [identityIds]),
    profiles: await count('delete from profiles where id = any($1::bigint[]) returning id', [profileIds]),
  };
}

/** An audit-safe summary: table names and counts, never a value. */
export function erasureResult(counts: Record<string, number>, messageIds: string[] = []): ErasureTargetResult {
  const { mentions = 0, ...tables } = counts;
  const erased = Object.values(tables).reduce((a, b) => a + b, 0);
  const parts = Object.entries(tables)
    .filter(([, n]) => n > 0)
    .map(([table, n]) => `${table} ${n}`);
  if (mentions > 0) parts.push(`(${mentions} timeline entries of other profiles named the customer)`);
  return {
    erased,
    ...(messageIds.length > 0 ? { messageIds } : {}),
    detail: parts.length > 0 ? `deleted ${parts.join(', ')}` : 'nothing stored for this customer',
  };
}
