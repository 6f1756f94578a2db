import { describe, expect, it } from 'vitest';
import { barChart, niceMax, stageChart } from './charts.js';

describe('charts', () => {
  it('scales bars to the largest value and escapes labels', () => {
    const svg = barChart(
      [
        { label: 'Product view', value: 10 },
        { label: '<script>', value: 5 },
      ],
      { label: 'Funnel', width: 420 },
    );
    const widths = [...svg.matchAll(/width="([\d.]+)" height="\d+" rx="3" fill/g)].map((m) => Number(m[1]));
    expect(widths).toEqual([180, 90]);
    expect(svg).toContain('&lt;script&gt;');
    expect(svg).not.toContain('<script>');
  });

  it('stacks each bucket by stage on a nice axis', () => {
    const counts = { awareness: 1, consideration: 3, purchase: 2, retention: 0, advocacy: 0, service: 0, upsell: 0 };
    const svg = stageChart([{ t: Date.parse('2026-11-22T10:00:00Z'), counts }], 60_000);
    expect(svg.match(/data-stage="/g)).toHaveLength(3);
    expect(svg).toContain('>10:00<');
    expect(niceMax(6)).toBe(10);
    expect(niceMax(13)).toBe(20);
    expect(stageChart([], 60_000)).toContain('No touchpoints yet');
  });
});
