/**
 * The build shortens internal property names (those ending in `_`, see tsup.config.ts). This
 * guards the promise that comes with it: the published tracker stores and sends exactly what
 * the source does, and its published types name no shortened property. Runs on `dist/`, so
 * build first (`pnpm --filter @touchpoint/browser build`; `pnpm test` does).
 */
import 'fake-indexeddb/auto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createStore, entries } from 'idb-keyval';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTracker as fromSource } from '../src/tracker.js';
import type { Tracker, TrackerConfig } from '../src/types.js';
import { type IngestServer, startIngestServer, waitFor } from './support/ingest-server.js';
import { uniqueName } from './support/tracker-harness.js';

// happy-dom replaces the global URL, so the path is built from the file's own path.
const packageDir = `${dirname(dirname(fileURLToPath(import.meta.url)))}/`;
const dist = `${packageDir}dist/`;
const tsupConfig = readFileSync(`${packageDir}tsup.config.ts`, 'utf8');
const MANGLE_PROPS = new RegExp(/MANGLE_PROPS = \/(.+)\/;/.exec(tsupConfig)![1]!);
const filesIn = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((f) =>
    f.isDirectory() ? filesIn(`${dir}${f.name}/`) : [`${dir}${f.name}`],
  );
/** Code without comments and string literals: what names a property, not what talks about one. */
const codeOnly = (text: string) =>
  text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '')
    .replace(/(['"`])(?:\\.|(?!\1)[^\\\n])*\1/g, '""');
/** Every `.name` or `name:` in `text` that the build would shorten. */
const shortenable = (text: string) =>
  [...codeOnly(text).matchAll(/(?:\.|\b)([A-Za-z$][\w$]*)\??\s*[:(]|\.([A-Za-z$][\w$]*)/g)]
    .map((m) => m[1] ?? m[2]!)
    .filter((name) => MANGLE_PROPS.test(name));

/** An object's keys, recursively, with values reduced to their JSON type: what a reader relies on. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, shape((value as Record<string, unknown>)[k])]),
    );
  return typeof value;
}

describe('the published build', () => {
  it('shortens the internal names (so the checks below test something)', () => {
    const js = filesIn(dist).filter((f) => f.endsWith('.js') || f.endsWith('.cjs'));
    expect(js.length).toBeGreaterThan(0);
    for (const file of js) expect(shortenable(readFileSync(file, 'utf8')), file).toEqual([]);
    // …while the sources do use the convention.
    expect(shortenable(readFileSync(`${packageDir}src/delivery.ts`, 'utf8'))).toContain('queue_');
  });

  it('names no shortened property in its published types', () => {
    const types = filesIn(dist).filter((f) => /\.d\.c?ts$/.test(f));
    expect(types.length).toBeGreaterThan(0);
    for (const file of types) expect(shortenable(readFileSync(file, 'utf8')), file).toEqual([]);
  });

  it('size.json measures the sources with the same rule the build uses', () => {
    const entries: { mangleProps?: string }[] = JSON.parse(readFileSync(`${packageDir}size.json`, 'utf8'));
    for (const e of entries) if (e.mangleProps) expect(e.mangleProps).toBe(MANGLE_PROPS.source);
  });
});

describe('what the published tracker stores and sends', () => {
  let server: IngestServer;
  beforeEach(async () => {
    server = await startIngestServer();
  });
  afterEach(async () => {
    await server.close();
  });

  /** Records the same journey with `create`; returns the shapes of what was stored, then sent. */
  async function journey(create: (config: TrackerConfig<undefined>) => Tracker<undefined>) {
    const name = uniqueName();
    server.mode = 'down';
    server.batches = [];
    const tp = create({
      endpoint: server.endpoint,
      writeKey: 'pk_test',
      name,
      autoCapture: { webVitals: false },
      retry: { baseMs: 60_000, maxMs: 60_000 },
    });
    let recorded = 0;
    tp.on('event', () => recorded++);
    // Auto-capture loads lazily and records the page view and the first visit.
    await waitFor(() => recorded >= 2, 'auto-capture to record');
    tp.track('cart.item_added', { productId: 'sku-1', quantity: 1, tags: ['a'], meta: { gift: true } });
    tp.page({ section: 'shop' });
    tp.identify('user-1', { plan: 'pro' }, [{ type: 'email', value: 'a@example.com' }]);
    tp.feedback({ kind: 'nps', score: 9, comment: 'great', touchpoint: 'order.completed', tags: ['fast'] });
    await tp.flush();
    const store = createStore(`touchpoint-${name}`, 'events');
    await waitFor(async () => (await entries(store)).length >= 4, 'the events to be stored');
    const stored = (await entries<IDBValidKey, string>(store)).map(([, json]) => JSON.parse(json));
    const local = Object.keys(localStorage)
      .filter((key) => key.startsWith('tp:'))
      .map((key) => {
        const value = localStorage.getItem(key)!;
        const parsed = value.startsWith('{') ? shape(JSON.parse(value)) : typeof value;
        return [key.replace(/^tp:[^:]+:/, 'tp:<ns>:').replace(/owner:.*/, 'owner:<id>'), parsed];
      });
    server.mode = 'up';
    expect(await tp.flush()).toEqual({ ok: true, pending: 0 });
    const sent = server.batches.flatMap((b) => b.events);
    tp.destroy();
    for (const key of Object.keys(localStorage)) localStorage.removeItem(key);
    const byKind = (events: any[]) =>
      events
        .map((e) => JSON.stringify(shape(e)))
        .sort()
        .map((s) => JSON.parse(s));
    return { stored: byKind(stored), local: local.sort(), sent: byKind(sent), writeKeys: server.batches[0]!.writeKey };
  }

  it('is what the source stores and sends: same keys in IndexedDB, localStorage and on the wire', async () => {
    const built = (await import(`${dist}index.js`)) as { createTracker: typeof fromSource };
    const source = await journey((config) => fromSource(config));
    const published = await journey((config) => built.createTracker(config));
    expect(source.sent.length).toBeGreaterThanOrEqual(5);
    expect(published).toEqual(source);
    // Wire names are the envelope's own, none of them internal.
    for (const event of published.sent) for (const key of Object.keys(event)) expect(key).not.toMatch(MANGLE_PROPS);
  });
});
