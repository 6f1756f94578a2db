/**
 * The examples are bundled with esbuild, which strips types without checking them, and the root
 * `pnpm typecheck` covers only the packages. This keeps the demo honest when a package's API moves:
 * both examples must typecheck against the packages' built `.d.ts`.
 */
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..', '..');
const tsc = join(root, 'node_modules', '.bin', 'tsc');

function typecheck(project: string): string {
  try {
    execFileSync(tsc, ['--noEmit', '--pretty', 'false', '-p', join(root, project)], {
      encoding: 'utf8',
      stdio: 'pipe',
    });
    return '';
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? error);
  }
}

describe('the examples typecheck', () => {
  it.each(['examples/storefront', 'examples/server'])('%s', (project) => {
    expect(typecheck(project)).toBe('');
  });
});
