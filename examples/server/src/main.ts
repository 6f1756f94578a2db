/**
 * `pnpm demo` ends here: starts the demo server, prints where everything is, and on Ctrl-C (or
 * SIGTERM) closes the forwarder so every event already accepted reaches its destinations.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDemoServer } from './demo-server.js';

const here = dirname(fileURLToPath(import.meta.url));
const serverDir = resolve(here, '..');
const storefrontDir = resolve(serverDir, '..', 'storefront', 'dist');
const dataDir = resolve(process.env.TOUCHPOINT_DATA_DIR ?? join(serverDir, 'data'));
const port = process.env.PORT === undefined ? 4000 : Number(process.env.PORT);

if (!existsSync(join(storefrontDir, 'index.html'))) {
  console.error('The storefront is not built: run `pnpm demo` from the repository root.');
  process.exit(1);
}

const demo = await startDemoServer({
  port,
  dataDir,
  storefrontDir,
  seedPath: join(serverDir, 'seed', 'groceries-top40.csv'),
  env: process.env,
  cases: true,
}).catch((error: unknown) => {
  console.error(`Could not start the demo: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

console.log(`
  Touchpoint demo is running (Ctrl-C to stop)

  Storefront:    ${demo.url}/
  CX dashboard:  ${demo.url}/dashboard
  Cases:         ${demo.url}/cases  (node scripts/play-contacts.mjs plays a hotline call + a Facebook message)
  Ingest:        ${demo.url}/api/touchpoints
  Data folder:   ${dataDir}
`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(130);
    stopping = true;
    console.log(`\n${signal}: flushing queued touchpoints…`);
    demo.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}
