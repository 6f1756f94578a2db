/**
 * What the care team's dashboard shows, computed in the store: open cases, overdue promises,
 * repeat contacts, handling times, and conversion per conversation state — an order by the same
 * profile within a window after a state counts for that state, its agent and its team (each
 * state of a case once, at its first time).
 */
import type { SqlStore } from './sql-store.js';

export interface ConversionCell {
  conversations: number;
  converted: number;
  /** `converted / conversations`, 0 when there were none. */
  rate: number;
}

export interface ConversionReport {
  windowMs: number;
  byState: Record<string, ConversionCell>;
  /** `byAgent[agent][state]`; conversations without an agent are under `(none)`. */
  byAgent: Record<string, Record<string, ConversionCell>>;
  byTeam: Record<string, Record<string, ConversionCell>>;
}

export interface CaseDashboard {
  openCases: number;
  overduePromises: number;
  /** Repeat contacts on cases opened in the last `sinceMs`. */
  repeatContacts: number;
  /** Cases opened in the last `sinceMs`. */
  casesOpened: number;
  /** Median first reply and time to resolve of cases opened in the last `sinceMs` (business time when configured); `null` without data. */
  medianFirstReplyMs: number | null;
  medianResolveMs: number | null;
  conversion: ConversionReport;
}

function add(cells: Record<string, ConversionCell>, key: string, converted: boolean) {
  const cell = cells[key] ?? { conversations: 0, converted: 0, rate: 0 };
  cells[key] = cell;
  cell.conversations++;
  if (converted) cell.converted++;
  cell.rate = cell.converted / cell.conversations;
}

export async function conversionByState(
  store: SqlStore,
  o: { windowMs: number; from?: number; to?: number },
): Promise<ConversionReport> {
  const rows = await store.query<{ state: string; agent: string | null; team: string | null; converted: boolean }>(
    `select s.state, s.agent, s.team, exists (
       select 1 from orders o join identities oi on oi.id = o.identity_id
       where oi.profile_id = ci.profile_id and o.at >= s.at and o.at <= s.at + $1) as converted
     from (select distinct on (case_id, state) case_id, state, at, agent, team from case_states
           where at >= $2 and at < $3 order by case_id, state, at) s
     join cases c on c.id = s.case_id join identities ci on ci.id = c.identity_id`,
    [o.windowMs, o.from ?? 0, o.to ?? Number.MAX_SAFE_INTEGER],
  );
  const report: ConversionReport = { windowMs: o.windowMs, byState: {}, byAgent: {}, byTeam: {} };
  for (const r of rows) {
    add(report.byState, r.state, r.converted);
    const agent = r.agent ?? '(none)';
    const team = r.team ?? '(none)';
    report.byAgent[agent] ??= {};
    report.byTeam[team] ??= {};
    add(report.byAgent[agent], r.state, r.converted);
    add(report.byTeam[team], r.state, r.converted);
  }
  return report;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function casesDashboard(
  store: SqlStore,
  o: { now: number; sinceMs: number; conversionWindowMs: number; span: (from: number, to: number) => number },
): Promise<CaseDashboard> {
  const since = o.now - o.sinceMs;
  const [counts] = await store.query<Record<string, unknown>>(
    `select (select count(*) from cases where status = 'open') as open_cases,
            (select count(*) from promises where status = 'open' and due_at <= $1) as overdue,
            (select coalesce(sum(repeat_count), 0) from cases where opened_at >= $2) as repeats,
            (select count(*) from cases where opened_at >= $2) as opened`,
    [o.now, since],
  );
  // Newest 5 000 cases: enough for a median, bounded for a dashboard refresh.
  const recent = await store.query<{ opened_at: unknown; first_reply_at: unknown; resolved_at: unknown }>(
    'select opened_at, first_reply_at, resolved_at from cases where opened_at >= $1 order by opened_at desc limit 5000',
    [since],
  );
  const firstReply: number[] = [];
  const resolve: number[] = [];
  for (const r of recent) {
    if (r.first_reply_at !== null) firstReply.push(o.span(Number(r.opened_at), Number(r.first_reply_at)));
    if (r.resolved_at !== null) resolve.push(o.span(Number(r.opened_at), Number(r.resolved_at)));
  }
  return {
    openCases: Number(counts!.open_cases),
    overduePromises: Number(counts!.overdue),
    repeatContacts: Number(counts!.repeats),
    casesOpened: Number(counts!.opened),
    medianFirstReplyMs: median(firstReply),
    medianResolveMs: median(resolve),
    conversion: await conversionByState(store, { windowMs: o.conversionWindowMs, from: since }),
  };
}
