/**
 * One rule and one launcher for every real-browser test in the repository (browser, recommend,
 * examples): without Debian's Chromium a suite is skipped with one loud line, except under
 * CI=true, where a missing browser is a failure. The launch flags are the ones this closed
 * network needs (no background connections, no first-run or component updates).
 */
import { existsSync } from 'node:fs';
import type { Browser, LaunchOptions } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
/** With CI=true a missing browser fails the run instead of skipping it. */
export const requireChromium = process.env.CI === 'true';

/**
 * `true` when `suite` must be skipped (no browser, not CI); says so in one loud line.
 *
 * @example
 * describe.skipIf(skipWithoutChromium('the offer card in Chromium'))('…', () => { … });
 */
export function skipWithoutChromium(suite: string): boolean {
  const skip = !hasChromium && !requireChromium;
  if (skip) {
    console.warn(
      `⚠ SKIPPED: ${suite} needs ${CHROMIUM} (apt-get install chromium); set CI=true to make this a failure`,
    );
  }
  return skip;
}

/** Starts headless Chromium; throws a clear error when the browser is missing (the CI=true case). */
export async function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  if (!hasChromium) throw new Error(`CI=true and ${CHROMIUM} is missing: install Debian's chromium package`);
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
    ],
    ...options,
  });
}
