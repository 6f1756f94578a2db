/**
 * Packs every public package the way `npm publish` would (`pnpm pack`, so `workspace:` ranges become
 * real versions) and installs the tarballs into a scratch `node_modules`, so checks and consumer apps
 * judge exactly the files a user downloads. Shared by scripts/check-packages.mjs and consumers/.
 * Third-party dependencies of the packages resolve to the workspace's installed copies (symlinks):
 * no registry access, and the same versions the tests ran against.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const root = new URL('..', import.meta.url).pathname;

/** Every non-private package under `packagesDir` (default: this repository's packages/): `{ name, dir, json }`. */
export function publicPackages(packagesDir = join(root, 'packages')) {
  return readdirSync(packagesDir)
    .map((dir) => ({
      dir: join(packagesDir, dir),
      json: JSON.parse(readFileSync(join(packagesDir, dir, 'package.json'), 'utf8')),
    }))
    .filter((p) => !p.json.private)
    .map((p) => ({ ...p, name: p.json.name }));
}

/**
 * Packs each public package (built `dist` must exist) into `destination`.
 *
 * @example
 * const packs = packPackages('.tmp/packs'); // [{ name: '@touchpoint/core', tarball: '…/touchpoint-core-0.1.0.tgz', … }]
 */
export function packPackages(destination, packagesDir) {
  mkdirSync(destination, { recursive: true });
  return publicPackages(packagesDir).map((pkg) => {
    const out = execFileSync('pnpm', ['pack', '--pack-destination', destination], {
      cwd: pkg.dir,
      stdio: 'pipe',
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .pop();
    const prefix = pkg.name.replace('@', '').replace('/', '-');
    const tarball = out.endsWith('.tgz')
      ? out
      : join(
          destination,
          readdirSync(destination).find((f) => f.startsWith(prefix)),
        );
    return { ...pkg, tarball };
  });
}

/** Links `name` (resolved from `fromDir`, the way Node would) into `nodeModules`, unless present. */
export function linkDependency(name, fromDir, nodeModules) {
  const target = join(nodeModules, name);
  if (existsSync(target)) return true;
  const from = join(fromDir, 'node_modules', name);
  if (!existsSync(from)) return false;
  mkdirSync(dirname(target), { recursive: true });
  symlinkSync(realpathSync(from), target);
  return true;
}

/**
 * Unpacks each tarball into `nodeModules/<name>` and links the packages' third-party dependencies
 * (and optional peers the workspace has) from the workspace.
 *
 * @example
 * installTarballs(packPackages(packs), join(app, 'node_modules'));
 */
export function installTarballs(packs, nodeModules) {
  for (const pkg of packs) {
    const dest = join(nodeModules, pkg.name);
    mkdirSync(dest, { recursive: true });
    execFileSync('tar', ['-xzf', pkg.tarball, '-C', dest, '--strip-components=1'], { stdio: 'pipe' });
  }
  for (const pkg of packs) {
    for (const dep of Object.keys({ ...pkg.json.dependencies, ...pkg.json.peerDependencies })) {
      if (!dep.startsWith('@touchpoint/')) linkDependency(dep, pkg.dir, nodeModules);
    }
  }
}
