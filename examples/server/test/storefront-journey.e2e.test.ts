/**
 * The demo end to end, in Chromium: builds the shop and the server exactly as `pnpm demo` does,
 * starts the server process on a free port with a temporary data folder, walks the shop as a
 * shopper (consent, browse, cart add, the upsell after its delay, checkout, a low NPS answer in the
 * widget, the recovery offer), then checks what a CX team would: the JSONL file holds those
 * touchpoints with the right stages, the alert fired, and the dashboard shows the order and the
 * detractor. Screenshots go to `examples/test-artifacts/`. With `UPDATE_SCREENSHOTS=1` the dashboard
 * one also replaces `docs/images/dashboard.png` (the README shows it); a plain test run never
 * rewrites tracked files.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TouchpointEvent } from '@touchpoint/core';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, skipWithoutChromium } from '../../../test-support/chromium.js';

const root = resolve(import.meta.dirname, '..', '..', '..');
const artifacts = join(root, 'examples', 'test-artifacts');

/** Polls `check` until it returns a value (not undefined/false), or fails with `what` after `timeoutMs`. */
async function until<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Waits until the element's text is exactly `expected`. */
function hasText(locator: Locator, expected: string): Promise<true> {
  return until(`text "${expected}"`, async () => (await locator.textContent())?.trim() === expected);
}

async function readJsonl<T>(path: string): Promise<T[]> {
  if (!existsSync(path)) return [];
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}

describe.skipIf(skipWithoutChromium('the storefront end-to-end test'))(
  'the storefront demo, end to end in Chromium',
  () => {
    let dataDir: string;
    let server: ChildProcess | undefined;
    let output = '';
    let url = '';
    let browser: Browser | undefined;
    let page: Page;

    beforeAll(async () => {
      // The same builds `pnpm demo` runs (the packages' dist is built by `pnpm test` first).
      execFileSync(process.execPath, [join(root, 'examples/storefront/build.mjs')], { stdio: 'pipe' });
      execFileSync(process.execPath, [join(root, 'examples/server/build.mjs')], { stdio: 'pipe' });
      dataDir = await mkdtemp(join(tmpdir(), 'touchpoint-demo-'));
      server = spawn(process.execPath, [join(root, 'examples/server/dist/main.js')], {
        env: { ...process.env, PORT: '0', TOUCHPOINT_DATA_DIR: dataDir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      server.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      server.stderr!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      url = await until(
        'the demo server to print its URL',
        () => /Storefront:\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(output)?.[1],
        60_000,
      );
      browser = await launchChromium();
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      page = await context.newPage();
      page.setDefaultTimeout(30_000);
      await mkdir(artifacts, { recursive: true });
    });

    afterAll(async () => {
      await browser?.close();
      if (server && server.exitCode === null) {
        server.kill('SIGTERM');
        await until('the server to exit', () => server!.exitCode !== null, 15_000).catch(() => server!.kill('SIGKILL'));
      }
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    it('records the journey, alerts on the detractor and shows it all on the dashboard', async () => {
      const events = () => readJsonl<TouchpointEvent>(join(dataDir, 'touchpoints.jsonl'));

      // Arrive; grant consent in the banner.
      await page.goto(`${url}/`);
      await page.locator('#consent-accept').click();
      await page.locator('#consent-banner').waitFor({ state: 'detached' });
      await page.screenshot({ path: join(artifacts, 'storefront-home.png') });

      // Browse to a product and add it to the cart.
      await page.locator('a', { hasText: 'Natural yogurt' }).first().click();
      await page.locator('h1', { hasText: 'Natural yogurt' }).waitFor();
      await page.locator('#add-to-cart').click();
      const addedAt = Date.now();
      await hasText(page.locator('#cart-count'), '1');

      // The upsell arrives after the planner's delay (4 s), not at once.
      const offer = page.locator('[data-touchpoint-offer="upsell"] [role="dialog"]');
      await page.waitForTimeout(1000);
      expect(await offer.count()).toBe(0);
      await offer.waitFor({ state: 'visible', timeout: 30_000 });
      expect(Date.now() - addedAt).toBeGreaterThanOrEqual(3900);
      await page.screenshot({ path: join(artifacts, 'storefront-upsell.png') });
      await offer.locator('button.primary').click();
      await hasText(page.locator('#cart-count'), '2');

      // Check out.
      await page.locator('#cart-link').click();
      await page.locator('#go-to-checkout').click();
      await page.locator('#place-order').click();
      await page.locator('#order-id').waitFor();
      const orderId = (await page.locator('#order-id').textContent())!;

      // The NPS prompt: a low score with a comment.
      // The host element has no box of its own; the dialog inside its shadow root does.
      const prompt = page.locator('[data-touchpoint="feedback-prompt"] [role="dialog"]');
      await prompt.waitFor({ state: 'visible' });
      await prompt.locator('button[role="radio"]').nth(2).click();
      await prompt.locator('textarea').fill('Two items were missing from my delivery.');
      await prompt.locator('button.send').click();

      // Negative feedback: no sales pitch, a recovery offer instead.
      const recovery = page.locator('[data-touchpoint-offer="recovery"] [role="dialog"]');
      await recovery.waitFor({ state: 'visible', timeout: 30_000 });
      await page.screenshot({ path: join(artifacts, 'storefront-recovery.png') });

      // The JSONL file holds the journey, with the catalog's stages.
      const stageOf = (list: TouchpointEvent[], name: string) =>
        list.find((e) => e.type === 'track' && e.event === name) as (TouchpointEvent & { type: 'track' }) | undefined;
      const wanted = [
        'product.viewed',
        'cart.item_added',
        'offer.shown',
        'offer.accepted',
        'checkout.started',
        'order.completed',
        'offer.shown',
      ];
      const list = await until(
        'the journey in touchpoints.jsonl',
        async () => {
          const all = await events();
          const names = all.map((e) => (e.type === 'track' ? e.event : e.type));
          const hasFeedback = all.some((e) => e.type === 'feedback');
          const recoveryShown = all.some(
            (e) => e.type === 'track' && e.event === 'offer.shown' && e.properties?.kind === 'recovery',
          );
          return wanted.every((w) => names.includes(w)) && hasFeedback && recoveryShown && names.includes('page')
            ? all
            : undefined;
        },
        45_000,
      );
      expect(stageOf(list, 'product.viewed')).toMatchObject({
        stage: 'consideration',
        properties: { productId: 'yogurt' },
      });
      expect(stageOf(list, 'cart.item_added')).toMatchObject({
        stage: 'consideration',
        properties: { productId: 'yogurt' },
      });
      expect(stageOf(list, 'offer.shown')).toMatchObject({
        stage: 'upsell',
        properties: { kind: 'upsell', trigger: 'cart.item_added' },
      });
      expect(stageOf(list, 'checkout.started')).toMatchObject({ stage: 'purchase' });
      expect(stageOf(list, 'order.completed')).toMatchObject({ stage: 'purchase', properties: { orderId } });
      const feedback = list.find((e) => e.type === 'feedback');
      expect(feedback).toMatchObject({
        feedback: {
          kind: 'nps',
          score: 2,
          touchpoint: 'order.completed',
          sentiment: 'negative',
          npsCategory: 'detractor',
        },
      });
      // The audit file's data policy: the email from checkout is there only as a SHA-256, no IP.
      const identify = list.find((e) => e.type === 'identify');
      expect(identify).toMatchObject({ identities: [{ type: 'email', hashed: true }] });
      expect(JSON.stringify(list)).not.toContain('ana@example.com');
      expect(list.every((e) => e.context?.ip === undefined)).toBe(true);
      // One session, one shopper: every event carries the same anonymous id.
      expect(new Set(list.map((e) => e.anonymousId)).size).toBe(1);

      // The closed-loop alert fired, for the team that owns the order touchpoint.
      const alerts = await until('the alert in alerts.jsonl', async () => {
        const all = await readJsonl<{ kind: string; score: number; owner: string; comment: string }>(
          join(dataDir, 'alerts.jsonl'),
        );
        return all.length > 0 ? all : undefined;
      });
      expect(alerts[0]).toMatchObject({
        kind: 'nps',
        score: 2,
        owner: 'ecommerce',
        comment: 'Two items were missing from my delivery.',
      });
      expect(output).toContain('negative NPS 2 on order.completed');

      // Two more shoppers, each in a fresh browser profile: one leaves after a cart add, one asks for
      // help and rates the support contact (CSAT) in the widget.
      const leaver = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
      const p2 = await leaver.newPage();
      await p2.goto(`${url}/`);
      await p2.locator('#consent-accept').click();
      await p2.locator('a', { hasText: 'Ground coffee' }).first().click();
      await p2.locator('#add-to-cart').click();
      await hasText(p2.locator('#cart-count'), '1');
      await until("the second shopper's cart add in touchpoints.jsonl", async () =>
        (await events()).some(
          (e) => e.type === 'track' && e.event === 'cart.item_added' && e.properties?.productId === 'coffee',
        ),
      );
      await leaver.close();

      const asker = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
      const p3 = await asker.newPage();
      await p3.goto(`${url}/`);
      await p3.locator('#consent-accept').click();
      await p3.locator('.site-nav a', { hasText: 'Help' }).click();
      await p3.locator('textarea[name="message"]').fill('Can I change my delivery slot?');
      await p3.locator('form.support button[type="submit"]').click();
      await p3.locator('#support-sent').waitFor();
      const csat = p3.locator('[data-touchpoint="feedback-prompt"] [role="dialog"]');
      await csat.waitFor({ state: 'visible' });
      await csat.locator('button[role="radio"]').nth(4).click();
      await csat.locator('button.send').click();
      await until('the CSAT answer in touchpoints.jsonl', async () =>
        (await events()).some((e) => e.type === 'feedback' && e.feedback.kind === 'csat' && e.feedback.score === 5),
      );
      await asker.close();

      // The dashboard shows the order, the detractor and the alert.
      const dash = await browser!.newPage({ viewport: { width: 1280, height: 1400 } });
      await dash.goto(`${url}/dashboard`);
      await until(
        'the dashboard to count the order and the three sessions',
        async () =>
          (await dash.locator('#kpi-orders').textContent()) === '1' &&
          (await dash.locator('#kpi-sessions').textContent()) === '3',
        30_000,
      );
      expect(await dash.locator('li.order').first().textContent()).toContain(orderId);
      expect(await dash.locator('li.detractor').first().textContent()).toContain('NPS 2');
      expect(await dash.locator('li.alert').first().textContent()).toContain('Two items were missing');
      expect(await dash.locator('#kpi-nps').textContent()).toBe('-100');
      const funnel = await dash
        .locator('#funnel rect[data-value]')
        .evaluateAll((rects) => rects.map((r) => r.getAttribute('data-value')));
      expect(funnel).toEqual(['2', '2', '1', '1']);
      expect(await dash.locator('#scores tr[data-kind="csat"]').textContent()).toContain('100%');
      expect(await dash.locator('#journeys').textContent()).toContain('after a cart add');
      await dash.screenshot({ path: join(artifacts, 'dashboard.png'), fullPage: true });
      if (process.env.UPDATE_SCREENSHOTS === '1') {
        await mkdir(join(root, 'docs', 'images'), { recursive: true });
        await copyFile(join(artifacts, 'dashboard.png'), join(root, 'docs', 'images', 'dashboard.png'));
      }
      await dash.close();

      // Ctrl-C (SIGTERM here) flushes and exits cleanly.
      server!.kill('SIGTERM');
      await until('the server to exit', () => server!.exitCode !== null, 20_000);
      expect(server!.exitCode).toBe(0);
      expect(output).toContain('stopped:');
    });
  },
);
