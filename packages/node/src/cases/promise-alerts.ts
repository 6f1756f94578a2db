/**
 * Promises that are kept: every promise an agent makes ("a technician within 2 days") has a due
 * time; when it passes with the promise still open, its owner is alerted once, and if it is still
 * open `escalateAfterMs` later, it escalates once. Alerts are claimed with an `update … returning`,
 * so two instances checking at the same moment never alert the same promise twice.
 */
import type { Clock } from '@touchpoint/core';
import type { SqlRunner, SqlStore } from './sql-store.js';

export interface PromiseRecord {
  id: number;
  caseId: string;
  what: string;
  owner: string | null;
  channel: string | null;
  madeAt: number;
  dueAt: number;
  /** `open`, `kept`, or `replaced` (promised again: the customer heard it twice). */
  status: 'open' | 'kept' | 'replaced';
  keptAt: number | null;
  alertedAt: number | null;
  escalatedAt: number | null;
}

export interface PromiseAlert {
  kind: 'promise_overdue' | 'promise_escalated';
  caseId: string;
  /** Who the alert is for: the promise's owner, or `escalateTo(owner)` for an escalation. */
  owner: string | undefined;
  promise: PromiseRecord;
  /** How late the promise is, in ms. */
  lateMs: number;
}

export interface PromiseWatch {
  stop(): void;
  /** Resolves when the check in flight (if any) has finished. */
  settled(): Promise<void>;
}

const COLUMNS = 'id, case_id, what, owner, channel, made_at, due_at, status, kept_at, alerted_at, escalated_at';
const orNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));

type Row = Record<'id' | 'made_at' | 'due_at' | 'kept_at' | 'alerted_at' | 'escalated_at', unknown> & {
  case_id: string;
  what: string;
  owner: string | null;
  channel: string | null;
  status: PromiseRecord['status'];
};

function toRecord(r: Row): PromiseRecord {
  return {
    id: Number(r.id),
    caseId: r.case_id,
    what: r.what,
    owner: r.owner,
    channel: r.channel,
    madeAt: Number(r.made_at),
    dueAt: Number(r.due_at),
    status: r.status,
    keptAt: orNull(r.kept_at),
    alertedAt: orNull(r.alerted_at),
    escalatedAt: orNull(r.escalated_at),
  };
}

/** Promises matching a `where` clause, oldest first. */
export async function promiseRows(tx: SqlRunner, where: string, params: unknown[]): Promise<PromiseRecord[]> {
  return (await tx.query<Row>(`select ${COLUMNS} from promises where ${where} order by made_at, id`, params)).map(
    toRecord,
  );
}

export interface CheckPromisesOptions {
  store: SqlStore;
  now: number;
  escalateAfterMs: number;
  escalateTo?: (owner: string | undefined) => string | undefined;
  notify: (alert: PromiseAlert) => unknown;
}

/** One pass: claims and sends the overdue and the escalated alerts due at `now`. */
export async function checkPromises(o: CheckPromisesOptions): Promise<PromiseAlert[]> {
  const overdue = await o.store.query<Row>(
    `update promises set alerted_at = $1 where status = 'open' and alerted_at is null and due_at <= $1 returning ${COLUMNS}`,
    [o.now],
  );
  const escalated = await o.store.query<Row>(
    `update promises set escalated_at = $1
     where status = 'open' and alerted_at is not null and escalated_at is null and due_at + $2 <= $1 returning ${COLUMNS}`,
    [o.now, o.escalateAfterMs],
  );
  const alerts: PromiseAlert[] = [];
  for (const row of overdue) {
    const promise = toRecord(row);
    alerts.push({
      kind: 'promise_overdue',
      caseId: promise.caseId,
      owner: promise.owner ?? undefined,
      promise,
      lateMs: o.now - promise.dueAt,
    });
  }
  for (const row of escalated) {
    const promise = toRecord(row);
    const owner = promise.owner ?? undefined;
    alerts.push({
      kind: 'promise_escalated',
      caseId: promise.caseId,
      owner: o.escalateTo ? o.escalateTo(owner) : owner,
      promise,
      lateMs: o.now - promise.dueAt,
    });
  }
  alerts.sort((a, b) => a.promise.dueAt - b.promise.dueAt);
  for (const alert of alerts) await o.notify(alert);
  return alerts;
}

/**
 * Runs `check(now)` every `everyMs` on `clock` until stopped; a failing check is reported, never
 * thrown. Ticks keep their cadence while a check runs: ticks that fall due meanwhile collapse into
 * one check at the latest tick's time (a check claims everything due up to its time).
 */
export function watchPromises(
  clock: Clock,
  everyMs: number,
  check: (now: number) => Promise<unknown>,
  onError: (e: unknown) => void,
): PromiseWatch {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let queuedAt: number | undefined;
  let timer: unknown;
  const tick = () => {
    if (stopped) return;
    timer = clock.setTimeout(tick, everyMs);
    const queued = queuedAt !== undefined;
    queuedAt = clock.now();
    if (queued) return;
    running = running.then(async () => {
      const at = queuedAt!;
      queuedAt = undefined;
      try {
        await check(at);
      } catch (error) {
        onError(error);
      }
    });
  };
  timer = clock.setTimeout(tick, everyMs);
  return {
    stop() {
      stopped = true;
      clock.clearTimeout(timer);
    },
    settled: () => running,
  };
}
