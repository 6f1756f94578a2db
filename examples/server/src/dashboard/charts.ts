/**
 * SVG charts as strings: a stacked bar chart over time and horizontal bars. No charting library —
 * a dashboard of a few panels needs rectangles, text and a scale, and strings render the same on
 * the server, in tests and in a screenshot.
 */
import { JOURNEY_STAGES, type JourneyStage } from '@touchpoint/core';
import type { StageBucket } from './aggregate.js';

export const STAGE_COLOURS: Record<JourneyStage, string> = {
  awareness: '#8fb8de',
  consideration: '#3d7cc9',
  purchase: '#2f7d4f',
  retention: '#7bc47f',
  advocacy: '#f2b705',
  service: '#e07a5f',
  upsell: '#9b5de5',
};

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML and SVG. */
export function esc(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** A "nice" axis maximum (1, 2, 5 × 10ⁿ) at or above `value`. */
export function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

function timeLabel(t: number, bucketMs: number): string {
  const iso = new Date(t).toISOString();
  return bucketMs >= 86_400_000 ? iso.slice(5, 10) : bucketMs >= 60_000 ? iso.slice(11, 16) : iso.slice(11, 19);
}

/**
 * Events per journey stage over time, as stacked columns (one per bucket) with a legend.
 *
 * @example
 * stageChart(summary.stages.buckets, summary.stages.bucketMs); // '<svg …>…</svg>'
 */
export function stageChart(buckets: readonly StageBucket[], bucketMs: number, width = 640, height = 220): string {
  const left = 36;
  const bottom = 22;
  const top = 8;
  const legendW = 120;
  const plotW = width - left - legendW - 8;
  const plotH = height - top - bottom;
  const totals = buckets.map((b) => JOURNEY_STAGES.reduce((sum, s) => sum + b.counts[s], 0));
  const max = niceMax(Math.max(0, ...totals));
  const y = (v: number) => top + plotH - (v / max) * plotH;
  const parts: string[] = [];
  for (const tick of [0, max / 2, max]) {
    parts.push(
      `<line x1="${left}" x2="${left + plotW}" y1="${y(tick)}" y2="${y(tick)}" class="grid"/>`,
      `<text x="${left - 6}" y="${y(tick) + 4}" class="axis" text-anchor="end">${tick}</text>`,
    );
  }
  if (buckets.length === 0) {
    parts.push(
      `<text x="${left + plotW / 2}" y="${top + plotH / 2}" class="empty" text-anchor="middle">No touchpoints yet</text>`,
    );
  }
  const slot = plotW / Math.max(1, buckets.length);
  const barW = Math.max(2, Math.min(28, slot * 0.7));
  const labelEvery = Math.ceil(buckets.length / 6);
  buckets.forEach((b, i) => {
    const x = left + i * slot + (slot - barW) / 2;
    let acc = 0;
    for (const stage of JOURNEY_STAGES) {
      const v = b.counts[stage];
      if (v === 0) continue;
      const h = (v / max) * plotH;
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${(y(acc) - h).toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="${STAGE_COLOURS[stage]}" data-stage="${stage}"><title>${esc(`${timeLabel(b.t, bucketMs)} · ${stage}: ${v}`)}</title></rect>`,
      );
      acc += v;
    }
    if (i % labelEvery === 0) {
      parts.push(
        `<text x="${(x + barW / 2).toFixed(1)}" y="${height - 6}" class="axis" text-anchor="middle">${timeLabel(b.t, bucketMs)}</text>`,
      );
    }
  });
  JOURNEY_STAGES.forEach((stage, i) => {
    const ly = top + 4 + i * 18;
    const lx = width - legendW;
    parts.push(
      `<rect x="${lx}" y="${ly}" width="12" height="12" rx="2" fill="${STAGE_COLOURS[stage]}"/>`,
      `<text x="${lx + 18}" y="${ly + 10}" class="legend">${stage}</text>`,
    );
  });
  return `<svg viewBox="0 0 ${width} ${height}" role="img" aria-label="Events per journey stage over time" class="chart">${parts.join('')}</svg>`;
}

export interface BarRow {
  label: string;
  value: number;
  /** Shown right of the bar instead of the value. */
  note?: string;
  colour?: string;
}

/**
 * Horizontal bars, one per row, scaled to the largest value (or `max`).
 *
 * @example
 * barChart([{ label: 'Product view', value: 12 }, { label: 'Order', value: 3 }], { label: 'Funnel' });
 */
export function barChart(rows: readonly BarRow[], options: { label: string; max?: number; width?: number }): string {
  const width = options.width ?? 420;
  const labelW = 150;
  const noteW = 90;
  const rowH = 26;
  const height = Math.max(1, rows.length) * rowH + 4;
  const max = options.max ?? Math.max(1, ...rows.map((r) => r.value));
  const plotW = width - labelW - noteW;
  const parts = rows.map((r, i) => {
    const y = 2 + i * rowH;
    const w = max > 0 ? (Math.max(0, r.value) / max) * plotW : 0;
    return [
      `<text x="${labelW - 8}" y="${y + 17}" class="label" text-anchor="end">${esc(r.label)}</text>`,
      `<rect x="${labelW}" y="${y + 4}" width="${plotW}" height="${rowH - 8}" rx="3" class="track"/>`,
      `<rect x="${labelW}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowH - 8}" rx="3" fill="${r.colour ?? '#3d7cc9'}" data-value="${r.value}"/>`,
      `<text x="${labelW + plotW + 8}" y="${y + 17}" class="value">${esc(r.note ?? String(r.value))}</text>`,
    ].join('');
  });
  if (rows.length === 0)
    parts.push(`<text x="${width / 2}" y="18" class="empty" text-anchor="middle">Nothing yet</text>`);
  return `<svg viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(options.label)}" class="chart">${parts.join('')}</svg>`;
}
