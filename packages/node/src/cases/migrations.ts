/**
 * The schema of the identity graph and the case book, as numbered migrations that both stores
 * (embedded and Postgres) run unchanged. Pending migrations run once, together in one transaction, under
 * an advisory lock, so instances starting together never apply one twice. Add a migration to
 * change the schema; never edit one that has shipped.
 *
 * Times are milliseconds since the epoch as `double precision` (exact for integers up to 2^53):
 * the same number in both drivers, with no time-zone conversion on the way.
 */
import type { SqlStore } from './sql-store.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'identity graph',
    sql: `
create table profiles (
  id bigserial primary key,
  size integer not null default 1,
  user_ids text[] not null default '{}',
  flag text,
  created_at double precision not null
);
create table identities (
  id bigserial primary key,
  kind text not null,
  value text not null,
  profile_id bigint not null,
  created_at double precision not null,
  unique (kind, value)
);
create index identities_profile on identities (profile_id, kind);
create table links (
  id bigserial primary key,
  a bigint not null,
  b bigint not null,
  reason text not null,
  source text not null,
  status text not null,
  at double precision not null,
  undone_at double precision,
  undo_reason text,
  unique (a, b)
);
create index links_b on links (b);
create table merges (
  id bigserial primary key,
  link_id bigint not null,
  into_profile bigint not null,
  from_profile bigint not null,
  moved integer not null,
  reason text not null,
  at double precision not null,
  undone_at double precision
);
create index merges_link on merges (link_id);
create table reviews (
  id bigserial primary key,
  link_id bigint not null,
  kind text not null,
  detail text not null,
  at double precision not null,
  resolved_at double precision,
  resolution text
);
create index reviews_open on reviews (at) where resolved_at is null;
`,
  },
  {
    version: 2,
    name: 'cases, timeline, promises, states, orders',
    sql: `
create table cases (
  id text primary key,
  identity_id bigint not null,
  topic text,
  channel text,
  status text not null,
  opened_at double precision not null,
  first_reply_at double precision,
  resolved_at double precision,
  repeat_count integer not null default 0,
  state text,
  agent text,
  team text
);
create index cases_identity on cases (identity_id);
create index cases_open on cases (opened_at) where status = 'open';
create table case_aliases (
  alias text primary key,
  case_id text not null
);
create table timeline (
  seq bigserial primary key,
  message_id text unique,
  identity_id bigint,
  case_id text,
  at double precision not null,
  kind text not null,
  channel text,
  data jsonb
);
create index timeline_identity on timeline (identity_id, at);
create index timeline_case on timeline (case_id, at);
create table promises (
  id bigserial primary key,
  case_id text not null,
  what text not null,
  owner text,
  channel text,
  made_at double precision not null,
  due_at double precision not null,
  status text not null,
  kept_at double precision,
  alerted_at double precision,
  escalated_at double precision
);
create index promises_case on promises (case_id);
create index promises_due on promises (due_at) where status = 'open';
create table case_states (
  id bigserial primary key,
  case_id text not null,
  state text not null,
  at double precision not null,
  agent text,
  team text
);
create index case_states_at on case_states (at);
create table orders (
  id bigserial primary key,
  identity_id bigint not null,
  order_id text,
  revenue double precision,
  at double precision not null
);
create index orders_identity on orders (identity_id, at);
`,
  },
  {
    version: 3,
    name: 'hot-path functions',
    // PL/pgSQL caches each statement's plan per connection: on the embedded store planning a join
    // costs more than running it, so the graph's hot path calls these instead of sending SQL.
    sql: `
create function tp_lookup(k text, v text, lim integer)
returns table (kind text, value text, profile_id bigint, size integer, flag text)
language plpgsql stable as $f$
begin
  return query select i2.kind, i2.value, p.id, p.size, p.flag
    from identities i join profiles p on p.id = i.profile_id join identities i2 on i2.profile_id = i.profile_id
    where i.kind = k and i.value = v order by i2.id limit lim;
end $f$;
create function tp_ensure(k text, v text, at double precision)
returns table (identity_id bigint, profile bigint)
language plpgsql as $f$
declare r record;
begin
  select i.id, i.profile_id into r from identities i where i.kind = k and i.value = v;
  if not found then
    insert into identities as i (kind, value, profile_id, created_at) values (k, v, nextval('profiles_id_seq'), at)
      on conflict (kind, value) do nothing returning i.id, i.profile_id into r;
    if found then
      insert into profiles (id, size, user_ids, created_at)
        values (r.profile_id, 1, case when k = 'userId' then array[v] else '{}'::text[] end, at);
    else
      select i.id, i.profile_id into r from identities i where i.kind = k and i.value = v;
    end if;
  end if;
  return query select r.id::bigint, r.profile_id::bigint;
end $f$;
create function tp_lock_sides(ids bigint[], lo bigint, hi bigint)
returns table (identity_id bigint, profile bigint, size integer, flag text, user_ids text[], link text)
language plpgsql as $f$
begin
  return query select i.id, i.profile_id, p.size, p.flag, p.user_ids,
      (select l.id || ':' || l.status from links l where l.a = lo and l.b = hi)
    from identities i join profiles p on p.id = i.profile_id
    where i.id = any(ids) order by p.id for update of p;
end $f$;
create function tp_put_link(lo bigint, hi bigint, why text, src text, st text, at double precision)
returns bigint
language plpgsql as $f$
declare link_id bigint;
begin
  insert into links as l (a, b, reason, source, status, at) values (lo, hi, why, src, st, at)
    on conflict (a, b) do update set reason = excluded.reason, source = excluded.source, status = excluded.status,
      undone_at = null, undo_reason = null
    returning l.id into link_id;
  return link_id;
end $f$;
create function tp_merge(into_p bigint, from_p bigint, from_users text[], link_id bigint, why text, at double precision)
returns integer
language plpgsql as $f$
declare moved integer;
begin
  update identities set profile_id = into_p where profile_id = from_p;
  get diagnostics moved = row_count;
  update profiles set size = size + moved,
    user_ids = array(select distinct u from unnest(user_ids || from_users) u) where id = into_p;
  delete from profiles where id = from_p;
  insert into merges (link_id, into_profile, from_profile, moved, reason, at) values (link_id, into_p, from_p, moved, why, at);
  return moved;
end $f$;
create function tp_profile_cases(profile bigint)
returns setof cases
language plpgsql stable as $f$
begin
  return query select c.* from cases c join identities i on i.id = c.identity_id where i.profile_id = profile order by c.opened_at;
end $f$;
create function tp_history(profile bigint, case_ids text[], lim integer)
returns table (seq bigint, at double precision, kind text, case_id text, channel text, data jsonb)
language plpgsql stable as $f$
begin
  return query
    select t.seq, t.at, t.kind, t.case_id, t.channel, t.data from timeline t
      where t.identity_id in (select i.id from identities i where i.profile_id = profile)
    union
    select t.seq, t.at, t.kind, t.case_id, t.channel, t.data from timeline t where t.case_id = any(case_ids)
    order by 2 desc, 1 desc limit lim;
end $f$;
`,
  },
  {
    version: 4,
    name: 'consent records',
    // Kept as proof after an erasure: subject_keys is emptied and erasure_id set, the decision stays.
    sql: `
create table consent_records (
  id bigserial primary key,
  message_id text not null unique,
  subject_keys text[] not null default '{}',
  analytics boolean not null,
  personalization boolean not null,
  marketing boolean not null,
  gpc boolean not null,
  policy_version text,
  source text,
  at double precision not null,
  received_at double precision not null,
  erasure_id text
);
create index consent_records_keys on consent_records using gin (subject_keys);
create index consent_records_erasure on consent_records (erasure_id) where erasure_id is not null;
create index consent_records_at on consent_records (at);
`,
  },
  {
    version: 5,
    name: 'history in one round trip',
    // history() took three statements (lookup, cases, timeline) and PGlite's JavaScript protocol
    // parser copied every field of every row on its own (a 200-event case: 1 200 fields, ~3 ms).
    // This returns the whole story as one json value: one field to copy, one JSON.parse. Inside one
    // stable function every part is read from the same snapshot. The timeline is one scan with an
    // OR of two index conditions (a BitmapOr), where version 3 de-duplicated a UNION of whole rows.
    sql: `
create function tp_customer_history(k text, v text, lim_ids integer, lim integer)
returns json
language plpgsql stable as $f$
declare pid bigint; ids bigint[]; cids text[];
begin
  select i.profile_id into pid from identities i where i.kind = k and i.value = v;
  if not found then return null; end if;
  select array_agg(i.id) into ids from identities i where i.profile_id = pid;
  select array_agg(c.id) into cids from cases c where c.identity_id = any(ids);
  return json_build_object(
    'profile', (select json_build_object('id', p.id, 'size', p.size, 'flag', p.flag) from profiles p where p.id = pid),
    'identities', (select coalesce(json_agg(json_build_object('kind', x.kind, 'value', x.value) order by x.id), '[]')
      from (select i.id, i.kind, i.value from identities i where i.profile_id = pid order by i.id limit lim_ids) x),
    'cases', (select coalesce(json_agg(c order by c.opened_at), '[]') from cases c where c.identity_id = any(ids)),
    'timeline', (select coalesce(json_agg(json_build_object('at', t.at, 'kind', t.kind, 'case_id', t.case_id,
        'channel', t.channel, 'data', t.data) order by t.at, t.seq), '[]')
      from (select t.seq, t.at, t.kind, t.case_id, t.channel, t.data from timeline t
        where t.identity_id = any(ids) or t.case_id = any(cids) order by t.at desc, t.seq desc limit lim) t)
  );
end $f$;
`,
  },
  {
    version: 6,
    name: 'link in one call, a profile as one value',
    // link() was a transaction of BEGIN, two tp_ensure, tp_lock_sides, tp_put_link, tp_merge and
    // COMMIT: seven exchanges with the database (each a crossing into PGlite's WebAssembly, or a
    // network round trip to a server). This is the same steps and the same rules in one statement,
    // atomic without BEGIN/COMMIT, so a link is one exchange. The rules: two profiles with
    // different userIds are held for review unless a person merges them; a merge that would pass
    // the cap is held and the full profile flagged once; an active link is not redone; an undone,
    // reviewed or capped link is redone only by a person's merge; the smaller profile moves.
    // tp_lookup_profile answers lookup() as one json value, as history() does since version 5:
    // PGlite's protocol parser copies every field of every row, which for a profile of 1 000
    // identities (the cap) took 6 ms at the median; one value takes 1.8 ms.
    sql: `
create function tp_link(ka text, va text, kb text, vb text, why text, src text, cap integer, at double precision,
  out r_status text, out r_link bigint, out r_profile bigint, out r_review bigint)
language plpgsql as $f$
declare
  ia bigint; ib bigint; pa bigint; pb bigint; npa bigint; npb bigint; lo bigint; hi bigint;
  a_size integer; b_size integer; a_flag text; b_flag text; a_users text[]; b_users text[];
  old_id bigint; old_status text; st text := 'active'; held_kind text; held_detail text; held_flag bigint;
  attempt integer := 0;
  ik bigint; pk bigint; npk bigint; k_size integer; k_users text[]; kn text; vn text; n_users text[]; inew bigint; newp bigint;
begin
  select i.id, i.profile_id into ia, pa from identities i where i.kind = ka and i.value = va;
  select i.id, i.profile_id into ib, pb from identities i where i.kind = kb and i.value = vb;
  -- The most common link brings a new identity (an email, a phone, a channel account) into a known
  -- profile. The general path below gives it a profile of its own and merges that away; when the
  -- rules let that merge happen (no review, within the cap, the known profile is the one kept), this
  -- writes the same rows directly: the identity in the known profile, the link, the profile's new
  -- size and userIds, and the merge record naming the one-identity profile as it would have.
  if (ia is null) <> (ib is null) then
    if ia is not null then ik := ia; pk := pa; kn := kb; vn := vb; else ik := ib; pk := pb; kn := ka; vn := va; end if;
    n_users := case when kn = 'userId' then array[vn] else '{}'::text[] end;
    select p.size, p.user_ids into k_size, k_users from profiles p where p.id = pk for update;
    -- Under READ COMMITTED, a merge committed while this waited for the lock is seen only by a new statement.
    select i.profile_id into npk from identities i where i.id = ik;
    if npk = pk and k_size + 1 <= cap and (ia is not null or k_size > 1)
      and not (src <> 'merge' and cardinality(k_users) > 0 and cardinality(n_users) > 0
        and not (case when ia is not null then n_users <@ k_users else k_users <@ n_users end)) then
      newp := nextval('profiles_id_seq');
      insert into identities as i (kind, value, profile_id, created_at) values (kn, vn, pk, at)
        on conflict (kind, value) do nothing returning i.id into inew;
      if found then
        r_link := tp_put_link(least(ik, inew), greatest(ik, inew), why, src, 'active', at);
        update profiles set size = size + 1, user_ids = array(select distinct u from unnest(user_ids || n_users) u)
          where id = pk;
        insert into merges (link_id, into_profile, from_profile, moved, reason, at) values (r_link, pk, newp, 1, why, at);
        r_status := 'merged'; r_profile := pk;
        return;
      end if;
      -- Another transaction stored the identity meanwhile: the general path reads it.
    end if;
  end if;
  if ia is null then select e.identity_id, e.profile into ia, pa from tp_ensure(ka, va, at) e; end if;
  if ib is null then select e.identity_id, e.profile into ib, pb from tp_ensure(kb, vb, at) e; end if;
  if ia is null or ib is null then raise exception 'identity graph: an identity could not be stored'; end if;
  if ia = ib then r_status := 'same'; r_profile := pa; return; end if;
  lo := least(ia, ib); hi := greatest(ia, ib);
  loop
    -- Both profiles locked in id order, so two links over the same pair never deadlock.
    perform 1 from profiles p where p.id in (pa, pb) order by p.id for update;
    -- A merge committed while this waited may have moved either identity: then lock where they are now.
    select i.profile_id into npa from identities i where i.id = ia;
    select i.profile_id into npb from identities i where i.id = ib;
    exit when npa = pa and npb = pb;
    attempt := attempt + 1;
    if attempt > 20 then raise exception 'identity graph: profiles kept moving while linking; try again'; end if;
    pa := npa; pb := npb;
  end loop;
  select p.size, p.flag, p.user_ids into a_size, a_flag, a_users from profiles p where p.id = pa;
  select p.size, p.flag, p.user_ids into b_size, b_flag, b_users from profiles p where p.id = pb;
  r_profile := pa;
  select l.id, l.status into old_id, old_status from links l where l.a = lo and l.b = hi;
  if old_id is not null and (old_status = 'active' or src <> 'merge') then
    r_status := case when old_status = 'active' then 'linked' else old_status end;
    r_link := old_id;
    return;
  end if;
  if pa <> pb then
    if src <> 'merge' and cardinality(a_users) > 0 and cardinality(b_users) > 0 and not (b_users <@ a_users) then
      st := 'review';
      held_kind := 'two_user_ids';
      held_detail := format('different userIds %s and %s (%s)', a_users[1], b_users[1], why);
    elsif a_size + b_size > cap then
      st := 'capped';
      if a_size >= b_size then
        if a_flag is null then held_flag := pa; held_detail := format('profile %s has %s identities; the cap is %s (%s)', pa, a_size, cap, why); end if;
      elsif b_flag is null then
        held_flag := pb; held_detail := format('profile %s has %s identities; the cap is %s (%s)', pb, b_size, cap, why);
      end if;
      if held_flag is not null then held_kind := 'identity_cap'; end if;
    end if;
  end if;
  r_link := tp_put_link(lo, hi, why, src, st, at);
  if st <> 'active' then
    r_status := st;
    if held_kind is not null then
      if held_flag is not null then update profiles set flag = 'identity_cap' where id = held_flag; end if;
      insert into reviews (link_id, kind, detail, at) values (r_link, held_kind, held_detail, at) returning id into r_review;
    end if;
    return;
  end if;
  if pa = pb then r_status := 'linked'; return; end if;
  if a_size >= b_size then
    perform tp_merge(pa, pb, b_users, r_link, why, at);
  else
    perform tp_merge(pb, pa, a_users, r_link, why, at);
    r_profile := pb;
  end if;
  r_status := 'merged';
end $f$;
create function tp_lookup_profile(k text, v text, lim integer)
returns json
language plpgsql stable as $f$
declare pid bigint;
begin
  select i.profile_id into pid from identities i where i.kind = k and i.value = v;
  if not found then return null; end if;
  return (select json_build_object('id', p.id, 'size', p.size, 'flag', p.flag, 'identities',
      (select coalesce(json_agg(json_build_object('kind', x.kind, 'value', x.value) order by x.id), '[]')
        from (select i.id, i.kind, i.value from identities i where i.profile_id = pid order by i.id limit lim) x))
    from profiles p where p.id = pid);
end $f$;
`,
  },
];

/** Splits a migration into statements at `;` line ends, keeping `$f$ … $f$` function bodies whole. */
function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let current = '';
  let inBody = false;
  for (const line of sql.split('\n')) {
    current += `${line}\n`;
    if ((line.match(/\$f\$/g)?.length ?? 0) % 2 === 1) inBody = !inBody;
    if (!inBody && line.trimEnd().endsWith(';')) {
      out.push(current.trim());
      current = '';
    }
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

// Any constant shared by every instance: the lock is held only while migrating.
const LOCK_KEY = 7_426_001;

/** Applies the migrations this store has not run yet; returns the versions it applied. */
export async function migrate(store: SqlStore): Promise<number[]> {
  const applied: number[] = [];
  await store.transaction(async (tx) => {
    await tx.query(`select pg_advisory_xact_lock(${LOCK_KEY})`);
    await tx.query(
      'create table if not exists migrations (version integer primary key, name text not null, applied_at double precision not null)',
    );
    const done = new Set(
      (await tx.query<{ version: number }>('select version from migrations')).map((r) => Number(r.version)),
    );
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      // Function bodies contain `;`, so statements are split only where a line ends with one outside $f$ quotes.
      for (const statement of splitStatements(m.sql)) await tx.query(statement);
      await tx.query('insert into migrations (version, name, applied_at) values ($1, $2, $3)', [
        m.version,
        m.name,
        Date.now(),
      ]);
      applied.push(m.version);
    }
  });
  return applied;
}
