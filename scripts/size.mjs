#!/usr/bin/env node
/**
 * `pnpm size`: what each entry point really costs a shopper, in two tables.
 *
 * 1. esbuild: each entry bundled on its own (minified, browser platform, ESM, tree-shaken) and
 *    gzipped as one file, lazy chunks marked external. Quick, and comparable across packages.
 * 2. Vite: entries marked `"bundler": "vite"` built as a shop's app ships them: a Vite build of
 *    an `index.html` with code splitting, each file gzipped on its own (as a server sends it).
 *    The first load is the entry chunk and its static imports; the lazy chunks are what its
 *    dynamic imports fetch. Every app pays Vite's own runtime (module-preload polyfill, preload
 *    helper) with or without Touchpoint, so a blank app with one dynamic import is built too,
 *    and its first load is reported apart and subtracted: the entry's own first load is
 *    "first load − runtime". Lazy chunks from `excludeLazy` packages (web-vitals) are listed but
 *    not counted in "all".
 *
 * Entries come from each package's size.json: [{ name, code, limitBytes, … }]; a Vite entry
 * adds `allLimitBytes` (own first load + counted lazy chunks) and `excludeLazy`. `mangleProps`
 * (a regular expression) applies a package's own build-time property shortening to entries
 * built from its sources. Exits non-zero when an entry is over a limit, and when zod leaks into
 * a browser entry. `node scripts/size.mjs browser core` measures only those packages.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2);
const entries = [];
for (const dir of readdirSync(join(root, 'packages'))) {
  if (only.length && !only.includes(dir)) continue;
  const file = join(root, 'packages', dir, 'size.json');
  if (existsSync(file)) for (const e of JSON.parse(readFileSync(file, 'utf8'))) entries.push({ ...e, pkg: dir });
}

const gzip = (code) => gzipSync(code, { level: 9 }).length;
const hasZod = (moduleIds) => moduleIds.some((p) => p.includes('/zod/'));
let failed = false;

const rows = [];
for (const entry of entries.filter((e) => e.bundler !== 'vite')) {
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
    // `$pkg/…` names a file of the entry's own package by path (its shared chunks, say), which an
    // import path like `./chunk-*` cannot: that would also match another package's chunks.
    external: (entry.external ?? []).map((e) =>
      e.startsWith('$pkg/') ? join(root, 'packages', entry.pkg, e.slice(5)) : e,
    ),
    mangleProps: entry.mangleProps ? new RegExp(entry.mangleProps) : undefined,
  });
  const code = result.outputFiles[0].contents;
  const gz = gzip(code);
  const zod = hasZod(Object.keys(result.metafile.inputs)) && entry.allowZod !== true;
  const over = entry.limitBytes !== undefined && gz > entry.limitBytes;
  if (over || zod) failed = true;
  rows.push({
    entry: entry.name,
    'min (B)': code.length,
    'min+gzip (B)': gz,
    'limit (B)': entry.limitBytes ?? '',
    status: over ? 'OVER LIMIT' : zod ? 'ZOD LEAKED' : 'ok',
  });
}
if (rows.length) {
  console.log('esbuild, one file per entry (lazy chunks external):');
  console.table(rows);
}

const viteEntries = entries.filter((e) => e.bundler === 'vite');
if (viteEntries.length) {
  const { build: viteBuild } = await import('vite');
  /**
   * Builds a one-page app whose script is `code`, in a scratch folder inside package `pkg` (so
   * the package's own name resolves to its built `dist/`, as it would from a shop's app).
   */
  async function viteApp(pkg, code, files = {}) {
    const dir = join(root, 'packages', pkg, '.tmp', `size-vite-${process.pid}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" src="./main.js"></script>');
    writeFileSync(join(dir, 'main.js'), code);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    try {
      const out = await viteBuild({ root: dir, configFile: false, logLevel: 'silent', build: { write: false } });
      const chunks = new Map();
      for (const o of (Array.isArray(out) ? out : [out]).flatMap((b) => b.output))
        if (o.type === 'chunk') chunks.set(o.fileName, o);
      const entryChunk = [...chunks.values()].find((c) => c.isEntry);
      /** Chunks a set of chunks pulls in through static imports, themselves included. */
      const closure = (names, seen = new Set()) => {
        for (const name of names) {
          if (seen.has(name)) continue;
          seen.add(name);
          closure(chunks.get(name).imports, seen);
        }
        return seen;
      };
      const first = closure([entryChunk.fileName]);
      const lazy = new Set();
      const pending = [...first];
      while (pending.length) {
        for (const name of chunks.get(pending.pop()).dynamicImports) {
          for (const next of closure([name])) {
            if (first.has(next) || lazy.has(next)) continue;
            lazy.add(next);
            pending.push(next);
          }
        }
      }
      const describe = (name) => {
        const c = chunks.get(name);
        // `auto-capture-EM77L53N` (tsup's chunk hash) reads as `auto-capture`.
        return { name, label: c.name.replace(/-[A-Z0-9]{8}$/, ''), gz: gzip(c.code), moduleIds: c.moduleIds };
      };
      return { first: [...first].map(describe), lazy: [...lazy].map(describe) };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const sum = (files) => files.reduce((n, f) => n + f.gz, 0);
  const blank = await viteApp(viteEntries[0].pkg, "import('./lazy.js').then((m) => console.log(m.x));", {
    'lazy.js': 'export const x = 1;',
  });
  const runtime = sum(blank.first);
  const viteRows = [];
  for (const entry of viteEntries) {
    const app = await viteApp(entry.pkg, entry.code);
    const excluded = (f) =>
      (entry.excludeLazy ?? []).some((name) => f.moduleIds.every((id) => id.includes(`/node_modules/${name}/`)));
    const counted = app.lazy.filter((f) => !excluded(f));
    const firstLoad = sum(app.first);
    const own = firstLoad - runtime;
    const all = own + sum(counted);
    const zod = hasZod([...app.first, ...app.lazy].flatMap((f) => f.moduleIds)) && entry.allowZod !== true;
    const over =
      (entry.limitBytes !== undefined && own > entry.limitBytes) ||
      (entry.allLimitBytes !== undefined && all > entry.allLimitBytes);
    if (over || zod) failed = true;
    viteRows.push({
      entry: entry.name,
      'first load (B)': `${firstLoad} in ${app.first.length} file(s)`,
      'own first load (B)': own,
      'limit (B)': entry.limitBytes ?? '',
      'lazy (B)': counted.map((f) => `${f.label} ${f.gz}`).join(' + ') || 0,
      'not counted (B)': app.lazy
        .filter(excluded)
        .map((f) => `${f.label} ${f.gz}`)
        .join(' + '),
      'all (B)': all,
      'all limit (B)': entry.allLimitBytes ?? '',
      status: over ? 'OVER LIMIT' : zod ? 'ZOD LEAKED' : 'ok',
    });
  }
  console.log(
    `Vite, as a shop's app ships it (gzip per file). Vite's own runtime, the first load of a blank app with one dynamic import: ${runtime} B, subtracted from "own first load"; "all" = own first load + lazy:`,
  );
  console.table(viteRows);
}

if (failed) {
  console.error('size: an entry is over its budget (or pulled in zod); see the tables above');
  process.exit(1);
}
