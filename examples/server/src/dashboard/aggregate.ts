/**
 * The dashboard's numbers, computed from forwarded touchpoints (the JSONL file) and the alert
 * feed. An aggregator takes events one at a time, in any order and with repeats (a resent batch
 * appears twice in an at-least-once file), and `summary()` derives every panel from what it holds.
 * Pure: no files, no clock — the caller feeds it and says what time it is.
 */
import {
  commerceTouchpoints,
  getTouchpoint,
  JOURNEY_STAGES,
  type JourneyStage,
  type TouchpointEvent,
} from '@touchpoint/core';

/** One negative-feedback alert as the server's `feedbackAlert` rule records it. */
export interface AlertRecord {
  at: string;
  messageId: string;
  customer: string;
  owner?: string;
  touchpoint?: string;
  kind: string;
  score?: number;
  comment?: string;
  /** The customer's touchpoints just before the feedback, oldest first. */
  recent: string[];
}

export interface StageBucket {
  /** Start of the bucket, epoch ms. */
  t: number;
  counts: Record<JourneyStage, number>;
}

export interface ScoreRow {
  kind: 'nps' | 'csat';
  touchpoint: string;
  responses: number;
  /** NPS: % promoters − % detractors (−100…100). CSAT: % of answers 4 or 5 (0…100). */
  score: number;
  /** NPS only. */
  promoters?: number;
  passives?: number;
  detractors?: number;
  mean: number;
}

export interface DashboardSummary {
  totals: { events: number; sessions: number; orders: number; revenue: number; feedback: number };
  stages: { bucketMs: number; buckets: StageBucket[] };
  funnel: { touchpoint: string; label: string; sessions: number }[];
  scores: ScoreRow[];
  /** Most frequent paths of touchpoints per session, most frequent first. */
  journeys: { path: string[]; sessions: number; ordered: boolean }[];
  /** Sessions without an order, by the last funnel step they reached. */
  dropOff: { after: string; sessions: number }[];
  alerts: AlertRecord[];
  offers: Record<'upsell' | 'recovery' | 'replenishment', { shown: number; accepted: number; dismissed: number }>;
  /** Latest orders, newest first. */
  orders: { orderId: string; total: number; at: string }[];
  /** Latest NPS detractors and CSAT 1-2 answers, newest first. */
  unhappy: { at: string; kind: string; score: number; comment?: string; touchpoint?: string; customer: string }[];
}

export const FUNNEL = [
  { touchpoint: 'product.viewed', label: 'Product view' },
  { touchpoint: 'cart.item_added', label: 'Cart add' },
  { touchpoint: 'checkout.started', label: 'Checkout' },
  { touchpoint: 'order.completed', label: 'Order' },
] as const;

/** Touchpoints that describe the page rather than the customer's journey; left out of paths. */
const NOT_IN_PATHS = new Set(['web_vital.measured', 'site.first_visit', 'campaign.landed']);
const BUCKETS_MS = [10_000, 60_000, 300_000, 900_000, 3_600_000, 21_600_000, 86_400_000];
const MAX_BUCKETS = 36;
const MAX_LIST = 8;

interface SessionRecord {
  steps: { t: number; name: string }[];
}

export interface JourneyAggregator {
  /** Adds one forwarded event; repeats of a `messageId` are ignored. Returns `false` for a repeat. */
  add(event: TouchpointEvent): boolean;
  addAlert(alert: AlertRecord): void;
  summary(): DashboardSummary;
}

function emptyCounts(): Record<JourneyStage, number> {
  return Object.fromEntries(JOURNEY_STAGES.map((s) => [s, 0])) as Record<JourneyStage, number>;
}

/** The stage an event counts under: a track's own stage; feedback under the touchpoint it rates. */
export function stageOf(event: TouchpointEvent): JourneyStage | undefined {
  if (event.type === 'track') return event.stage ?? getTouchpoint(commerceTouchpoints, event.event)?.stage;
  if (event.type === 'feedback') {
    const about = event.feedback.touchpoint;
    return about === undefined ? undefined : getTouchpoint(commerceTouchpoints, about)?.stage;
  }
  return undefined;
}

/** The smallest bucket size that spreads `spanMs` over at most `MAX_BUCKETS` buckets. */
export function bucketSizeFor(spanMs: number): number {
  for (const size of BUCKETS_MS) if (spanMs / size < MAX_BUCKETS) return size;
  return BUCKETS_MS[BUCKETS_MS.length - 1]!;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * Creates an empty aggregator.
 *
 * @example
 * const agg = createJourneyAggregator();
 * for (const line of text.split('\n')) if (line) agg.add(JSON.parse(line));
 * agg.summary().funnel; // [{ touchpoint: 'product.viewed', sessions: 12 }, …]
 */
export function createJourneyAggregator(): JourneyAggregator {
  const seen = new Set<string>();
  const sessions = new Map<string, SessionRecord>();
  const staged: { t: number; stage: JourneyStage }[] = [];
  const feedback: { t: number; event: TouchpointEvent & { type: 'feedback' } }[] = [];
  const orders: { orderId: string; total: number; at: string; t: number }[] = [];
  const offers = {
    upsell: { shown: 0, accepted: 0, dismissed: 0 },
    recovery: { shown: 0, accepted: 0, dismissed: 0 },
    replenishment: { shown: 0, accepted: 0, dismissed: 0 },
  };
  const alerts: AlertRecord[] = [];
  const alertIds = new Set<string>();
  let events = 0;

  function sessionOf(event: TouchpointEvent): SessionRecord {
    const key = event.sessionId ?? event.anonymousId ?? event.userId ?? '';
    let s = sessions.get(key);
    if (!s) {
      s = { steps: [] };
      sessions.set(key, s);
    }
    return s;
  }

  return {
    add(event) {
      if (seen.has(event.messageId)) return false;
      seen.add(event.messageId);
      events++;
      const t = Date.parse(event.timestamp);
      const stage = stageOf(event);
      if (stage && Number.isFinite(t)) staged.push({ t, stage });
      const session = sessionOf(event);
      if (event.type === 'track') {
        if (!NOT_IN_PATHS.has(event.event)) session.steps.push({ t, name: event.event });
        const p = event.properties ?? {};
        if (event.event === 'order.completed') {
          orders.push({ orderId: String(p.orderId ?? '?'), total: num(p.total) ?? 0, at: event.timestamp, t });
        }
        const outcome = /^offer\.(shown|accepted|dismissed)$/.exec(event.event)?.[1] as
          | 'shown'
          | 'accepted'
          | 'dismissed'
          | undefined;
        if (outcome) offers[p.kind === 'recovery' || p.kind === 'replenishment' ? p.kind : 'upsell'][outcome]++;
      } else if (event.type === 'feedback') {
        feedback.push({ t, event });
        session.steps.push({ t, name: `feedback.${event.feedback.kind}` });
      }
      return true;
    },

    addAlert(alert) {
      if (alertIds.has(alert.messageId)) return;
      alertIds.add(alert.messageId);
      alerts.push(alert);
    },

    summary() {
      // Stages over time.
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (const s of staged) {
        if (s.t < min) min = s.t;
        if (s.t > max) max = s.t;
      }
      const buckets: StageBucket[] = [];
      let bucketMs = BUCKETS_MS[0]!;
      if (staged.length > 0) {
        bucketMs = bucketSizeFor(max - min);
        const start = Math.floor(min / bucketMs) * bucketMs;
        const n = Math.floor((max - start) / bucketMs) + 1;
        for (let i = 0; i < n; i++) buckets.push({ t: start + i * bucketMs, counts: emptyCounts() });
        for (const s of staged) buckets[Math.floor((s.t - start) / bucketMs)]!.counts[s.stage]++;
      }

      // Funnel, paths and drop-off, per session.
      const reached = FUNNEL.map(() => 0);
      const paths = new Map<string, { path: string[]; sessions: number; ordered: boolean }>();
      const dropOff = new Map<string, number>();
      for (const session of sessions.values()) {
        const steps = [...session.steps].sort((a, b) => a.t - b.t);
        const names = new Set(steps.map((s) => s.name));
        FUNNEL.forEach((f, i) => {
          if (names.has(f.touchpoint)) reached[i]!++;
        });
        if (steps.length === 0) continue;
        const path: string[] = [];
        for (const s of steps) if (path[path.length - 1] !== s.name) path.push(s.name);
        const key = path.join('>');
        const entry = paths.get(key) ?? { path, sessions: 0, ordered: names.has('order.completed') };
        entry.sessions++;
        paths.set(key, entry);
        if (!names.has('order.completed')) {
          let last = 'arrived';
          for (const f of FUNNEL) if (names.has(f.touchpoint)) last = f.touchpoint;
          dropOff.set(last, (dropOff.get(last) ?? 0) + 1);
        }
      }

      // Scores per kind and touchpoint.
      const groups = new Map<string, { kind: 'nps' | 'csat'; touchpoint: string; scores: number[] }>();
      for (const { event } of feedback) {
        const { kind, score } = event.feedback;
        if ((kind !== 'nps' && kind !== 'csat') || typeof score !== 'number') continue;
        const touchpoint = event.feedback.touchpoint ?? '(any)';
        const key = `${kind}:${touchpoint}`;
        const g = groups.get(key) ?? { kind, touchpoint, scores: [] };
        g.scores.push(score);
        groups.set(key, g);
      }
      const scores: ScoreRow[] = [...groups.values()].map((g) => {
        const n = g.scores.length;
        const mean = Math.round((g.scores.reduce((a, b) => a + b, 0) / n) * 10) / 10;
        if (g.kind === 'csat') {
          const satisfied = g.scores.filter((s) => s >= 4).length;
          return {
            kind: 'csat',
            touchpoint: g.touchpoint,
            responses: n,
            score: Math.round((100 * satisfied) / n),
            mean,
          };
        }
        const promoters = g.scores.filter((s) => s >= 9).length;
        const detractors = g.scores.filter((s) => s <= 6).length;
        return {
          kind: 'nps',
          touchpoint: g.touchpoint,
          responses: n,
          score: Math.round((100 * (promoters - detractors)) / n),
          promoters,
          passives: n - promoters - detractors,
          detractors,
          mean,
        };
      });
      scores.sort((a, b) => a.kind.localeCompare(b.kind) || b.responses - a.responses);

      const unhappy = feedback
        .filter(({ event: { feedback: f } }) =>
          typeof f.score === 'number'
            ? (f.kind === 'nps' && f.score <= 6) || (f.kind === 'csat' && f.score <= 2)
            : false,
        )
        .sort((a, b) => b.t - a.t)
        .slice(0, MAX_LIST)
        .map(({ event }) => ({
          at: event.timestamp,
          kind: event.feedback.kind,
          score: event.feedback.score!,
          ...(event.feedback.comment !== undefined && { comment: event.feedback.comment }),
          ...(event.feedback.touchpoint !== undefined && { touchpoint: event.feedback.touchpoint }),
          customer: event.userId ?? event.anonymousId ?? '',
        }));

      const revenue = Math.round(orders.reduce((sum, o) => sum + o.total, 0) * 100) / 100;
      return {
        totals: { events, sessions: sessions.size, orders: orders.length, revenue, feedback: feedback.length },
        stages: { bucketMs, buckets },
        funnel: FUNNEL.map((f, i) => ({ touchpoint: f.touchpoint, label: f.label, sessions: reached[i]! })),
        scores,
        journeys: [...paths.values()].sort((a, b) => b.sessions - a.sessions).slice(0, 5),
        dropOff: [...dropOff.entries()]
          .map(([after, n]) => ({ after, sessions: n }))
          .sort((a, b) => b.sessions - a.sessions),
        alerts: [...alerts].sort((a, b) => Date.parse(b.at) - Date.parse(a.at)).slice(0, MAX_LIST),
        offers: {
          upsell: { ...offers.upsell },
          recovery: { ...offers.recovery },
          replenishment: { ...offers.replenishment },
        },
        orders: [...orders]
          .sort((a, b) => b.t - a.t)
          .slice(0, MAX_LIST)
          .map(({ orderId, total, at }) => ({ orderId, total, at })),
        unhappy,
      };
    },
  };
}
