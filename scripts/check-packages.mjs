#!/usr/bin/env node
/**
 * Judges every package the way users install it: from its packed tarball.
 * For each package: publint, @arethetypeswrong/cli, then in a scratch consumer project
 * `require()` and `import()` of every entry in its exports map, a TypeScript check under
 * moduleResolution `bundler` and `node16` (ESM and CJS files), and a bundle of a bare
 * `import '<pkg>'` that must come out empty (modules are side-effect free, so they tree-shake).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { installTarballs, linkDependency, packPackages, root } from './pack-packages.mjs';

const tmp = join(root, '.tmp', 'check-packages');
rmSync(tmp, { recursive: true, force: true });
const consumer = join(tmp, 'consumer');
mkdirSync(join(consumer, 'node_modules'), { recursive: true });

const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { stdio: 'pipe', encoding: 'utf8', ...opts });
const bin = (name) => join(root, 'node_modules', '.bin', name);
let failures = 0;
const fail = (what, detail) => {
  failures++;
  console.error(`✗ ${what}\n${String(detail).trim()}\n`);
};
const pass = (what) => console.log(`✓ ${what}`);

const pkgs = packPackages(join(tmp, 'packs'));
for (const { name, tarball } of pkgs) {
  try {
    run(bin('publint'), ['run', tarball, '--strict']);
    pass(`${name}: publint`);
  } catch (e) {
    fail(`${name}: publint`, e.stdout + e.stderr);
  }
  try {
    // node10 (TypeScript's legacy `moduleResolution: node`) predates `exports`; we support node16 and bundler.
    run(bin('attw'), [tarball, '--profile', 'node16', '--format', 'table-flipped', '--no-color']);
    pass(`${name}: are the types wrong`);
  } catch (e) {
    fail(`${name}: are the types wrong`, e.stdout + e.stderr);
  }
}
installTarballs(pkgs, join(consumer, 'node_modules'));
linkDependency('@types/node', root, join(consumer, 'node_modules'));
writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));

const specifiers = [];
for (const pkg of pkgs) {
  for (const key of Object.keys(pkg.json.exports ?? { '.': {} })) {
    if (key.endsWith('package.json')) continue;
    specifiers.push({ pkg, spec: key === '.' ? pkg.json.name : `${pkg.json.name}/${key.slice(2)}` });
  }
}

for (const { spec } of specifiers) {
  try {
    run(
      'node',
      ['-e', `const m = require(${JSON.stringify(spec)}); if (!Object.keys(m).length) throw new Error('no exports')`],
      { cwd: consumer },
    );
    run(
      'node',
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(spec)}); if (!Object.keys(m).length) throw new Error('no exports')`,
      ],
      { cwd: consumer },
    );
    pass(`${spec}: require() and import() in Node`);
  } catch (e) {
    fail(`${spec}: require()/import() in Node`, e.stderr || e.message);
  }
}

const esmSource = specifiers
  .map(({ spec }, i) => `import * as m${i} from '${spec}';\nexport const x${i}: object = m${i};`)
  .join('\n');
const cjsSource = specifiers
  .map(({ spec }, i) => `import m${i} = require('${spec}');\nexport const x${i}: object = m${i};`)
  .join('\n');
writeFileSync(join(consumer, 'esm.ts'), esmSource);
writeFileSync(join(consumer, 'cjs.cts'), cjsSource);
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const common = [
  '--noEmit',
  '--strict',
  '--skipLibCheck',
  'false',
  '--types',
  'node',
  '--lib',
  'es2022,dom',
  '--target',
  'es2022',
];
for (const [label, args] of [
  ['moduleResolution bundler', ['--module', 'esnext', '--moduleResolution', 'bundler', 'esm.ts']],
  [
    'moduleResolution node16 (ESM and CJS)',
    ['--module', 'node16', '--moduleResolution', 'node16', 'esm.ts', 'cjs.cts'],
  ],
]) {
  try {
    run('node', [tsc, ...common, ...args], { cwd: consumer });
    pass(`types under ${label}`);
  } catch (e) {
    fail(`types under ${label}`, e.stdout + e.stderr);
  }
}

for (const pkg of pkgs) {
  const isNode = pkg.json.name === '@touchpoint/node';
  const result = await build({
    stdin: { contents: `import '${pkg.json.name}';`, resolveDir: consumer },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: isNode ? 'node' : 'browser',
    write: false,
    logLevel: 'silent',
    external: isNode ? ['@nats-io/*', 'ioredis'] : [],
  });
  const bytes = result.outputFiles[0].contents.length;
  if (bytes > 0)
    fail(
      `${pkg.json.name}: a bare import is not tree-shaken away (${bytes} bytes remain)`,
      result.outputFiles[0].text.slice(0, 400),
    );
  else pass(`${pkg.json.name}: side-effect free (a bare import bundles to 0 bytes)`);
}

if (failures > 0) {
  console.error(`check-packages: ${failures} check(s) failed`);
  process.exit(1);
}
console.log('check-packages: every package passes as installed from its tarball');
