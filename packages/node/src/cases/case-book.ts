/**
 * The case book: one case across every conversation a customer starts about one problem. It reads
 * the forwarded stream (case events, identifies, touchpoints, feedback, orders), keeps cases,
 * their timelines and promises in the store, and answers `history(anyIdentity)` with the whole
 * story across channels, so the fourth agent reads it instead of asking for it again.
 *
 * Guarantees:
 * - a new contact from a customer (any identity of the profile) who has an open case on the same
 *   topic within `repeatWindowMs` joins that case as a repeat contact: counted, on the timeline,
 *   and alerted through `notify` — no second case;
 * - each event is recorded once (by `messageId`) in one transaction: a redelivered batch changes
 *   nothing, and a refused event (`CaseInputError`: unknown case id, bad field) changes nothing;
 * - only inbound contacts link identities; an agent's reply never merges anyone.
 */
import { type Clock, systemClock, TouchpointConfigError, type TouchpointEvent } from '@touchpoint/core';
import type { ErasureSubject, ErasureTargetResult } from '../privacy/subject.js';
import { checkRetentionDays } from '../retention-days.js';
import type { BusinessHours } from './business-hours.js';
import { type CaseEvent, type CaseState, isCaseEvent, readCaseEvent } from './case-events.js';
import { type CaseDashboard, type ConversionReport, casesDashboard, conversionByState } from './case-reports.js';
import { applyCaseRetention, type RetentionResult } from './case-retention.js';
import { CaseInputError } from './errors.js';
import { type GraphInternals, graphInternals, type IdentityGraph, type Profile } from './identity-graph.js';
import type { IdentityKey, IdentityRef } from './identity-key.js';
import { caseIdsOfProfiles, eraseCaseRows, erasureResult, identityIdsOf, keysOfSubject } from './profile-erasure.js';
import {
  checkPromises,
  type PromiseAlert,
  type PromiseRecord,
  type PromiseWatch,
  promiseRows,
  watchPromises,
} from './promise-alerts.js';
import type { SqlRunner, SqlStore } from './sql-store.js';

export interface RepeatContactAlert {
  kind: 'repeat_contact';
  caseId: string;
  /** The id the new contact arrived with, now an alias of `caseId`. */
  contactCaseId: string;
  channel: string | undefined;
  /** Repeat contacts on this case so far, this one included. */
  count: number;
  /** The agent who has the case. */
  owner: string | undefined;
}

export type CaseAlert = RepeatContactAlert | PromiseAlert;

export interface CaseBookOptions {
  clock?: Clock;
  /** Receives repeat contacts, overdue and escalated promises (route it like `feedbackAlert`'s `notify`). */
  notify?: (alert: CaseAlert) => void | Promise<void>;
  /** A new contact joins an open case opened at most this long ago (default 30 days). */
  repeatWindowMs?: number;
  /** Working hours for SLA figures and `withinBusinessHours` promises (default: wall-clock time). */
  businessHours?: BusinessHours;
  /** An overdue promise escalates this long after its due time (default 4 h). */
  escalateAfterMs?: number;
  /** Who hears an escalation (default: the owner again, marked `escalated`). */
  escalateTo?: (owner: string | undefined) => string | undefined;
  /** Touchpoints that count as orders for conversion (default `['order.completed']`). */
  orderEvents?: string[];
  /** Keep other touchpoints and feedback on the history timeline (default `true`). */
  touchpoints?: boolean;
  /** A `notify` that threw. */
  onError?: (error: unknown) => void;
}

export interface CaseSummary {
  id: string;
  status: 'open' | 'resolved';
  topic: string | null;
  /** Channel the case was opened on. */
  channel: string | null;
  openedAt: number;
  firstReplyAt: number | null;
  resolvedAt: number | null;
  repeatContacts: number;
  state: CaseState | null;
  agent: string | null;
  team: string | null;
}

export interface TimelineEntry {
  at: number;
  /** `opened`, `message`, `promise`, `promise_kept`, `state`, `resolved`, `repeat_contact`, `touchpoint`, `feedback`. */
  kind: string;
  caseId: string | null;
  channel: string | null;
  data: Record<string, unknown>;
}

export interface CaseSla {
  /** Opened to the first agent reply; `null` before it. Business time when `businessHours` is set. */
  firstReplyMs: number | null;
  /** Sum of each customer message's wait for the next agent reply. */
  handlingMs: number;
  /** Opened to resolved; `null` while open. */
  resolveMs: number | null;
}

export interface CaseDetail {
  case: CaseSummary;
  timeline: TimelineEntry[];
  promises: PromiseRecord[];
  sla: CaseSla;
}

export interface CustomerHistory {
  profile: Profile;
  cases: CaseSummary[];
  /** Oldest first: touchpoints, feedback, messages, promises, across every channel. */
  timeline: TimelineEntry[];
}

export interface RecordResult {
  /** `joined`: a repeat contact added to an open case. `duplicate`: seen before. `ignored`: nothing to keep. */
  status: 'recorded' | 'joined' | 'duplicate' | 'ignored' | 'linked';
  caseId?: string;
  /** Identities in an `identify` that were skipped (a phone that is not E.164…), with why. */
  skipped?: string[];
}

export interface CaseBook {
  /** Records one event from the stream; throws `CaseInputError` for an event it refuses. */
  record(event: TouchpointEvent): Promise<RecordResult>;
  /** The whole story of the customer behind any identity; `undefined` for one never seen. */
  history(ref: IdentityRef, options?: { limit?: number }): Promise<CustomerHistory | undefined>;
  /** One case (by its id or an alias) with timeline, promises and SLA figures. */
  getCase(caseId: string): Promise<CaseDetail | undefined>;
  /** Alerts promises that are due, escalates the ones overdue past `escalateAfterMs`; returns what it sent. */
  checkPromises(): Promise<PromiseAlert[]>;
  /** Runs `checkPromises` every `everyMs` (default 60 s) on the book's clock. */
  watchPromises(options?: { everyMs?: number }): PromiseWatch;
  /** Orders within `windowMs` (default 7 days) after a conversation state, per state, agent and team. */
  conversion(options?: { windowMs?: number; from?: number; to?: number }): Promise<ConversionReport>;
  /** Open cases, overdue promises, repeat contacts, handling times and conversion, for a dashboard. */
  dashboard(options?: { sinceMs?: number; conversionWindowMs?: number }): Promise<CaseDashboard>;
  /** Case ids and aliases of the cases these profiles opened (for an erasure subject). */
  caseIdsOf(profileIds: number[]): Promise<string[]>;
  /**
   * Deletes, in one transaction, the cases of every profile holding one of the subject's
   * identities (and the subject's `caseIds`) with their timelines, promises, states and aliases,
   * the profiles' touchpoints, feedback and orders, and other profiles' timeline entries that hold
   * one of the subject's ids (8+ characters) as a value. Run it before `graph.erase` — it finds
   * the profile through the graph. Logical only: `scrubStore()` removes the bytes.
   */
  erase(subject: ErasureSubject): Promise<ErasureTargetResult>;
  /**
   * Deletes resolved cases resolved more than `days` ago (with their timeline, promises, states)
   * and touchpoints, feedback and orders older than that; open cases are kept. One transaction.
   */
  applyRetention(options: { days: number }): Promise<RetentionResult>;
  readonly graph: IdentityGraph;
}

const num = (v: unknown) => Number(v);

/** What `tp_customer_history` returns (migration 5). */
interface StoryJson {
  profile: { id: unknown; size: unknown; flag: string | null } | null;
  identities: IdentityKey[];
  cases: CaseRow[];
  timeline: { at: unknown; kind: string; case_id: string | null; channel: string | null; data: unknown }[];
}
const orNull = (v: unknown) => (v === null || v === undefined ? null : num(v));

interface CaseRow {
  id: string;
  identity_id: unknown;
  topic: string | null;
  channel: string | null;
  status: 'open' | 'resolved';
  opened_at: unknown;
  first_reply_at: unknown;
  resolved_at: unknown;
  repeat_count: unknown;
  state: string | null;
  agent: string | null;
  team: string | null;
}

const CASE_COLUMNS =
  'c.id, c.identity_id, c.topic, c.channel, c.status, c.opened_at, c.first_reply_at, c.resolved_at, c.repeat_count, c.state, c.agent, c.team';

function toSummary(r: CaseRow): CaseSummary {
  return {
    id: r.id,
    status: r.status,
    topic: r.topic,
    channel: r.channel,
    openedAt: num(r.opened_at),
    firstReplyAt: orNull(r.first_reply_at),
    resolvedAt: orNull(r.resolved_at),
    repeatContacts: num(r.repeat_count),
    state: r.state,
    agent: r.agent,
    team: r.team,
  };
}

function toEntry(r: {
  at: unknown;
  kind: string;
  case_id: string | null;
  channel: string | null;
  data: unknown;
}): TimelineEntry {
  const data = typeof r.data === 'string' ? JSON.parse(r.data) : r.data;
  return {
    at: num(r.at),
    kind: r.kind,
    caseId: r.case_id,
    channel: r.channel,
    data: (data ?? {}) as Record<string, unknown>,
  };
}

/**
 * @example
 * const store = await openEmbeddedStore({ dataDir: './data/cases' });
 * const graph = createIdentityGraph(store, { defaultCountryCode: '84' });
 * const cases = createCaseBook(graph, { notify: (alert) => pager.send(alert) });
 * createForwarder({ destinations: [casesDestination(cases)] });
 * const story = await cases.history({ phone: '0912 345 678' });
 */
export function createCaseBook(graph: IdentityGraph, options: CaseBookOptions = {}): CaseBook {
  const internals = graphInternals.get(graph);
  if (!internals) throw new TouchpointConfigError('createCaseBook.graph', 'must come from createIdentityGraph()');
  const g: GraphInternals = internals;
  const store: SqlStore = graph.store;
  const clock = options.clock ?? systemClock;
  const repeatWindowMs = options.repeatWindowMs ?? 30 * 86_400_000;
  const orderEvents = new Set(options.orderEvents ?? ['order.completed']);
  const keepTouchpoints = options.touchpoints ?? true;
  const hours = options.businessHours;
  const span = (from: number, to: number) => (hours ? hours.elapsed(from, to) : Math.max(0, to - from));
  const onError = options.onError ?? ((error: unknown) => console.error('[touchpoint cases]', error));
  const notify = (alert: CaseAlert) => {
    if (!options.notify) return;
    try {
      return Promise.resolve(options.notify(alert)).catch(onError);
    } catch (error) {
      onError(error);
    }
  };

  async function timeline(
    tx: SqlRunner,
    row: {
      messageId: string;
      identityId: number | null;
      caseId: string | null;
      at: number;
      kind: string;
      channel: string | null | undefined;
      data: object;
    },
  ) {
    await tx.query(
      `insert into timeline (message_id, identity_id, case_id, at, kind, channel, data) values ($1, $2, $3, $4, $5, $6, $7)
       on conflict (message_id) do nothing`,
      [row.messageId, row.identityId, row.caseId, row.at, row.kind, row.channel ?? null, JSON.stringify(row.data)],
    );
  }

  async function seen(tx: SqlRunner, messageId: string): Promise<boolean> {
    return (await tx.query('select 1 from timeline where message_id = $1', [messageId])).length > 0;
  }

  /** Ensures the contact's identities and links them to the first; returns the first. */
  async function contact(tx: SqlRunner, keys: IdentityKey[], reason: string) {
    const first = await g.ensure(tx, keys[0]!);
    for (const k of keys.slice(1)) await g.link(tx, keys[0]!, k, reason, 'case');
    return keys.length > 1 ? ((await g.find(tx, keys[0]!)) ?? first) : first;
  }

  async function findCase(tx: SqlRunner, caseId: string): Promise<CaseRow | undefined> {
    const [row] = await tx.query<CaseRow>(
      `select ${CASE_COLUMNS} from cases c where c.id = coalesce((select case_id from case_aliases where alias = $1), $1)`,
      [caseId],
    );
    return row;
  }

  async function recordCase(ev: CaseEvent): Promise<{ result: RecordResult; alert?: CaseAlert }> {
    const keys = ev.identities.map((ref) => g.key(ref));
    const reason = `case ${ev.caseId}${ev.channel ? ` on ${ev.channel}` : ''}`;
    return store.transaction(async (tx) => {
      if (await seen(tx, ev.messageId)) return { result: { status: 'duplicate', caseId: ev.caseId } };
      const existing = await findCase(tx, ev.caseId);
      const base = { messageId: ev.messageId, at: ev.at, channel: ev.channel };
      if (ev.kind === 'opened') {
        if (existing) {
          await timeline(tx, {
            ...base,
            identityId: num(existing.identity_id),
            caseId: existing.id,
            kind: 'message',
            data: { direction: 'in', text: ev.text },
          });
          return { result: { status: 'recorded', caseId: existing.id } };
        }
        if (keys.length === 0)
          throw new CaseInputError('invalid_event', `case.opened ${ev.caseId}: no customer identity`);
        const who = await contact(tx, keys, reason);
        const [open] = await tx.query<CaseRow>(
          `select ${CASE_COLUMNS} from cases c join identities i on i.id = c.identity_id
           where i.profile_id = $1 and c.status = 'open' and c.opened_at >= $2
             and ($3::text is null or c.topic is null or c.topic = $3)
           order by c.opened_at desc limit 1`,
          [who.profileId, ev.at - repeatWindowMs, ev.topic ?? null],
        );
        if (open) {
          await tx.query('insert into case_aliases (alias, case_id) values ($1, $2) on conflict (alias) do nothing', [
            ev.caseId,
            open.id,
          ]);
          const [row] = await tx.query<{ repeat_count: unknown }>(
            'update cases set repeat_count = repeat_count + 1 where id = $1 returning repeat_count',
            [open.id],
          );
          await timeline(tx, {
            ...base,
            identityId: who.id,
            caseId: open.id,
            kind: 'repeat_contact',
            data: { contactCaseId: ev.caseId, topic: ev.topic, text: ev.text },
          });
          const alert: RepeatContactAlert = {
            kind: 'repeat_contact',
            caseId: open.id,
            contactCaseId: ev.caseId,
            channel: ev.channel,
            count: num(row!.repeat_count),
            owner: open.agent ?? undefined,
          };
          return { result: { status: 'joined', caseId: open.id }, alert };
        }
        await tx.query(
          `insert into cases (id, identity_id, topic, channel, status, opened_at, agent, team) values ($1, $2, $3, $4, 'open', $5, $6, $7)`,
          [ev.caseId, who.id, ev.topic ?? null, ev.channel ?? null, ev.at, ev.agent ?? null, ev.team ?? null],
        );
        await timeline(tx, {
          ...base,
          identityId: who.id,
          caseId: ev.caseId,
          kind: 'opened',
          data: { topic: ev.topic, text: ev.text, agent: ev.agent },
        });
        return { result: { status: 'recorded', caseId: ev.caseId } };
      }
      if (!existing)
        throw new CaseInputError(
          'unknown_case',
          `case.${ev.kind} ${ev.messageId}: caseId ${JSON.stringify(ev.caseId)} was never opened; send case.opened first`,
        );
      const caseId = existing.id;
      let identityId = num(existing.identity_id);
      const agent = ev.agent ?? existing.agent;
      const team = ev.team ?? existing.team;
      switch (ev.kind) {
        case 'message': {
          if (ev.direction === 'in' && keys.length > 0) {
            const who = await contact(tx, keys, reason);
            const caseKey = (
              await tx.query<{ kind: string; value: string }>('select kind, value from identities where id = $1', [
                identityId,
              ])
            )[0]!;
            await g.link(tx, caseKey, keys[0]!, reason, 'case');
            identityId = who.id;
          }
          if (ev.direction === 'out')
            await tx.query(
              'update cases set first_reply_at = coalesce(first_reply_at, $2), agent = coalesce(agent, $3), team = coalesce(team, $4) where id = $1',
              [caseId, ev.at, ev.agent ?? null, ev.team ?? null],
            );
          await timeline(tx, {
            ...base,
            identityId,
            caseId,
            kind: 'message',
            data: { direction: ev.direction, text: ev.text, agent: ev.agent },
          });
          break;
        }
        case 'promised': {
          const dueAt = ev.dueAt ?? (hours ? hours.add(ev.at, ev.withinBusinessMs!) : ev.at + ev.withinBusinessMs!);
          const replaced = await tx.query(
            `update promises set status = 'replaced' where case_id = $1 and status = 'open' and lower(what) = lower($2) returning id`,
            [caseId, ev.what],
          );
          await tx.query(
            `insert into promises (case_id, what, owner, channel, made_at, due_at, status) values ($1, $2, $3, $4, $5, $6, 'open')`,
            [caseId, ev.what, ev.owner ?? agent ?? null, ev.channel ?? null, ev.at, dueAt],
          );
          await timeline(tx, {
            ...base,
            identityId,
            caseId,
            kind: 'promise',
            data: { what: ev.what, dueAt, owner: ev.owner ?? agent, repromised: replaced.length },
          });
          break;
        }
        case 'promise_kept':
          await tx.query(
            `update promises set status = 'kept', kept_at = $2 where case_id = $1 and status = 'open' and ($3::text is null or lower(what) = lower($3))`,
            [caseId, ev.at, ev.what ?? null],
          );
          await timeline(tx, {
            ...base,
            identityId,
            caseId,
            kind: 'promise_kept',
            data: { what: ev.what, agent: ev.agent },
          });
          break;
        case 'state':
          await tx.query('insert into case_states (case_id, state, at, agent, team) values ($1, $2, $3, $4, $5)', [
            caseId,
            ev.state,
            ev.at,
            agent ?? null,
            team ?? null,
          ]);
          await tx.query('update cases set state = $2 where id = $1', [caseId, ev.state]);
          await timeline(tx, { ...base, identityId, caseId, kind: 'state', data: { state: ev.state, agent } });
          break;
        case 'resolved':
          await tx.query(`update cases set status = 'resolved', resolved_at = $2 where id = $1`, [caseId, ev.at]);
          await tx.query(`update promises set status = 'kept', kept_at = $2 where case_id = $1 and status = 'open'`, [
            caseId,
            ev.at,
          ]);
          await timeline(tx, { ...base, identityId, caseId, kind: 'resolved', data: { text: ev.text, agent } });
          break;
      }
      return { result: { status: 'recorded', caseId } };
    });
  }

  async function recordOther(event: TouchpointEvent): Promise<RecordResult> {
    if (event.type === 'identify' || event.type === 'alias') {
      const skipped: string[] = [];
      const pairs: IdentityRef[] =
        event.type === 'alias'
          ? [{ anonymousId: event.previousId }]
          : [
              ...(event.anonymousId !== undefined ? [{ anonymousId: event.anonymousId }] : []),
              ...(event.identities ?? []),
            ];
      const user = g.key({ userId: event.userId });
      const keys: IdentityKey[] = [];
      for (const ref of pairs) {
        try {
          keys.push(g.key(ref));
        } catch (error) {
          skipped.push(error instanceof Error ? error.message : String(error));
        }
      }
      await store.transaction(async (tx) => {
        for (const k of keys) await g.link(tx, user, k, event.type, event.type);
      });
      return skipped.length > 0 ? { status: 'linked', skipped } : { status: 'linked' };
    }
    if (!keepTouchpoints || (event.type !== 'track' && event.type !== 'feedback')) return { status: 'ignored' };
    const at = Date.parse(event.timestamp);
    if (!Number.isFinite(at))
      throw new CaseInputError('invalid_event', `${event.type} ${event.messageId}: timestamp is not ISO 8601`);
    const key = g.key(event.userId !== undefined ? { userId: event.userId } : { anonymousId: event.anonymousId ?? '' });
    return store.transaction(async (tx) => {
      if (await seen(tx, event.messageId)) return { status: 'duplicate' };
      const who = await g.ensure(tx, key);
      const base = { messageId: event.messageId, identityId: who.id, caseId: null, at };
      if (event.type === 'feedback') {
        await timeline(tx, {
          ...base,
          kind: 'feedback',
          channel: event.context?.channel,
          data: { feedback: event.feedback },
        });
        return { status: 'recorded' };
      }
      const p = (event.properties ?? {}) as Record<string, unknown>;
      await timeline(tx, {
        ...base,
        kind: 'touchpoint',
        channel: event.channel ?? event.context?.channel,
        data: { name: event.event, properties: p },
      });
      if (orderEvents.has(event.event)) {
        const revenue = typeof p.revenue === 'number' ? p.revenue : typeof p.total === 'number' ? p.total : null;
        const orderId = typeof p.orderId === 'string' ? p.orderId : null;
        await tx.query('insert into orders (identity_id, order_id, revenue, at) values ($1, $2, $3, $4)', [
          who.id,
          orderId,
          revenue,
          at,
        ]);
      }
      return { status: 'recorded' };
    });
  }

  async function detail(tx: SqlRunner, row: CaseRow): Promise<CaseDetail> {
    const entries = (
      await tx.query<{ at: unknown; kind: string; case_id: string | null; channel: string | null; data: unknown }>(
        'select at, kind, case_id, channel, data from timeline where case_id = $1 order by at, seq',
        [row.id],
      )
    ).map(toEntry);
    const promises = await promiseRows(tx, 'case_id = $1', [row.id]);
    const summary = toSummary(row);
    let handlingMs = 0;
    let waitingSince: number | undefined;
    for (const e of entries) {
      const inbound =
        e.kind === 'opened' || e.kind === 'repeat_contact' || (e.kind === 'message' && e.data.direction === 'in');
      if (inbound) waitingSince ??= e.at;
      else if (e.kind === 'message' && waitingSince !== undefined) {
        handlingMs += span(waitingSince, e.at);
        waitingSince = undefined;
      }
    }
    return {
      case: summary,
      timeline: entries,
      promises,
      sla: {
        firstReplyMs: summary.firstReplyAt === null ? null : span(summary.openedAt, summary.firstReplyAt),
        handlingMs,
        resolveMs: summary.resolvedAt === null ? null : span(summary.openedAt, summary.resolvedAt),
      },
    };
  }

  const promiseOptions = (now: number) => ({
    store,
    now,
    escalateAfterMs: options.escalateAfterMs ?? 4 * 3_600_000,
    escalateTo: options.escalateTo,
    notify,
  });

  const book: CaseBook = {
    graph,
    caseIdsOf: (profileIds) => store.transaction((tx) => caseIdsOfProfiles(tx, profileIds)),
    async erase(subject) {
      const keys = keysOfSubject(subject, g.key);
      return store.transaction(async (tx) => {
        const { counts, messageIds } = await eraseCaseRows(tx, await identityIdsOf(tx, keys), subject);
        return erasureResult(counts, messageIds);
      });
    },
    async applyRetention(opts) {
      return applyCaseRetention(store, checkRetentionDays(opts?.days, 'applyRetention.days'), clock.now());
    },
    async record(event) {
      if (!isCaseEvent(event)) return recordOther(event);
      const { result, alert } = await recordCase(readCaseEvent(event));
      if (alert) await notify(alert);
      return result;
    },
    async history(ref, opts = {}) {
      const limit = opts.limit ?? 1000;
      const k = g.key(ref);
      // One statement, one json value (migration 5): no transaction, and PGlite's protocol parser
      // copies one field instead of every field of every timeline row.
      const [row] = await store.query<{ story: unknown }>('select tp_customer_history($1, $2, $3, $4) as story', [
        k.kind,
        k.value,
        g.maxIdentities,
        limit,
      ]);
      const story = (typeof row?.story === 'string' ? JSON.parse(row.story) : row?.story) as StoryJson | null;
      if (!story?.profile) return undefined;
      return {
        profile: {
          id: num(story.profile.id),
          size: num(story.profile.size),
          flag: story.profile.flag,
          identities: story.identities,
        },
        cases: story.cases.map(toSummary),
        timeline: story.timeline.map(toEntry),
      };
    },
    async getCase(caseId) {
      return store.transaction(async (tx) => {
        const row = await findCase(tx, caseId);
        return row && detail(tx, row);
      });
    },
    checkPromises: () => checkPromises(promiseOptions(clock.now())),
    watchPromises: (opts = {}) =>
      watchPromises(clock, opts.everyMs ?? 60_000, (now) => checkPromises(promiseOptions(now)), onError),
    conversion: (opts = {}) =>
      conversionByState(store, { windowMs: opts.windowMs ?? 7 * 86_400_000, from: opts.from, to: opts.to }),
    dashboard: (opts = {}) =>
      casesDashboard(store, {
        now: clock.now(),
        sinceMs: opts.sinceMs ?? 30 * 86_400_000,
        conversionWindowMs: opts.conversionWindowMs ?? 7 * 86_400_000,
        span,
      }),
  };
  return book;
}
