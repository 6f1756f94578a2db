#!/usr/bin/env node
/**
 * `pnpm size`: what each entry point really costs a shopper — bundled with esbuild the way a
 * shop's bundler would (minified, browser platform, ESM, tree-shaken) and gzipped.
 * Entries come from each package's size.json: [{ name, code, limitBytes }].
 * Exits non-zero when an entry is over its limit, and when zod leaks into a browser entry.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const entries = [];
for (const dir of readdirSync(join(root, 'packages'))) {
  const file = join(root, 'packages', dir, 'size.json');
  if (existsSync(file)) for (const e of JSON.parse(readFileSync(file, 'utf8'))) entries.push({ ...e, pkg: dir });
}

let failed = false;
const rows = [];
for (const entry of entries) {
  const result = await build({
    stdin: { contents: entry.code, resolveDir: join(root, 'packages', entry.pkg), loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    write: false,
    metafile: true,
    logLevel: 'silent',
    // Lazy chunks (web-vitals, widget) are not part of the first load: keep dynamic imports out.
    external: entry.external ?? [],
  });
  const code = result.outputFiles[0].contents;
  const gz = gzipSync(code, { level: 9 }).length;
  const inputs = Object.keys(result.metafile.inputs);
  const hasZod = inputs.some((p) => p.includes('/zod/'));
  const over = entry.limitBytes !== undefined && gz > entry.limitBytes;
  if (over || (hasZod && entry.allowZod !== true)) failed = true;
  rows.push({
    entry: entry.name,
    'min (B)': code.length,
    'min+gzip (B)': gz,
    'limit (B)': entry.limitBytes ?? '',
    status: over ? 'OVER LIMIT' : hasZod && entry.allowZod !== true ? 'ZOD LEAKED' : 'ok',
  });
}
console.table(rows);
if (failed) {
  console.error('size: an entry is over its budget (or pulled in zod); see the table above');
  process.exit(1);
}
