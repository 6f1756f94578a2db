/**
 * Crash tests run a fixture written in TypeScript as a child process they can SIGKILL: this
 * bundles it (and the sources it imports) into one ES module that plain `node` starts.
 */
import { join } from 'node:path';
import { build } from 'esbuild';

/** Bundles `test/fixtures/<name>.ts` into `<outDir>/<name>.mjs` and returns that path. */
export async function bundleChild(name: string, outDir: string, external: string[] = []): Promise<string> {
  const outfile = join(outDir, `${name}.mjs`);
  await build({
    entryPoints: [new URL(`./fixtures/${name}.ts`, import.meta.url).pathname],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    external,
    logLevel: 'silent',
  });
  return outfile;
}
