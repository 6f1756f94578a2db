/**
 * `@touchpoint/browser/widget` — a small feedback prompt (NPS, CSAT, CES, star rating, a choice
 * among reasons, free text; optionally a choice of what the feedback is about) that records the
 * answer through a tracker. It lives in a shadow root so the shop's CSS cannot break
 * it; it is usable with a keyboard alone and with a screen reader (a labelled dialog, a radio
 * group with arrow keys, Escape closes, focus returns where it was); it works under a strict
 * Content-Security-Policy (no inline scripts, no eval, no style attributes); and it does not ask
 * the same person again within `askAgainAfterDays`.
 */
import type { FeedbackInput, JsonObject } from '@touchpoint/core';
import { getWindow, localKeyValue } from '../environment.js';
import type { TrackResult } from '../types.js';
import { type PromptKind, type PromptStrings, stringsFor } from './strings.js';
import { applyStyles, PROMPT_CSS } from './styles.js';

export type { PromptKind, PromptStrings } from './strings.js';
export { STRINGS } from './strings.js';

/** Anything with the tracker's `feedback` method (typed structurally). */
export interface FeedbackRecorder {
  feedback(input: FeedbackInput & { properties?: JsonObject }): TrackResult;
}

/** An answer of a `single`/`multiple` prompt, or a topic: `id` is what is recorded. */
export interface PromptOption {
  id: string;
  label: string;
}

export interface FeedbackPromptOptions {
  /** A score (`nps`, `csat`, `ces`, `rating`), a choice among `options` (`single`, `multiple`), or words (`text`). */
  kind: PromptKind | 'single' | 'multiple' | 'text';
  /** Default: a standard question for the scored kinds, in the locale (required for the others). */
  question?: string;
  /** The answers of a `single` or `multiple` prompt; recorded as `text` feedback tagged with the chosen ids. */
  options?: readonly PromptOption[];
  /** Let the customer say what the feedback is about; the chosen `id` becomes the feedback's touchpoint. */
  topics?: readonly PromptOption[];
  /** Recorded with the feedback, e.g. `{ survey: 'after-order', orderId }`. */
  properties?: JsonObject;
  /** The touchpoint the feedback is about, e.g. `order.completed`. */
  touchpoint?: string;
  /** Wait this long before showing. Default 0. */
  delayMs?: number;
  /** `en` (default) or `vi`; `vi-VN` works too. */
  locale?: string;
  /** Do not ask again within this many days of the last time it was shown. Default 90. */
  askAgainAfterDays?: number;
  /** For `rating`: number of stars (default 5). */
  scale?: number;
  /** Offer a free-text comment. Default true. */
  comment?: boolean;
  /** Override any string. */
  strings?: Partial<Omit<PromptStrings, 'question' | 'low' | 'high'>> & { low?: string; high?: string };
  /** Where the prompt is attached. Default `document.body`. */
  container?: HTMLElement;
}

/** Every kind a prompt can ask. */
export type FeedbackPromptKind = FeedbackPromptOptions['kind'];

/** An answer: a score for the scored kinds (`nps`, `csat`, `ces`, `rating`), chosen ids for a choice. */
export type FeedbackAnswer<K extends FeedbackPromptKind = FeedbackPromptKind> = {
  status: 'answered';
  comment?: string;
  /** The topic chosen, when `topics` were offered. */
  topic?: string;
  result: TrackResult;
} & (K extends PromptKind
  ? { score: number }
  : { /** For `single`/`multiple`: the chosen option ids. */ choices?: string[] });

export type FeedbackPromptResult<K extends FeedbackPromptKind = FeedbackPromptKind> =
  | FeedbackAnswer<K>
  | { status: 'dismissed' }
  | { status: 'skipped'; reason: 'recently_asked' | 'unavailable' };

export interface FeedbackPrompt<K extends FeedbackPromptKind = FeedbackPromptKind> {
  /** Settles once the prompt is answered, dismissed or skipped. */
  readonly result: Promise<FeedbackPromptResult<K>>;
  /** Closes it now (counts as dismissed when unanswered). */
  close(): void;
}

const DAY_MS = 86_400_000;
const RANGES: Record<Exclude<PromptKind, 'rating'>, [number, number]> = { nps: [0, 10], csat: [1, 5], ces: [1, 7] };

/**
 * Shows a feedback prompt and records the answer with `tracker.feedback()`. Never throws.
 *
 * @example
 * const prompt = showFeedbackPrompt(tp, { kind: 'nps', touchpoint: 'order.completed', delayMs: 3000, locale: 'vi' });
 * const outcome = await prompt.result; // { status: 'answered', score: 9, … }
 */
export function showFeedbackPrompt<K extends FeedbackPromptKind>(
  tracker: FeedbackRecorder | null | undefined,
  options: FeedbackPromptOptions & { kind: K },
): FeedbackPrompt<K> {
  let settle!: (result: FeedbackPromptResult) => void;
  const result = new Promise<FeedbackPromptResult>((resolve) => {
    settle = resolve;
  }) as Promise<FeedbackPromptResult<K>>;
  const w = getWindow();
  if (!w || !tracker) {
    settle({ status: 'skipped', reason: 'unavailable' });
    return { result, close() {} };
  }
  const kv = localKeyValue();
  const askedKey = `tp:feedback:asked:${options.touchpoint ?? options.kind}`;
  const lastAsked = Number(kv.get(askedKey));
  if (lastAsked && Date.now() - lastAsked < (options.askAgainAfterDays ?? 90) * DAY_MS) {
    settle({ status: 'skipped', reason: 'recently_asked' });
    return { result, close() {} };
  }

  let host: HTMLElement | undefined;
  let closed = false;
  let closeTimer: ReturnType<typeof setTimeout> | undefined;
  const returnFocus = w.document.activeElement as HTMLElement | null;

  function close(outcome: FeedbackPromptResult = { status: 'dismissed' }): void {
    if (closed) return;
    closed = true;
    clearTimeout(showTimer);
    clearTimeout(closeTimer);
    const hadFocus = host?.isConnected === true && host.shadowRoot?.activeElement != null;
    host?.remove();
    if (hadFocus && returnFocus?.isConnected) returnFocus.focus();
    settle(outcome);
  }

  const showTimer = setTimeout(() => {
    try {
      host = render(w, options, tracker, close);
      kv.set(askedKey, String(Date.now()));
    } catch {
      close({ status: 'skipped', reason: 'unavailable' });
    }
  }, options.delayMs ?? 0);

  return {
    result,
    close: () => close(),
  };

  function render(
    win: Window,
    opts: FeedbackPromptOptions,
    recorder: FeedbackRecorder,
    done: (outcome?: FeedbackPromptResult) => void,
  ): HTMLElement {
    const doc = win.document;
    const t = stringsFor(opts.locale);
    const kind = opts.kind;
    const scored = kind !== 'single' && kind !== 'multiple' && kind !== 'text';
    const s = { ...t, low: scored ? t.low[kind] : '', high: scored ? t.high[kind] : '', ...opts.strings };
    const el = <K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string) => {
      const node = doc.createElement(tag);
      for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
      if (text !== undefined) node.textContent = text;
      return node;
    };
    /** A native radio or check box group (arrow keys move between radios by themselves). */
    const choices = (name: string, type: 'radio' | 'checkbox', items: readonly PromptOption[], legend?: string) => {
      const set = el('fieldset', { class: 'choices' });
      if (legend) set.append(el('legend', {}, legend));
      else set.setAttribute('aria-labelledby', 'tp-q');
      const inputs = items.map((item) => {
        const input = el('input', { type, name, value: item.id });
        const label = el('label');
        label.append(input, item.label);
        set.append(label);
        return input;
      });
      return { set, inputs };
    };

    const outer = el('div', { 'data-touchpoint': 'feedback-prompt' });
    const root = outer.attachShadow({ mode: 'open' });
    applyStyles(root, PROMPT_CSS);
    const box = el('section', { class: 'box', role: 'dialog', 'aria-modal': 'false', 'aria-labelledby': 'tp-q' });
    const closeButton = el('button', { class: 'close', type: 'button', 'aria-label': s.close }, '×');
    const heading = el('h2', { id: 'tp-q' }, opts.question ?? (scored ? t.question[kind] : s.dialog));
    const send = el('button', { class: 'send', type: 'button', disabled: '' }, s.send);
    let score: number | undefined;
    let comment: HTMLTextAreaElement | undefined;
    const ready = () => {
      const picked = options
        ? options.inputs.some((i) => i.checked)
        : kind === 'text'
          ? !!comment?.value.trim()
          : score !== undefined;
      send.disabled = !picked;
    };
    box.append(closeButton, heading);
    const topics = opts.topics?.length ? choices('tp-t', 'radio', opts.topics, s.topic) : undefined;
    if (topics) box.append(topics.set);
    const options = opts.options?.length
      ? choices('tp-o', kind === 'multiple' ? 'checkbox' : 'radio', opts.options)
      : undefined;
    const radios: HTMLButtonElement[] = [];
    if (options) {
      box.append(options.set);
      options.set.addEventListener('change', ready);
    } else if (scored) {
      const [min, max] = kind === 'rating' ? [1, opts.scale ?? 5] : RANGES[kind];
      const group = el('div', { class: 'scores', role: 'radiogroup', 'aria-labelledby': 'tp-q' });
      const select = (index: number, focus: boolean) => {
        radios.forEach((radio, i) => {
          radio.setAttribute('aria-checked', String(i === index));
          radio.tabIndex = i === index ? 0 : -1;
        });
        score = min + index;
        ready();
        if (focus) radios[index]!.focus();
      };
      for (let value = min; value <= max; value++) {
        const radio = el(
          'button',
          {
            class: 'score',
            type: 'button',
            role: 'radio',
            'aria-checked': 'false',
            'aria-label': s.scoreLabel.replace('{score}', String(value)).replace('{max}', String(max)),
            tabindex: value === min ? '0' : '-1',
          },
          kind === 'rating' ? `${value}★` : String(value),
        ) as HTMLButtonElement;
        radio.addEventListener('click', () => select(value - min, false));
        radios.push(radio);
      }
      group.append(...radios);
      group.addEventListener('keydown', (e) => {
        const current = radios.indexOf(root.activeElement as HTMLButtonElement);
        const moves: Record<string, number> = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
        let next: number | undefined;
        if (e.key in moves) next = (current + moves[e.key]! + radios.length) % radios.length;
        else if (e.key === 'Home') next = 0;
        else if (e.key === 'End') next = radios.length - 1;
        else if (e.key === ' ' || e.key === 'Enter') next = current;
        if (next === undefined || current < 0) return;
        e.preventDefault();
        select(next, true);
      });
      const legend = el('div', { class: 'legend', 'aria-hidden': 'true' });
      legend.append(el('span', {}, s.low), el('span', {}, s.high));
      box.append(group, legend);
    }
    if (opts.comment !== false || kind === 'text') {
      comment = el('textarea', { id: 'tp-c', maxlength: '4000' });
      if (kind === 'text') comment.addEventListener('input', ready);
      box.append(el('label', { for: 'tp-c' }, kind === 'text' ? s.answer : s.comment), comment);
    }
    box.append(send);

    let answered: FeedbackPromptResult | undefined;
    send.addEventListener('click', () => {
      const text = comment?.value.trim() || undefined;
      const picked = options?.inputs.filter((i) => i.checked).map((i) => i.value);
      const topic = topics?.inputs.find((i) => i.checked)?.value;
      const touchpoint = topic ?? opts.touchpoint;
      if (send.disabled) return;
      const labels = picked?.map((id) => opts.options!.find((o) => o.id === id)!.label);
      const recorded = recorder.feedback({
        ...(scored
          ? {
              kind,
              score: score!,
              ...(kind === 'rating' ? { scale: radios.length } : {}),
              ...(text ? { comment: text } : {}),
            }
          : { kind: 'text', comment: text ?? labels!.join('; '), ...(picked ? { tags: picked } : {}) }),
        ...(touchpoint ? { touchpoint } : {}),
        ...(opts.properties ? { properties: opts.properties } : {}),
      });
      const thanks = el('p', { class: 'thanks', role: 'status', tabindex: '-1' }, s.thanks);
      box.replaceChildren(closeButton, thanks);
      thanks.focus();
      const outcome: FeedbackPromptResult = {
        status: 'answered',
        result: recorded,
        ...(score !== undefined ? { score } : {}),
        ...(text ? { comment: text } : {}),
        ...(picked ? { choices: picked } : {}),
        ...(topic ? { topic } : {}),
      };
      closeTimer = setTimeout(() => done(outcome), 4000);
      answered = outcome;
    });
    closeButton.addEventListener('click', () => done(answered));
    box.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        done(answered);
      }
    });

    root.append(box);
    (opts.container ?? doc.body).append(outer);
    (topics?.inputs[0] ?? options?.inputs[0] ?? radios[0] ?? comment)?.focus();
    return outer;
  }
}
