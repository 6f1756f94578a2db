#!/usr/bin/env node
/**
 * Builds the storefront into `dist/`: `index.html` and `assets/` (the bundled app, split so the
 * feedback widget and the offer card load only when first shown, and the stylesheet).
 */
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { build } from 'esbuild';

const here = new URL('.', import.meta.url).pathname;
const out = `${here}dist`;
await rm(out, { recursive: true, force: true });
await mkdir(`${out}/assets`, { recursive: true });
await build({
  entryPoints: { app: `${here}src/main.ts` },
  outdir: `${out}/assets`,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  chunkNames: 'chunk-[hash]',
  logLevel: 'warning',
  // tsup's code splitting leaves bare `import './chunk-….js'` lines in the packages' dist; the
  // packages declare `sideEffects: false`, so dropping those imports is exactly what we want.
  logOverride: { 'ignored-bare-import': 'silent' },
});
await copyFile(`${here}public/index.html`, `${out}/index.html`);
await copyFile(`${here}public/styles.css`, `${out}/assets/styles.css`);
console.log('built examples/storefront/dist');
