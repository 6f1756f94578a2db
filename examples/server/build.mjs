#!/usr/bin/env node
/** Bundles the demo server into `dist/main.js` (the @touchpoint packages stay external, from their dist). */
import { build } from 'esbuild';

const here = new URL('.', import.meta.url).pathname;
await build({
  entryPoints: [`${here}src/main.ts`],
  outfile: `${here}dist/main.js`,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
console.log('built examples/server/dist/main.js');
