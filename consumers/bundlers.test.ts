/**
 * The tracker in the bundlers shops ship with, from the packed tarballs: a Vite 8 app (TypeScript,
 * type-checked without skipLibCheck) and a webpack 5 app (JavaScript checked with checkJs). Each must
 * build without errors or warnings, keep the lazy parts in their own chunks, and, in Chromium, deliver
 * the event the page tracks.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { launchChromium, skipWithoutChromium } from '../test-support/chromium.js';
import { prepareApp, run, type Site, serveSite, skipWithoutFrameworks, typecheck } from './consumer-app.js';

const bundlers = [
  {
    name: 'vite',
    title: 'Vite 8',
    build: (dir: string) =>
      run(process.execPath, [join(dir, 'node_modules', 'vite', 'bin', 'vite.js'), 'build'], { cwd: dir }),
    /** Folder served to the browser, and where its scripts are. */
    site: 'dist',
    scripts: 'dist/assets',
  },
  {
    name: 'webpack',
    title: 'webpack 5',
    build: (dir: string) => run(process.execPath, ['build.js'], { cwd: dir }),
    site: '.',
    scripts: 'dist',
  },
];

const noChromium = skipWithoutChromium('the bundled trackers in Chromium');
// One browser for both apps (launching Chromium is the slow part); each app gets its own context.
let browser: Browser | undefined;
afterAll(() => browser?.close());

for (const bundler of bundlers) {
  describe.skipIf(skipWithoutFrameworks(`the ${bundler.title} consumer app`, [bundler.name]))(
    `${bundler.title} app from the packed tarballs`,
    () => {
      let dir: string;

      it('type-checks and builds without warnings, with the lazy parts in their own chunks', async () => {
        dir = prepareApp(bundler.name, [bundler.name]);
        await typecheck(dir);
        const output = await bundler.build(dir);
        expect(output).not.toMatch(/warning/i);
        const scripts = readdirSync(join(dir, bundler.scripts)).filter((f) => f.endsWith('.js'));
        expect(scripts.length).toBeGreaterThan(1);
        const gzip = scripts.map((f) => `${f} ${gzipSync(readFileSync(join(dir, bundler.scripts, f))).length} B`);
        console.log(`${bundler.title} scripts (gzip): ${gzip.join(', ')}`);
      });

      it.skipIf(noChromium)('in Chromium, the page tracks an event and it arrives once', async () => {
        const site: Site = await serveSite(join(dir, bundler.site));
        browser ??= await launchChromium();
        const context = await browser.newContext();
        try {
          const page = await context.newPage();
          const errors: string[] = [];
          page.on('pageerror', (e) => errors.push(e.message));
          await page.goto(site.url);
          await page.waitForFunction(() => document.getElementById('status')?.textContent !== 'loading', null, {
            timeout: 20_000,
          });
          expect(await page.textContent('#status')).toBe('flushed');
          expect(errors).toEqual([]);
          expect(site.events.filter((e) => e.event === 'cart.item_added')).toHaveLength(1);
        } finally {
          await context.close();
          await site.close();
        }
      });
    },
  );
}
