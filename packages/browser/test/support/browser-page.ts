/**
 * The real-browser fixture: bundles the built package with esbuild, serves it with a test page
 * under a strict Content-Security-Policy from the loopback ingest server. Chromium itself comes
 * from the repository's shared `test-support/chromium.ts`.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { IngestServer } from './ingest-server.js';

const packageDir = fileURLToPath(new URL('../../', import.meta.url));

export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'";

// Served as a file, never inline: the page runs under a CSP without 'unsafe-inline'.
const APP_JS = `
import { createTracker } from '/assets/index.js';
import { showFeedbackPrompt } from '/assets/widget.js';
const q = new URLSearchParams(location.search);
window.violations = [];
document.addEventListener('securitypolicyviolation', (e) => window.violations.push(e.violatedDirective + ' ' + e.blockedURI));
const config = {
  endpoint: '/ingest',
  writeKey: 'pk_e2e',
  name: 'e2e',
  retry: { baseMs: 100, maxMs: 400 },
  batch: { maxEvents: 20, maxWaitMs: Number(q.get('wait') || 2000) },
};
if (q.get('consent') === 'pending') config.consent = 'pending';
window.tp = createTracker(config);
window.showFeedbackPrompt = showFeedbackPrompt;
window.storedCount = () => new Promise((resolve, reject) => {
  const open = indexedDB.open('touchpoint-e2e');
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const db = open.result;
    if (!db.objectStoreNames.contains('events')) { db.close(); return resolve(0); }
    const count = db.transaction('events').objectStore('events').count();
    count.onsuccess = () => { db.close(); resolve(count.result); };
    count.onerror = () => reject(count.error);
  };
});
window.ready = true;
`;

const html = (title: string, script: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>${script}</head><body><h1>${title}</h1><button id="buy">Buy</button></body></html>`;

/**
 * Bundles the named entries of the published `dist/` (relative to the package, code-split as a
 * shop's bundler would) and serves every output file under `/assets/` on `server`.
 */
export async function serveDistBundles(server: IngestServer, entries: Record<string, string>): Promise<void> {
  const entryPoints: Record<string, string> = {};
  for (const [name, path] of Object.entries(entries)) entryPoints[name] = `${packageDir}${path}`;
  const result = await build({
    entryPoints,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outdir: '/assets',
    write: false,
    logLevel: 'silent',
  });
  for (const file of result.outputFiles) {
    server.pages.set(`/assets/${file.path.split('/').pop()}`, ['text/javascript', Buffer.from(file.contents)]);
  }
}

/** Builds the browser bundle from `dist/` and registers the pages on `server`. */
export async function servePages(server: IngestServer): Promise<void> {
  await serveDistBundles(server, { index: 'dist/index.js', widget: 'dist/widget/index.js' });
  const headers = { 'Content-Security-Policy': CSP };
  server.pages.set('/app.js', ['text/javascript', APP_JS]);
  server.pages.set('/app.html', ['text/html', html('Shop', '<script type="module" src="/app.js"></script>'), headers]);
  server.pages.set('/other.html', ['text/html', html('Elsewhere', ''), headers]);
}
