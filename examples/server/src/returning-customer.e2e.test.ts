/**
 * The replenishment demo end to end, in Chromium: builds the shop and the server as `pnpm demo`
 * does, opens the shop as the seeded returning customer (`?as=returning`, who buys coffee every
 * two weeks, last 13 days ago), grants consent, and checks that the timed replenishment prompt
 * appears after the planner's delay saying why, that accepting it puts the coffee in the cart, and
 * that the dashboard counts the prompt as shown and accepted.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, skipWithoutChromium } from '../../../test-support/chromium.js';

const root = resolve(import.meta.dirname, '..', '..', '..');
const artifacts = join(root, 'examples', 'test-artifacts');

async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.skipIf(skipWithoutChromium('the returning-customer end-to-end test'))(
  'a returning customer sees a timed replenishment prompt',
  () => {
    let dataDir: string;
    let server: ChildProcess | undefined;
    let output = '';
    let url = '';
    let browser: Browser | undefined;

    beforeAll(async () => {
      execFileSync(process.execPath, [join(root, 'examples/storefront/build.mjs')], { stdio: 'pipe' });
      execFileSync(process.execPath, [join(root, 'examples/server/build.mjs')], { stdio: 'pipe' });
      dataDir = await mkdtemp(join(tmpdir(), 'touchpoint-returning-'));
      server = spawn(process.execPath, [join(root, 'examples/server/dist/main.js')], {
        env: { ...process.env, PORT: '0', TOUCHPOINT_DATA_DIR: dataDir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const collect = (chunk: Buffer) => {
        output += chunk.toString();
      };
      server.stdout!.on('data', collect);
      server.stderr!.on('data', collect);
      url = await until(
        'the demo server to print its URL',
        async () => /Storefront:\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(output)?.[1],
        60_000,
      );
      browser = await launchChromium();
      await mkdir(artifacts, { recursive: true });
    });

    afterAll(async () => {
      await browser?.close();
      if (server && server.exitCode === null) {
        server.kill('SIGTERM');
        await until('the server to exit', async () => server!.exitCode !== null, 15_000).catch(() =>
          server!.kill('SIGKILL'),
        );
      }
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    it('offers the coffee that is due, after the delay, and the dashboard counts it', async () => {
      const page = await (await browser!.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
      page.setDefaultTimeout(30_000);
      await page.goto(`${url}/?as=returning`);
      await page.locator('#consent-accept').click();
      const consentAt = Date.now();
      const prompt = page.locator('[data-touchpoint-offer="replenishment"] [role="dialog"]');
      await prompt.waitFor({ state: 'visible', timeout: 30_000 });
      expect(Date.now() - consentAt).toBeGreaterThanOrEqual(2500); // the planner's delay (3 s)
      expect(await prompt.textContent()).toContain('Ground coffee, 500 g');
      expect(await prompt.textContent()).toContain('You buy this about every 2 weeks; last time 13 days ago.');
      await page.screenshot({ path: join(artifacts, 'storefront-replenishment.png') });
      await prompt.locator('button.primary').click();
      await until(
        'the coffee in the cart',
        async () => (await page.locator('#cart-count').textContent())?.trim() === '1',
      );

      const offers = await until('the dashboard to count the prompt', async () => {
        const res = await fetch(`${url}/dashboard/summary.json`);
        const summary = (await res.json()) as { offers?: { replenishment?: { shown: number; accepted: number } } };
        const r = summary.offers?.replenishment;
        return r && r.accepted >= 1 ? r : undefined;
      });
      expect(offers).toMatchObject({ shown: 1, accepted: 1 });
    });
  },
);
