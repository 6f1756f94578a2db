/**
 * Vitest global setup: packs every package once per run (the tarballs a user downloads) and writes
 * their paths to .tmp/consumers/packs.json for prepareApp. The packages must be built (`pnpm build`).
 * TOUCHPOINT_PACKAGES_DIR packs another checkout's packages/ folder instead (e.g. a release candidate).
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packPackages, publicPackages } from '../scripts/pack-packages.mjs';
import { packsManifest, scratchDir } from './consumer-app.js';

export default function setup(): void {
  const packagesDir = process.env.TOUCHPOINT_PACKAGES_DIR || undefined;
  const unbuilt = publicPackages(packagesDir).filter((p) => !existsSync(join(p.dir, 'dist')));
  if (unbuilt.length > 0)
    throw new Error(`build first (pnpm build): no dist/ in ${unbuilt.map((p) => p.name).join(', ')}`);
  rmSync(scratchDir, { recursive: true, force: true });
  mkdirSync(scratchDir, { recursive: true });
  writeFileSync(packsManifest, JSON.stringify(packPackages(join(scratchDir, 'packs'), packagesDir), null, 2));
}
