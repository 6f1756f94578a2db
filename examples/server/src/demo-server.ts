/**
 * The whole demo in one node process on localhost: the storefront's files, the ingest endpoint
 * (`@touchpoint/node`), the forwarder writing JSONL (plus webhook/Segment when configured), the
 * closed-loop alert rule, the recommender — seeded from real grocery baskets, then trained by the
 * forwarder from the shop's own touchpoints and served as model JSON — and the live CX dashboard.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { commerceTouchpoints } from '@touchpoint/core';
import { createForwarder, createIngestHandler, feedbackAlert, fileLog, toNodeHandler } from '@touchpoint/node';
import { createCustomerModel, createRecommender } from '@touchpoint/recommend';
import { createModelHandler, createRecommenderTrainer } from '@touchpoint/recommend/trainer';
import { createAlertFeed } from './alert-feed.js';
import { createLiveDashboard } from './dashboard/live-dashboard.js';
import { type DemoCases, type DemoCasesOptions, startDemoCases } from './demo-cases.js';
import { createDemoSurveys } from './demo-surveys.js';
import { type DemoEnv, destinationsFromEnv } from './destinations-from-env.js';
import { createDueHandler, DUE_PATH, returningCustomerOrders } from './returning-customers.js';
import { readSeedBaskets } from './seed-baskets.js';
import { createStaticFiles } from './static-files.js';

/** The storefront's write key. Browser write keys are public by design; they only label the source. */
export const DEMO_WRITE_KEY = 'pk_demo_storefront';
export const INGEST_PATH = '/api/touchpoints';
export const MODEL_PATH = '/api/recommendations/model.json';

export interface DemoServerOptions {
  /** Default 4000; `0` picks a free port. */
  port?: number;
  /** Default `127.0.0.1`: the demo never listens beyond this machine. */
  host?: string;
  /** Where `touchpoints.jsonl`, `alerts.jsonl` and the durable log (`log/`) go. */
  dataDir: string;
  /** The built storefront (`examples/storefront/dist`). */
  storefrontDir: string;
  /** Seed baskets for the recommender (`examples/server/seed/groceries-top40.csv`). */
  seedPath: string;
  env?: DemoEnv;
  /** Cases across channels at `/cases` (an embedded Postgres in `<dataDir>/cases`); default off, `pnpm demo` turns it on. */
  cases?: boolean | Pick<DemoCasesOptions, 'promiseMs' | 'checkEveryMs'>;
  /** Publish a new model after this many learned interactions (default 10). */
  publishEveryInteractions?: number;
  log?: (line: string) => void;
}

export interface DemoServer {
  url: string;
  dataDir: string;
  /** Stops accepting requests, flushes every queued event to its destinations, closes files. */
  close(): Promise<void>;
}

/**
 * @example
 * const demo = await startDemoServer({ dataDir: 'data', storefrontDir: 'dist', seedPath: 'seed/baskets.csv' });
 * console.log(`shop at ${demo.url}`);
 */
export async function startDemoServer(options: DemoServerOptions): Promise<DemoServer> {
  const log = options.log ?? ((line: string) => console.log(line));
  const { dataDir } = options;

  // Seeded from real baskets, then kept fresh by the forwarder: every product view, cart add and
  // order the shop forwards teaches it, and a new model is published every few interactions.
  const recommender = createRecommender();
  const baskets = await readSeedBaskets(options.seedPath);
  recommender.learnBaskets(baskets);
  // Each customer's orders and rhythm, for replenishment prompts: seeded with a returning
  // customer, then fed every order the forwarder delivers (keyed by user id).
  const customers = createCustomerModel({ exploreWeight: 0 });
  customers.learnOrders(returningCustomerOrders(Date.now()));
  const trainer = createRecommenderTrainer({
    recommender,
    customers,
    // A demo publishes often so you can watch it learn; a shop would keep the defaults.
    publishEveryInteractions: options.publishEveryInteractions ?? 10,
    publishIntervalMs: 30_000,
    onPublish: (p) => log(`recommender: published model v${p.version} (${p.model.itemCount} products)`),
    onError: (e) => log(`recommender: publishing failed, the previous model stays: ${String(e)}`),
  });
  trainer.publish();
  log(`recommender: learned ${baskets.length} seed baskets`);

  // Case events are not in the commerce catalog, so the demo's played contacts skip its typing.
  const cases: DemoCases | undefined = options.cases
    ? startDemoCases({
        ...(typeof options.cases === 'object' ? options.cases : {}),
        dataDir,
        log,
        track: (input) => forwarder.track(input as never),
      })
    : undefined;
  // Surveys: an after-order CSAT on a server event, an after-case CSAT by signed link (demo-surveys.ts).
  let origin = 'http://127.0.0.1:4000';
  const surveys = createDemoSurveys({
    baseUrl: () => `${origin}/s`,
    forwarder: { feedback: (input) => forwarder.feedback(input) },
    log,
    dataDir,
  });
  const forwarder = createForwarder({
    // The embedded durable log: the ingest answers 200 only once a batch is fsync'd here, and what a
    // destination has not taken yet survives a crash or a restart of the demo.
    log: fileLog({ dir: join(dataDir, 'log'), onError: (e) => log(`log ${e.source}: ${e.message}`) }),
    destinations: [...destinationsFromEnv(dataDir, options.env ?? {}), trainer, ...(cases ? [cases.destination] : [])],
    catalog: commerceTouchpoints,
    // Short batches keep the dashboard close to real time; a shop would keep the default.
    batch: { maxWaitMs: 250 },
    rules: [
      feedbackAlert({ catalog: commerceTouchpoints, notify: createAlertFeed(join(dataDir, 'alerts.jsonl'), log) }),
      surveys.rule,
    ],
    onError: (e) => log(`forwarder ${e.source}: ${e.message}`),
    onDrop: (d) =>
      log(
        `dropped ${d.events.length} event(s) (${d.reason}${d.destination ? ` at ${d.destination}` : ''}): ${d.message}`,
      ),
  });
  // The ingest's answers carry the surveys the server queued, shown on the shopper's next page view.
  const ingest = toNodeHandler(
    createIngestHandler({ forwarder, writeKeys: [DEMO_WRITE_KEY], prompts: surveys.surveys.prompts }),
  );
  const surveyAnswers = toNodeHandler(surveys.answers);
  const modelHandler = toNodeHandler(createModelHandler(trainer));
  const dueHandler = createDueHandler(customers);
  const dashboard = createLiveDashboard({
    eventsPath: join(dataDir, 'touchpoints.jsonl'),
    alertsPath: join(dataDir, 'alerts.jsonl'),
    onError: (e) => log(`dashboard: ${String(e)}`),
  });
  const serveStatic = createStaticFiles(options.storefrontDir);

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === INGEST_PATH) return ingest(req, res);
    if (path === MODEL_PATH) return modelHandler(req, res);
    if (path === DUE_PATH) return dueHandler(req, res);
    if (path === '/s') return surveyAnswers(req, res);
    if (path === '/healthz') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    if (dashboard.handle(req, res, path)) return;
    if (cases?.handle(req, res, path)) return;
    if (path.startsWith('/api/')) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
    void serveStatic(req, res, path);
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4000, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://${host}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    dataDir,
    close() {
      closing ??= (async () => {
        dashboard.close();
        surveys.close();
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const summary = await forwarder.close({ timeoutMs: 5000 });
        await cases?.close();
        server.closeAllConnections();
        await stopped;
        log(`stopped: ${summary.delivered} event(s) delivered; ${summary.left} wait in the log for the next start`);
      })();
      return closing;
    },
  };
}
