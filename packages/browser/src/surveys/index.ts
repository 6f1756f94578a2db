/**
 * `@touchpoint/browser/surveys` — the right question at the right moment in the storefront:
 * surveys triggered by a touchpoint the page records (a removed cart item → "why?") or by an
 * event only the server sees (an order delivered → CSAT on the next page view, delivered in the
 * ingest's answer), a feedback tab on every page, sticky sampling, one cap across surveys, and
 * never a survey while an upsell offer is on screen or on the payment step (unless the survey
 * is made for it).
 *
 * Loaded when the shop imports it (best with `import()` after the tracker starts); the prompt
 * itself (`@touchpoint/browser/widget`) is fetched only when a survey or the tab opens. Never
 * throws into the page.
 */
import type { JsonObject, TouchpointEvent } from '@touchpoint/core';
import { getWindow, localKeyValue } from '../environment.js';
import type { TrackResult } from '../types.js';
import type { FeedbackPromptResult, FeedbackRecorder, PromptOption } from '../widget/index.js';
import { applyStyles } from '../widget/styles.js';
import { inSurveySample } from './sampling.js';
import { readPrompts } from './server-prompts.js';
import { tabStringsFor } from './strings.js';

export { inSurveySample, surveyHash } from './sampling.js';
export { TAB_STRINGS } from './strings.js';

/** Text per locale; English and Vietnamese at least (what `@touchpoint/node/surveys` checks). */
export type SurveyText = { en: string; vi?: string } & { [locale: string]: string | undefined };

/**
 * A survey as the page needs it: a definition from `defineSurveys` (`@touchpoint/node/surveys`)
 * fits as it is, and so does a prompt from the ingest's answer (which names its `survey`).
 */
export interface BrowserSurvey {
  kind: 'nps' | 'csat' | 'ces' | 'rating' | 'single' | 'multiple' | 'text';
  question: SurveyText;
  options?: readonly { id: string; label: SurveyText }[];
  scale?: number;
  comment?: boolean;
  about?: string;
  trigger?: { touchpoint: string } | { serverEvent: string };
  /** Only signed-in customers, only some languages (`vi` covers `vi-VN`). */
  audience?: { identified?: boolean; locales?: readonly string[] };
  sample?: number;
  paymentStep?: boolean;
  followUp?: boolean;
}

/** A server-sent prompt: a survey and its id, with properties for the answer (e.g. `{ orderId }`). */
export type SurveyPrompt = BrowserSurvey & { survey: string; properties?: JsonObject };

/** What `startSurveys` needs from a tracker (typed structurally: any `createTracker()` result). */
export interface SurveyTracker extends FeedbackRecorder {
  track(name: string, properties?: JsonObject): TrackResult;
  on(type: 'event', fn: (event: TouchpointEvent) => void): () => void;
  /** Delivery notices: they carry the prompts of the ingest's answer (`createIngestHandler({ prompts })`). */
  on(type: 'delivered', fn: (notice: { prompts?: unknown[] | undefined }) => void): () => void;
  getIds(): { anonymousId: string; userId?: string };
}

export interface StartSurveysOptions {
  /** The shop's surveys (from `defineSurveys`); those with a `touchpoint` trigger start here. */
  surveys?: Record<string, BrowserSurvey>;
  /** Default: the page's `<html lang>`, else English. */
  locale?: string;
  /** One survey per customer per this many days, across all surveys (default 30; 0 = no cap). */
  capDays?: number;
  /** Wait this long after the trigger before showing (default 800 ms). */
  delayMs?: number;
  /** A feedback tab on every page (default true); `topics` are what the feedback can be about. */
  feedbackTab?: boolean | { label?: string; question?: string; topics?: readonly PromptOption[] };
  /** Default: a path segment `payment` or `pay`. */
  isPaymentStep?: () => boolean;
  /** Default: an offer card of `@touchpoint/recommend/ui` is on the page. */
  isOfferOnScreen?: () => boolean;
}

export type SurveyOutcome =
  | FeedbackPromptResult
  | { status: 'deferred'; reason: 'offer_on_screen' | 'payment_step' }
  | { status: 'skipped'; reason: 'audience' | 'not_sampled' | 'capped' | 'unknown_survey' | 'busy' | 'unavailable' };

export interface Surveys {
  /** Shows a survey now (by id, or a server-sent prompt), unless sampling, the cap or the page says no. */
  show(survey: string | SurveyPrompt, properties?: JsonObject): Promise<SurveyOutcome>;
  /** Opens the feedback tab's prompt. */
  openFeedback(): Promise<SurveyOutcome>;
  /** Removes the tab and stops listening. */
  stop(): void;
}

const DAY_MS = 86_400_000;
const PENDING_KEY = 'tp:surveys:pending';
const loadWidget = () => import('../widget/index.js');

function localize(text: SurveyText, locale: string): string {
  return text[locale] ?? text[locale.toLowerCase().split(/[-_]/)[0]!] ?? text.en;
}

/**
 * Starts the page's surveys and the feedback tab.
 *
 * @example
 * const tp = createTracker({ endpoint: '/api/touchpoints', writeKey: 'pk_live_shop' });
 * const { startSurveys } = await import('@touchpoint/browser/surveys');
 * const surveys = startSurveys(tp, { surveys: shopSurveys, locale: 'vi' });
 */
export function startSurveys(tracker: SurveyTracker, options: StartSurveysOptions = {}): Surveys {
  const w = getWindow();
  if (!w || !tracker) {
    const unavailable = async (): Promise<SurveyOutcome> => ({ status: 'skipped', reason: 'unavailable' });
    return { show: unavailable, openFeedback: unavailable, stop() {} };
  }
  const doc = w.document;
  const locale = options.locale ?? (doc.documentElement.lang || 'en');
  const surveys = options.surveys ?? {};
  const kv = localKeyValue();
  const capMs = (options.capDays ?? 30) * DAY_MS;
  const isPaymentStep = options.isPaymentStep ?? (() => /(^|\/)(payment|pay)(\/|$)/i.test(w.location.pathname));
  const isOfferOnScreen = options.isOfferOnScreen ?? (() => doc.querySelector('[data-touchpoint-offer]') !== null);
  const customer = () => {
    const ids = tracker.getIds();
    return ids.userId ?? ids.anonymousId;
  };
  const lastKey = () => `tp:surveys:last:${customer()}`;
  let open = false;
  let stopped = false;

  async function prompt(
    settings: Parameters<Awaited<ReturnType<typeof loadWidget>>['showFeedbackPrompt']>[1],
    returnTo?: HTMLElement,
  ): Promise<SurveyOutcome> {
    if (open) return { status: 'skipped', reason: 'busy' };
    open = true;
    try {
      const { showFeedbackPrompt } = await loadWidget();
      const outcome = await showFeedbackPrompt(tracker, { askAgainAfterDays: 0, locale, ...settings }).result;
      // The tab's button lives in a shadow root the widget cannot see: give focus back to it.
      if (returnTo?.isConnected && (doc.activeElement === doc.body || doc.activeElement === tab)) returnTo.focus();
      return outcome;
    } catch {
      return { status: 'skipped', reason: 'unavailable' };
    } finally {
      open = false;
    }
  }

  async function show(which: string | SurveyPrompt, properties?: JsonObject): Promise<SurveyOutcome> {
    const id = typeof which === 'string' ? which : which.survey;
    const def = typeof which === 'string' ? (Object.hasOwn(surveys, which) ? surveys[which] : undefined) : which;
    if (!def || stopped) return { status: 'skipped', reason: 'unknown_survey' };
    const fromServer = typeof which !== 'string';
    const audience = def.audience;
    const lang = locale.toLowerCase();
    if (
      (audience?.identified && !tracker.getIds().userId) ||
      (audience?.locales &&
        !audience.locales.some((l) => lang === l.toLowerCase() || lang.startsWith(`${l.toLowerCase()}-`)))
    ) {
      return { status: 'skipped', reason: 'audience' };
    }
    // Server prompts were sampled and capped by the server already.
    if (!fromServer) {
      if (!inSurveySample(id, customer(), def.sample ?? 1)) return { status: 'skipped', reason: 'not_sampled' };
      const last = Number(kv.get(lastKey()));
      if (capMs > 0 && last && Date.now() - last < capMs) return { status: 'skipped', reason: 'capped' };
    }
    const extra = { ...(fromServer ? which.properties : {}), ...properties };
    const reason = isOfferOnScreen()
      ? 'offer_on_screen'
      : isPaymentStep() && !def.paymentStep
        ? 'payment_step'
        : undefined;
    if (reason) {
      // Shown on a later page view instead (this tab's session only).
      const pending = readPending().filter((p) => p.survey !== id);
      pending.push({ ...def, survey: id, properties: extra });
      writePending(pending);
      return { status: 'deferred', reason };
    }
    if (open) return { status: 'skipped', reason: 'busy' };
    kv.set(lastKey(), String(Date.now()));
    tracker.track('survey.shown', { survey: id });
    const about =
      def.about ?? (def.trigger && 'touchpoint' in def.trigger ? def.trigger.touchpoint : def.trigger?.serverEvent);
    const props: JsonObject = { survey: id, ...(def.followUp ? { followUp: true } : {}), ...extra };
    return prompt({
      kind: def.kind,
      question: localize(def.question, locale),
      ...(def.options ? { options: def.options.map((o) => ({ id: o.id, label: localize(o.label, locale) })) } : {}),
      ...(def.scale ? { scale: def.scale } : {}),
      ...(def.comment === false ? { comment: false } : {}),
      ...(about ? { touchpoint: about } : {}),
      properties: props,
      delayMs: options.delayMs ?? 800,
    });
  }

  function readPending(): SurveyPrompt[] {
    try {
      return JSON.parse(w!.sessionStorage.getItem(PENDING_KEY) ?? '[]');
    } catch {
      return [];
    }
  }
  function writePending(list: SurveyPrompt[]): void {
    try {
      if (list.length) w!.sessionStorage.setItem(PENDING_KEY, JSON.stringify(list));
      else w!.sessionStorage.removeItem(PENDING_KEY);
    } catch {}
  }
  function showPending(): void {
    if (stopped) return;
    const [next, ...rest] = readPending();
    if (!next) return;
    writePending(rest);
    void show(next);
  }

  const byTouchpoint = new Map<string, string>();
  for (const id of Object.keys(surveys)) {
    const trigger = surveys[id]!.trigger;
    if (trigger && 'touchpoint' in trigger) byTouchpoint.set(trigger.touchpoint, id);
  }
  const unsubscribe = tracker.on('event', (event) => {
    if (event.type === 'page') setTimeout(showPending, 0);
    if (event.type !== 'track') return;
    const id = byTouchpoint.get(event.event);
    // Later, not inside the shop's track() call.
    if (id) setTimeout(() => void show(id), 0);
  });
  // Surveys the server queued (an order delivered), delivered with the ingest's answer.
  const unsubscribePrompts = tracker.on('delivered', (notice) => {
    const [first] = readPrompts(notice.prompts);
    if (first) setTimeout(() => void show(first), 0);
  });
  setTimeout(showPending, 0);

  const tabOptions = typeof options.feedbackTab === 'object' ? options.feedbackTab : {};
  const words = tabStringsFor(locale);
  let tab: HTMLElement | undefined;
  const openFeedback = (returnTo?: HTMLElement) =>
    prompt(
      {
        kind: 'rating',
        question: tabOptions.question ?? words.question,
        topics: tabOptions.topics ?? words.topics,
        touchpoint: 'site.feedback',
        properties: { survey: 'feedback-tab' },
      },
      returnTo,
    );
  if (options.feedbackTab !== false) {
    try {
      tab = doc.createElement('div');
      tab.setAttribute('data-touchpoint', 'feedback-tab');
      const root = tab.attachShadow({ mode: 'open' });
      const button = doc.createElement('button');
      button.type = 'button';
      button.textContent = tabOptions.label ?? words.tab;
      button.addEventListener('click', () => void openFeedback(button));
      applyStyles(root, TAB_CSS);
      root.append(button);
      doc.body.append(tab);
    } catch {}
  }

  return {
    show,
    openFeedback: () => openFeedback(),
    stop() {
      stopped = true;
      unsubscribe();
      unsubscribePrompts();
      tab?.remove();
    },
  };
}

const TAB_CSS =
  ':host{all:initial}button{position:fixed;left:0;top:50%;z-index:2147482999;transform:translateY(-50%);padding:10px 8px;border:0;border-radius:0 8px 8px 0;background:#1a56db;color:#fff;font:600 14px/1.2 system-ui,sans-serif;writing-mode:vertical-rl;cursor:pointer}button:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}';
