/**
 * The CX dashboard as HTML: `renderPanels(summary)` draws every panel from a summary, and
 * `dashboardDocument()` wraps them in a page that replaces the panels whenever the server pushes
 * a new rendering over Server-Sent Events (and falls back to polling if the stream drops).
 */
import type { DashboardSummary } from './aggregate.js';
import { barChart, esc, stageChart } from './charts.js';

const SHORT: Record<string, string> = {
  'product.viewed': 'view',
  'cart.item_added': 'cart',
  'cart.item_removed': 'cart −',
  'checkout.started': 'checkout',
  'payment.submitted': 'payment',
  'order.completed': 'order',
  'offer.shown': 'offer',
  'offer.accepted': 'offer ✓',
  'offer.dismissed': 'offer ✗',
  'support.contacted': 'support',
  'feedback.nps': 'NPS',
  'feedback.csat': 'CSAT',
};

const DROP_LABEL: Record<string, string> = {
  arrived: 'before any product',
  'product.viewed': 'after a product view',
  'cart.item_added': 'after a cart add',
  'checkout.started': 'during checkout',
};

function time(iso: string): string {
  return esc(iso.slice(11, 19));
}

function money(value: number): string {
  return `€${value.toFixed(2)}`;
}

function panel(id: string, title: string, body: string, wide = false): string {
  return `<section class="panel${wide ? ' wide' : ''}" id="${id}"><h2>${esc(title)}</h2>${body}</section>`;
}

function kpis(s: DashboardSummary): string {
  const item = (label: string, value: string, id: string) =>
    `<div class="kpi"><span class="kpi-value" id="${id}">${esc(value)}</span><span class="kpi-label">${esc(label)}</span></div>`;
  const nps = s.scores.find((r) => r.kind === 'nps' && r.touchpoint === 'order.completed');
  return `<div class="kpis">${[
    item('touchpoints', String(s.totals.events), 'kpi-events'),
    item('sessions', String(s.totals.sessions), 'kpi-sessions'),
    item('orders', String(s.totals.orders), 'kpi-orders'),
    item('revenue', money(s.totals.revenue), 'kpi-revenue'),
    item('NPS after order', nps ? String(nps.score) : '–', 'kpi-nps'),
  ].join('')}</div>`;
}

function funnel(s: DashboardSummary): string {
  const first = s.funnel[0]?.sessions ?? 0;
  const rows = s.funnel.map((f) => ({
    label: f.label,
    value: f.sessions,
    note: `${f.sessions}${first > 0 ? ` · ${Math.round((100 * f.sessions) / first)}%` : ''}`,
    colour: '#2f7d4f',
  }));
  return barChart(rows, { label: 'Funnel from product view to order' });
}

function scores(s: DashboardSummary): string {
  if (s.scores.length === 0) return '<p class="empty">No NPS or CSAT answers yet.</p>';
  const rows = s.scores
    .map((r) => {
      const breakdown =
        r.kind === 'nps'
          ? `${r.promoters} promoters · ${r.passives} passives · ${r.detractors} detractors`
          : `mean ${r.mean} / 5`;
      const tone =
        r.kind === 'nps' ? (r.score < 0 ? 'bad' : r.score >= 30 ? 'good' : '') : r.score < 60 ? 'bad' : 'good';
      return `<tr data-kind="${r.kind}" data-touchpoint="${esc(r.touchpoint)}"><td>${r.kind.toUpperCase()}</td><td><code>${esc(r.touchpoint)}</code></td><td class="num score ${tone}">${r.score}${r.kind === 'csat' ? '%' : ''}</td><td class="num">${r.responses}</td><td class="muted">${esc(breakdown)}</td></tr>`;
    })
    .join('');
  return `<table><thead><tr><th>Kind</th><th>Touchpoint</th><th class="num">Score</th><th class="num">Answers</th><th></th></tr></thead><tbody>${rows}</tbody></table>`;
}

function journeys(s: DashboardSummary): string {
  const list =
    s.journeys.length === 0
      ? '<p class="empty">No sessions yet.</p>'
      : `<ol class="journeys">${s.journeys
          .map(
            (j) =>
              `<li><span class="count">${j.sessions}×</span> ${j.path
                .map(
                  (p) =>
                    `<span class="step${p === 'order.completed' ? ' done' : ''}" title="${esc(p)}">${esc(SHORT[p] ?? p)}</span>`,
                )
                .join('<span class="arrow">→</span>')}${j.ordered ? '' : ' <span class="drop">left</span>'}</li>`,
          )
          .join('')}</ol>`;
  const drops = s.dropOff.map((d) => ({ label: DROP_LABEL[d.after] ?? d.after, value: d.sessions, colour: '#e07a5f' }));
  return `${list}<h3>Sessions without an order left…</h3>${barChart(drops, { label: 'Where sessions drop off' })}`;
}

function alerts(s: DashboardSummary): string {
  if (s.alerts.length === 0) return '<p class="empty">No negative feedback. 🎉</p>';
  return `<ul class="alerts">${s.alerts
    .map(
      (a) =>
        `<li class="alert"><strong>${esc(a.kind.toUpperCase())} ${a.score ?? ''}</strong> on <code>${esc(a.touchpoint ?? 'no touchpoint')}</code> → ${esc(a.owner ?? 'unowned')} <span class="muted">${time(a.at)} · ${esc(a.customer.slice(0, 8))}</span>${a.comment ? `<blockquote>${esc(a.comment)}</blockquote>` : ''}<div class="muted">before: ${esc(a.recent.join(' → ') || '—')}</div></li>`,
    )
    .join('')}</ul>`;
}

function offers(s: DashboardSummary): string {
  const rows = (['upsell', 'replenishment', 'recovery'] as const).flatMap((kind) => {
    const o = s.offers[kind];
    const rate = o.shown > 0 ? ` · ${Math.round((100 * o.accepted) / o.shown)}%` : '';
    return [
      { label: `${kind} shown`, value: o.shown, colour: '#9b5de5' },
      { label: `${kind} accepted`, value: o.accepted, note: `${o.accepted}${rate}`, colour: '#2f7d4f' },
    ];
  });
  return barChart(rows, { label: 'Offers shown and accepted' });
}

function recent(s: DashboardSummary): string {
  const orders =
    s.orders.length === 0
      ? '<p class="empty">No orders yet.</p>'
      : `<ul class="orders">${s.orders.map((o) => `<li class="order"><code>${esc(o.orderId)}</code> ${money(o.total)} <span class="muted">${time(o.at)}</span></li>`).join('')}</ul>`;
  const unhappy =
    s.unhappy.length === 0
      ? '<p class="empty">No detractors.</p>'
      : `<ul class="unhappy">${s.unhappy.map((u) => `<li class="detractor">${esc(u.kind.toUpperCase())} <strong>${u.score}</strong>${u.comment ? ` “${esc(u.comment)}”` : ''} <span class="muted">${time(u.at)}</span></li>`).join('')}</ul>`;
  return `<h3>Orders</h3>${orders}<h3>Detractors</h3>${unhappy}`;
}

/**
 * Every panel of the dashboard for one summary.
 *
 * @example
 * res.end(dashboardDocument(renderPanels(aggregator.summary())));
 */
export function renderPanels(s: DashboardSummary, fixFirst?: string): string {
  return [
    kpis(s),
    `<div class="panels">`,
    panel('stages', 'Touchpoints per journey stage', stageChart(s.stages.buckets, s.stages.bucketMs, 1100, 240), true),
    panel('funnel', 'Funnel: product view → order', funnel(s)),
    panel('offers', 'Upsell and replenishment offers: shown vs accepted', offers(s)),
    panel('scores', 'NPS and CSAT per touchpoint', scores(s)),
    panel('recent', 'Latest orders and detractors', recent(s)),
    panel('journeys', 'Most frequent journeys', journeys(s)),
    panel('alerts', 'Negative-feedback alerts', alerts(s)),
    fixFirst === undefined ? '' : panel('fix-first', 'What to fix first', fixFirst, true),
    `</div>`,
  ].join('');
}

const CSS = `
:root{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1f2a24;background:#f3f5f4}
body{margin:0}header{display:flex;justify-content:space-between;align-items:center;padding:.8rem 1.5rem;background:#1f2a24;color:#fff}
header h1{font-size:1.2rem;margin:0}header a{color:#cde8d6}.live{font-size:.85rem;color:#9fd8b2}.live.off{color:#f2b705}
main{padding:1rem 1.5rem}.kpis{display:grid;grid-template-columns:repeat(5,1fr);gap:.8rem;margin-bottom:1rem}
.kpi{background:#fff;border-radius:.6rem;padding:.8rem 1rem;display:flex;flex-direction:column;border:1px solid #dfe6e1}
.kpi-value{font-size:1.6rem;font-weight:700}.kpi-label{color:#5d6b63;font-size:.85rem}
.panels{display:grid;grid-template-columns:repeat(auto-fill,minmax(440px,1fr));gap:1rem}
.panel{background:#fff;border:1px solid #dfe6e1;border-radius:.6rem;padding:.8rem 1rem}.panel.wide{grid-column:1/-1}
.panel h2{font-size:1rem;margin:0 0 .6rem}.panel h3{font-size:.9rem;margin:.8rem 0 .3rem;color:#5d6b63}
.chart{width:100%;height:auto;display:block}.chart .grid{stroke:#e6ebe8}.chart .axis,.chart .legend,.chart .value{font-size:11px;fill:#5d6b63}
.chart .label{font-size:12px;fill:#1f2a24}.chart .track{fill:#f0f3f1}.chart .empty,.empty{fill:#56645c;color:#56645c;font-size:13px}
table{width:100%;border-collapse:collapse;font-size:.9rem}th,td{text-align:left;padding:.35rem .4rem;border-bottom:1px solid #eef1ef}
.num{text-align:right}.score{font-weight:700}.score.bad{color:#c0392b}.score.good{color:#2f7d4f}.muted{color:#56645c;font-size:.85rem}
ol.journeys{padding-left:1.2rem;margin:0}ol.journeys li{margin:.3rem 0}.count{font-weight:700;margin-right:.3rem}
.step{display:inline-block;background:#eaf1fb;border-radius:1rem;padding:0 .5rem;font-size:.85rem}.step.done{background:#dff0e4}
.arrow{color:#56645c;margin:0 .2rem}.drop{color:#c0392b;font-size:.8rem}
ul.alerts,ul.orders,ul.unhappy{list-style:none;padding:0;margin:0}li.alert{border-left:4px solid #c0392b;background:#fdf1ef;padding:.5rem .7rem;margin-bottom:.5rem;border-radius:.3rem}
blockquote{margin:.3rem 0;font-style:italic}li.order,li.detractor{padding:.2rem 0}
`;

const SCRIPT = `
const panels = document.getElementById('panels');
const live = document.getElementById('live');
function show(html) { panels.innerHTML = html; live.textContent = 'live · updated ' + new Date().toLocaleTimeString(); live.className = 'live'; }
function poll() { fetch('/dashboard/panels').then((r) => r.text()).then(show).catch(() => {}); }
if ('EventSource' in window) {
  const source = new EventSource('/dashboard/stream');
  source.addEventListener('panels', (e) => show(JSON.parse(e.data).html));
  source.onerror = () => { live.textContent = 'reconnecting…'; live.className = 'live off'; };
} else {
  setInterval(poll, 2000);
}
`;

/** The whole dashboard page around pre-rendered panels. */
export function dashboardDocument(panelsHtml: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Touchpoint · live CX dashboard</title><style>${CSS}</style></head>
<body><header><h1>Touchpoint · live CX dashboard</h1><span><span class="live" id="live">live</span> · <a href="/">open the shop</a></span></header>
<main id="panels">${panelsHtml}</main>
<script type="module">${SCRIPT}</script></body></html>`;
}
