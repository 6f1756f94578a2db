/**
 * The live dashboard: follows the forwarder's JSONL file and the alert feed, keeps the aggregate
 * current, and serves the page, its panels, the summary as JSON, and a Server-Sent Events stream
 * that pushes freshly rendered panels whenever something new arrived.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TouchpointEvent } from '@touchpoint/core';
import { createFileTail } from '../file-tail.js';
import { type AlertRecord, createJourneyAggregator, type DashboardSummary } from './aggregate.js';
import { createFixFirstPanel } from './fix-first-panel.js';
import { dashboardDocument, renderPanels } from './page.js';

export interface LiveDashboardOptions {
  /** The JSONL file the forwarder writes (one event per line). */
  eventsPath: string;
  /** The JSONL alert feed the feedback rule writes. */
  alertsPath: string;
  /** How often the files are checked for new lines. Default 1000 ms. */
  intervalMs?: number;
  onError?: (error: unknown) => void;
}

export interface LiveDashboard {
  /** Answers `/dashboard…` requests; returns `false` for any other path. */
  handle(req: IncomingMessage, res: ServerResponse, path: string): boolean;
  /** Reads new lines now; resolves `true` when the summary changed. */
  refresh(): Promise<boolean>;
  summary(): DashboardSummary;
  /** Stops the timer and ends every open stream. */
  close(): void;
}

/**
 * @example
 * const dashboard = createLiveDashboard({ eventsPath: 'data/touchpoints.jsonl', alertsPath: 'data/alerts.jsonl' });
 * http.createServer((req, res) => dashboard.handle(req, res, new URL(req.url!, 'http://x').pathname) || next(req, res));
 */
export function createLiveDashboard(options: LiveDashboardOptions): LiveDashboard {
  const aggregator = createJourneyAggregator();
  const events = createFileTail(options.eventsPath);
  const alerts = createFileTail(options.alertsPath);
  const clients = new Set<ServerResponse>();
  const onError = options.onError ?? ((error) => console.warn('[dashboard]', error));
  const fixFirst = createFixFirstPanel();
  let current: DashboardSummary = aggregator.summary();
  let html = renderPanels(current, fixFirst.render());
  let reading: Promise<boolean> | undefined;

  function parse<T>(line: string): T | undefined {
    try {
      return JSON.parse(line) as T;
    } catch {
      return undefined;
    }
  }

  async function readNew(): Promise<boolean> {
    let changed = false;
    for (const line of await events.read()) {
      const event = parse<TouchpointEvent>(line);
      if (event && typeof event.messageId === 'string' && aggregator.add(event)) changed = true;
      if (event && typeof event.messageId === 'string' && fixFirst.add(event)) changed = true;
    }
    for (const line of await alerts.read()) {
      const alert = parse<AlertRecord>(line);
      if (alert && typeof alert.messageId === 'string') {
        aggregator.addAlert(alert);
        changed = true;
      }
    }
    if (changed) {
      current = aggregator.summary();
      html = renderPanels(current, fixFirst.render());
      const message = `event: panels\ndata: ${JSON.stringify({ html })}\n\n`;
      for (const res of clients) res.write(message);
    }
    return changed;
  }

  function refresh(): Promise<boolean> {
    // One read at a time: two overlapping reads would hand the same bytes out twice.
    reading ??= readNew().finally(() => {
      reading = undefined;
    });
    return reading;
  }

  const timer = setInterval(() => {
    refresh().catch(onError);
  }, options.intervalMs ?? 1000);
  timer.unref();
  const heartbeat = setInterval(() => {
    for (const res of clients) res.write(': keep-alive\n\n');
  }, 15_000);
  heartbeat.unref();

  function send(res: ServerResponse, type: string, body: string): void {
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(body);
  }

  return {
    handle(req, res, path) {
      if (path !== '/dashboard' && !path.startsWith('/dashboard/')) return false;
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET' }).end();
        return true;
      }
      const respond = (fn: () => void) =>
        refresh()
          .catch(onError)
          .then(fn, () => res.writeHead(500).end());
      switch (path) {
        case '/dashboard':
        case '/dashboard/':
          void respond(() => send(res, 'text/html; charset=utf-8', dashboardDocument(html)));
          return true;
        case '/dashboard/panels':
          void respond(() => send(res, 'text/html; charset=utf-8', html));
          return true;
        case '/dashboard/summary.json':
          void respond(() => send(res, 'application/json; charset=utf-8', JSON.stringify(current)));
          return true;
        case '/dashboard/stream':
          res.writeHead(200, {
            'content-type': 'text/event-stream; charset=utf-8',
            'cache-control': 'no-store',
            connection: 'keep-alive',
          });
          res.write(`retry: 2000\nevent: panels\ndata: ${JSON.stringify({ html })}\n\n`);
          clients.add(res);
          req.on('close', () => clients.delete(res));
          return true;
        default:
          res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found');
          return true;
      }
    },
    refresh,
    summary: () => current,
    close() {
      clearInterval(timer);
      clearInterval(heartbeat);
      for (const res of clients) res.end();
      clients.clear();
    },
  };
}
