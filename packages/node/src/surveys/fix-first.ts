/**
 * What to fix first: touchpoints ranked by how much negative feedback they cause — how often the
 * touchpoint happens times the share of its feedback that is negative — with a Wilson score
 * interval on that share, ranked by the interval's low end, so a touchpoint with three answers
 * (all bad) does not top a list where a busy one is bad for one customer in five. Each row
 * carries the "why" reasons behind it (the option ids of "why?" follow-ups and other tags).
 *
 * A pure function over forwarded events: run it on a day of events in memory, or run the same
 * arithmetic in SQL on a warehouse (docs/surveys.md shows the query).
 */
import { type FeedbackEvent, feedbackSentiment, type TouchpointEvent } from '@touchpoint/core';

export interface FixFirstOptions {
  /** Confidence of the interval (default 0.95). */
  confidence?: 0.8 | 0.9 | 0.95 | 0.99;
  /** Which feedback counts as negative (default: core's sentiment; "why?" follow-up answers count as negative). */
  isNegative?: (event: FeedbackEvent) => boolean;
  /** Rows with fewer answers are left out (default 1). */
  minAnswers?: number;
  /** Reasons kept per row (default 5). */
  topReasons?: number;
}

export interface FixFirstRow {
  touchpoint: string;
  /** How often the touchpoint happened in the events (its `track` events), else the number of answers. */
  volume: number;
  /** Feedback events about it. */
  answers: number;
  negative: number;
  /** `negative / answers`. */
  negativeShare: number;
  /** Wilson interval of the negative share. */
  shareInterval: [low: number, high: number];
  /** `volume × negativeShare`: customers estimated to have had a bad experience here. */
  impact: number;
  /** `volume ×` the share interval: the ranking uses the low end. */
  impactInterval: [low: number, high: number];
  /** Most frequent reasons (tags) among its negative answers, most frequent first. */
  reasons: { reason: string; count: number }[];
}

const Z = { 0.8: 1.2816, 0.9: 1.6449, 0.95: 1.96, 0.99: 2.5758 } as const;

/**
 * Wilson score interval for `k` successes out of `n`.
 *
 * @example
 * wilsonInterval(3, 3); // [0.44, 1]: three answers say little
 */
export function wilsonInterval(k: number, n: number, z = 1.96): [number, number] {
  if (n === 0) return [0, 1];
  const p = k / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const spread = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  const denom = 1 + z2 / n;
  return [Math.max(0, (centre - spread) / denom), Math.min(1, (centre + spread) / denom)];
}

const defaultNegative = (e: FeedbackEvent) =>
  e.properties?.followUp === true || (e.feedback.score !== undefined && feedbackSentiment(e.feedback) === 'negative');

/**
 * @example
 * const rows = rankWhatToFixFirst(events); // rows[0].touchpoint: the pain point to fix first
 */
export function rankWhatToFixFirst(events: Iterable<TouchpointEvent>, options: FixFirstOptions = {}): FixFirstRow[] {
  const z = Z[options.confidence ?? 0.95] ?? Z[0.95];
  const isNegative = options.isNegative ?? defaultNegative;
  const stats = new Map<string, { volume: number; answers: number; negative: number; reasons: Map<string, number> }>();
  const row = (name: string) => {
    let s = stats.get(name);
    if (!s) {
      s = { volume: 0, answers: 0, negative: 0, reasons: new Map() };
      stats.set(name, s);
    }
    return s;
  };
  for (const event of events) {
    if (event.type === 'track') {
      if (stats.has(event.event) || event.event !== 'survey.shown') row(event.event).volume++;
    } else if (event.type === 'feedback' && event.feedback.touchpoint) {
      const s = row(event.feedback.touchpoint);
      // Text without a score and outside a follow-up (a comment box) gives reasons, not a share.
      const scored = event.feedback.score !== undefined || event.properties?.followUp === true;
      if (scored) s.answers++;
      const bad = isNegative(event);
      if (bad && scored) s.negative++;
      if (bad || !scored)
        for (const tag of event.feedback.tags ?? []) s.reasons.set(tag, (s.reasons.get(tag) ?? 0) + 1);
    }
  }
  const min = Math.max(1, options.minAnswers ?? 1);
  const rows: FixFirstRow[] = [];
  for (const [touchpoint, s] of stats) {
    if (s.answers < min) continue;
    const volume = Math.max(s.volume, s.answers);
    const share = s.negative / s.answers;
    const [low, high] = wilsonInterval(s.negative, s.answers, z);
    rows.push({
      touchpoint,
      volume,
      answers: s.answers,
      negative: s.negative,
      negativeShare: share,
      shareInterval: [low, high],
      impact: volume * share,
      impactInterval: [volume * low, volume * high],
      reasons: [...s.reasons]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .slice(0, options.topReasons ?? 5)
        .map(([reason, count]) => ({ reason, count })),
    });
  }
  return rows.sort(
    (a, b) =>
      b.impactInterval[0] - a.impactInterval[0] || b.impact - a.impact || a.touchpoint.localeCompare(b.touchpoint),
  );
}
