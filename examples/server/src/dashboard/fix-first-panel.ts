/**
 * The dashboard's "What to fix first" panel: `rankWhatToFixFirst` from `@touchpoint/node/surveys`
 * over the touchpoints and feedback the forwarder wrote, with the interval behind each estimate and
 * the "why" reasons customers gave. Keeps the latest `maxEvents` events in memory (a demo; a shop
 * runs the same ranking on its warehouse, see docs/surveys.md).
 */
import type { TouchpointEvent } from '@touchpoint/core';
import { rankWhatToFixFirst } from '@touchpoint/node/surveys';
import { esc } from './charts.js';

export interface FixFirstPanel {
  /** Keeps `track` and `feedback` events; `true` when the ranking may have changed. */
  add(event: TouchpointEvent): boolean;
  /** The panel body: a table, or a line saying there is nothing to rank yet. */
  render(): string;
}

/**
 * @example
 * const fixFirst = createFixFirstPanel();
 * fixFirst.add(event);
 * renderPanels(summary, fixFirst.render());
 */
export function createFixFirstPanel(options: { maxEvents?: number; rows?: number } = {}): FixFirstPanel {
  const max = options.maxEvents ?? 20_000;
  const events: TouchpointEvent[] = [];
  return {
    add(event) {
      if (event.type !== 'track' && event.type !== 'feedback') return false;
      events.push(event);
      if (events.length > max) events.splice(0, events.length - max);
      return true;
    },
    render() {
      const rows = rankWhatToFixFirst(events).slice(0, options.rows ?? 6);
      if (rows.length === 0) return '<p class="empty">No answers to rank yet.</p>';
      const pct = (x: number) => `${Math.round(100 * x)}%`;
      const body = rows
        .map(
          (r) =>
            `<tr data-touchpoint="${esc(r.touchpoint)}"><td><code>${esc(r.touchpoint)}</code></td>` +
            `<td class="num">${Math.round(r.impact)} <span class="muted">(${Math.round(r.impactInterval[0])}–${Math.round(r.impactInterval[1])})</span></td>` +
            `<td class="num">${r.negative}/${r.answers} <span class="muted">${pct(r.negativeShare)}</span></td>` +
            `<td>${r.reasons.length ? esc(r.reasons.map((x) => `${x.reason} (${x.count})`).join(', ')) : '<span class="muted">—</span>'}</td></tr>`,
        )
        .join('');
      return `<table><thead><tr><th>Touchpoint</th><th class="num">Unhappy (95% interval)</th><th class="num">Negative answers</th><th>Why</th></tr></thead><tbody>${body}</tbody></table><p class="muted">Ranked by the interval's low end: a touchpoint with three answers does not top the list.</p>`;
    },
  };
}
