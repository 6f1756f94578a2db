/**
 * One accessibility scan for every real-browser test: axe-core (pinned in the root package.json)
 * with the WCAG 2.1 A and AA rules (and `heading-order`), injected through the DevTools protocol so it runs on pages
 * served under a strict Content-Security-Policy without weakening it. axe looks inside open
 * shadow roots, so the widget, the survey, the feedback tab and the offer card are all covered.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The rule tags of WCAG 2.1 levels A and AA. */
export const WCAG21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
/**
 * Rules run on top of the WCAG tags: `heading-order` is tagged best practice in axe, but a skipped
 * level breaks the outline screen-reader users move through (WCAG 1.3.1 in spirit).
 */
export const EXTRA_RULES = ['heading-order'];

export interface AxeFinding {
  id: string;
  impact: string | null;
  help: string;
  /** One line per failing element: its selector and axe's summary. */
  nodes: string[];
}

/**
 * Runs axe on the page (or on `selector`) and returns its violations as short, readable lines,
 * so a failing `expect(await scanA11y(page)).toEqual([])` says what to fix.
 *
 * @example
 * expect(await scanA11y(page)).toEqual([]);
 */
export async function scanA11y(page: Page, selector?: string): Promise<AxeFinding[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  return page.evaluate(
    async ({ tags, extra, selector }) => {
      const axe = (window as unknown as { axe: any }).axe;
      const result = await axe.run(selector ? document.querySelector(selector) : document, {
        runOnly: { type: 'tag', values: tags },
        rules: Object.fromEntries(extra.map((id) => [id, { enabled: true }])),
        resultTypes: ['violations'],
      });
      return result.violations.map((v: any) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n: any) => `${[n.target].flat(2).join(' >> ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`),
      }));
    },
    { tags: WCAG21_AA, extra: EXTRA_RULES, selector },
  );
}
