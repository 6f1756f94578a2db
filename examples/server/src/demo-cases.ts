/**
 * The demo's cases across channels: the help page's form opens a case on the web, `POST
 * /api/cases/play` (or `scripts/play-contacts.mjs`) plays a hotline call and a Facebook message
 * from the same customer by phone number — both join the web case as repeat contacts — and a
 * short demo promise ("technician visit" within a minute) goes overdue so its alert fires.
 * `/cases` shows the panels: open cases, overdue promises, repeat contacts, handling time,
 * conversion per state, the latest alerts and any customer's whole story.
 *
 * The embedded store opens on first use (Postgres in WebAssembly takes a few seconds to start),
 * in `<dataDir>/cases`, so the demo's cases survive a restart.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Destination, ServerTrack } from '@touchpoint/node';
import {
  type CaseAlert,
  type CaseBook,
  casesDestination,
  createCaseBook,
  createIdentityGraph,
  openEmbeddedStore,
  type SqlStore,
} from '@touchpoint/node/cases';

export interface DemoCasesOptions {
  dataDir: string;
  log: (line: string) => void;
  /** The forwarder's `track`: played contacts travel the same road as a real integration's. */
  track: (input: ServerTrack) => unknown;
  /** How long the demo's promise has before it is overdue (default 60 s). */
  promiseMs?: number;
  /** How often promises are checked (default 5 s). */
  checkEveryMs?: number;
}

export interface DemoCases {
  destination: Destination;
  /** Serves `/cases` and `/api/cases/*`; `false` for other paths. */
  handle(req: IncomingMessage, res: ServerResponse, path: string): boolean;
  close(): Promise<void>;
}

const esc = (s: unknown) =>
  String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
const minutes = (ms: number | null) => (ms === null ? '—' : `${(ms / 60_000).toFixed(1)} min`);
export const DEMO_PHONE = '0912 345 678';

export function startDemoCases(options: DemoCasesOptions): DemoCases {
  const { log } = options;
  const alerts: (CaseAlert & { at: string })[] = [];
  let opened: Promise<{ store: SqlStore; book: CaseBook; stop: () => void }> | undefined;
  let played = 0;

  function open() {
    opened ??= (async () => {
      const store = await openEmbeddedStore({ dataDir: join(options.dataDir, 'cases') });
      const graph = createIdentityGraph(store, { defaultCountryCode: '84' });
      const book = createCaseBook(graph, {
        escalateAfterMs: 2 * 60_000,
        notify: (alert) => {
          alerts.unshift({ ...alert, at: new Date().toISOString() });
          alerts.length = Math.min(alerts.length, 20);
          log(`⚠ case ${alert.caseId}: ${alert.kind.replace('_', ' ')}${alert.owner ? ` → ${alert.owner}` : ''}`);
        },
        onError: (e) => log(`cases: ${String(e)}`),
      });
      const watch = book.watchPromises({ everyMs: options.checkEveryMs ?? 5000 });
      log('cases: embedded store ready');
      return { store, book, stop: () => watch.stop() };
    })();
    return opened;
  }

  const inner = {
    current: undefined as Destination | undefined,
  };
  const destination: Destination = {
    name: 'cases',
    async send(events) {
      const { book } = await open();
      inner.current ??= casesDestination(book, { onReject: (_e, err) => log(`cases: refused ${err.message}`) });
      await inner.current.send(events);
    },
  };

  function play(phone: string) {
    const n = ++played;
    const now = Date.now();
    const desk = { anonymousId: 'demo-care-desk' };
    options.track({
      ...desk,
      event: 'case.opened',
      properties: {
        caseId: `CALL-${n}`,
        channel: 'hotline',
        text: 'Called about my order',
        identities: [{ phone }, { channel: 'hotline', id: `caller-${n}` }],
      },
    });
    options.track({
      ...desk,
      event: 'case.message',
      properties: { caseId: `CALL-${n}`, direction: 'out', agent: 'lan', text: 'A technician will come' },
    });
    options.track({
      ...desk,
      event: 'case.promised',
      properties: {
        caseId: `CALL-${n}`,
        what: 'technician visit',
        owner: 'lan',
        dueAt: now + (options.promiseMs ?? 60_000),
      },
    });
    options.track({
      ...desk,
      event: 'case.state',
      properties: { caseId: `CALL-${n}`, state: 'wants_advice', agent: 'lan', team: 'care' },
    });
    options.track({
      ...desk,
      event: 'case.opened',
      properties: {
        caseId: `FB-${n}`,
        channel: 'facebook',
        text: 'Nobody came. Third time I explain this!',
        identities: [{ channel: 'facebook', id: `psid-demo-${n}` }, { phone }],
      },
    });
    return { hotline: `CALL-${n}`, facebook: `FB-${n}` };
  }

  async function page(): Promise<string> {
    const { book } = await open();
    const d = await book.dashboard();
    const states = Object.entries(d.conversion.byState)
      .map(
        ([s, c]) =>
          `<tr><td>${esc(s)}</td><td>${c.conversations}</td><td>${c.converted}</td><td>${(c.rate * 100).toFixed(0)}%</td></tr>`,
      )
      .join('');
    const story = await book.history({ phone: DEMO_PHONE });
    const timeline = (story?.timeline ?? [])
      .filter((e) => e.caseId !== null)
      .map(
        (e) =>
          `<li><time>${esc(new Date(e.at).toLocaleTimeString('en-GB'))}</time> <b>${esc(e.kind)}</b> ${esc(e.channel ?? '')} ${esc(e.data.text ?? e.data.what ?? e.data.state ?? '')}</li>`,
      )
      .join('');
    const alertList = alerts
      .map(
        (a) => `<li>${esc(a.at.slice(11, 19))} ${esc(a.kind)} on ${esc(a.caseId)} → ${esc(a.owner ?? 'unowned')}</li>`,
      )
      .join('');
    const panel = (title: string, value: string | number) =>
      `<section class="panel"><h2>${esc(title)}</h2><p class="big">${esc(value)}</p></section>`;
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<title>Cases — Touchpoint demo</title>
<style>body{font:15px system-ui,sans-serif;margin:2rem;color:#1a1a1a}.panels{display:flex;gap:1rem;flex-wrap:wrap}
.panel{border:1px solid #ccc;border-radius:8px;padding:.5rem 1rem;min-width:10rem}.big{font-size:2rem;margin:.2rem 0}
table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:.2rem .6rem;text-align:left}</style></head><body>
<h1>Cases across channels</h1>
<div class="panels">${panel('Open cases', d.openCases)}${panel('Overdue promises', d.overduePromises)}${panel('Repeat contacts', d.repeatContacts)}${panel('Median first reply', minutes(d.medianFirstReplyMs))}${panel('Median time to resolve', minutes(d.medianResolveMs))}</div>
<h2>Conversion per conversation state (7 days)</h2>
<table><thead><tr><th>state</th><th>conversations</th><th>ordered</th><th>rate</th></tr></thead><tbody>${states || '<tr><td colspan="4">No states yet</td></tr>'}</tbody></table>
<h2>Alerts</h2><ul id="case-alerts">${alertList || '<li>None yet</li>'}</ul>
<h2>The story of ${esc(DEMO_PHONE)}</h2>
<form method="post" action="/api/cases/play"><button>Play a hotline call and a Facebook message from ${esc(DEMO_PHONE)}</button></form>
<ol id="case-story">${timeline || '<li>Open a case on the shop’s help page with this phone number, then play the calls.</li>'}</ol>
</body></html>`;
  }

  function json(res: ServerResponse, status: number, body: unknown) {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  return {
    destination,
    handle(req, res, path) {
      if (path === '/cases') {
        page().then(
          (html) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html),
          (e: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(e)),
        );
        return true;
      }
      if (path === '/api/cases/play' && req.method === 'POST') {
        const phone = new URL(req.url ?? '/', 'http://localhost').searchParams.get('phone') ?? DEMO_PHONE;
        const ids = play(phone);
        log(`cases: played a hotline call (${ids.hotline}) and a Facebook message (${ids.facebook}) from ${phone}`);
        if ((req.headers.accept ?? '').includes('text/html')) res.writeHead(303, { location: '/cases' }).end();
        else json(res, 202, ids);
        return true;
      }
      if (path === '/api/cases/history') {
        const phone = new URL(req.url ?? '/', 'http://localhost').searchParams.get('phone') ?? DEMO_PHONE;
        open()
          .then(({ book }) => book.history({ phone }))
          .then(
            (story) => json(res, story ? 200 : 404, story ?? { error: `no customer with phone ${phone}` }),
            (e: unknown) => json(res, 400, { error: String(e instanceof Error ? e.message : e) }),
          );
        return true;
      }
      return false;
    },
    async close() {
      if (!opened) return;
      const { store, stop } = await opened;
      stop();
      await store.close();
    },
  };
}
