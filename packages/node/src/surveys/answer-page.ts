/**
 * The small answer page behind a survey link: plain HTML with a form (radio buttons, check boxes,
 * a comment), no script at all, one inline stylesheet allowed by its hash in a strict
 * Content-Security-Policy, in the customer's language (English or Vietnamese).
 */
import { createHash } from 'node:crypto';
import { localize, type SurveyDefinition } from './definitions.js';
import { surveyScale } from './survey-answer.js';

type Locale = 'en' | 'vi';

const WORDS = {
  en: {
    send: 'Send',
    comment: 'Anything you would like to add? (optional)',
    answer: 'Your answer',
    thanks: 'Thank you for your answer!',
    invalid: 'This survey link is not valid. Please use the link exactly as you received it.',
    expired: 'This survey link has expired. Thank you for wanting to answer.',
    used: 'This survey has already been answered. Thank you!',
    retry: 'We could not record your answer just now. Please try again in a minute.',
    low: 'lowest',
    high: 'highest',
    scoreLabel: '{score} out of {max}',
    title: 'Survey',
  },
  vi: {
    send: 'Gửi',
    comment: 'Bạn có muốn góp ý thêm không? (không bắt buộc)',
    answer: 'Câu trả lời của bạn',
    thanks: 'Cảm ơn bạn đã trả lời!',
    invalid: 'Liên kết khảo sát này không hợp lệ. Vui lòng dùng đúng liên kết bạn đã nhận.',
    expired: 'Liên kết khảo sát này đã hết hạn. Cảm ơn bạn đã muốn trả lời.',
    used: 'Khảo sát này đã được trả lời. Xin cảm ơn!',
    retry: 'Chúng tôi chưa ghi nhận được câu trả lời. Vui lòng thử lại sau một phút.',
    low: 'thấp nhất',
    high: 'cao nhất',
    scoreLabel: '{score} trên {max}',
    title: 'Khảo sát',
  },
} as const;

export type PageMessage = 'thanks' | 'invalid' | 'expired' | 'used' | 'retry';

const CSS =
  'body{font:16px/1.5 system-ui,sans-serif;color:#1a1a1a;background:#fff;max-width:36rem;margin:2rem auto;padding:0 1rem}' +
  'fieldset{border:0;padding:0;margin:0 0 1rem}legend{font-weight:600;font-size:1.15rem;margin-bottom:.75rem}' +
  '.scale{display:flex;flex-wrap:wrap;gap:.25rem}.scale label,.choice label{display:inline-flex;align-items:center;gap:.25rem;padding:.25rem .5rem;border:1px solid #6b7280;border-radius:6px}' +
  '.choice label{display:flex;margin-bottom:.25rem}textarea{width:100%;min-height:4rem;box-sizing:border-box;font:inherit}' +
  'button{margin-top:.75rem;padding:.5rem 1rem;border:0;border-radius:6px;background:#1a56db;color:#fff;font:inherit}' +
  ':focus-visible{outline:3px solid #b45309;outline-offset:2px}.error{color:#b91c1c}';

/** The page's Content-Security-Policy: nothing but this stylesheet and posting to itself. */
export const ANSWER_PAGE_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(CSS).digest('base64')}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`;

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(locale: Locale, title: string, body: string): string {
  return `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>${CSS}</style></head><body><main>${body}</main></body></html>`;
}

export function pickLocale(request: Request, fallback: string | undefined): Locale {
  const asked =
    new URL(request.url).searchParams.get('lang') ?? request.headers.get('accept-language') ?? fallback ?? 'en';
  return asked.toLowerCase().startsWith('vi') ? 'vi' : 'en';
}

/** A page with one message (thanks, invalid, expired, used, retry). */
export function messagePage(locale: Locale, message: PageMessage): string {
  const w = WORDS[locale];
  return page(locale, w.title, `<h1>${escapeHtml(w.title)}</h1><p role="status">${escapeHtml(w[message])}</p>`);
}

/** The form for one survey, posting to the same address. */
export function formPage(locale: Locale, def: SurveyDefinition, error?: string): string {
  const w = WORDS[locale];
  const question = localize(def.question, locale);
  let inputs = '';
  const scale = surveyScale(def);
  if (scale) {
    const [min, max] = scale;
    inputs += `<div class="scale">`;
    for (let v = min; v <= max; v++) {
      const label = w.scoreLabel.replace('{score}', String(v)).replace('{max}', String(max));
      inputs += `<label><input type="radio" name="score" value="${v}" required aria-label="${escapeHtml(label)}">${v}</label>`;
    }
    inputs += `</div><p>${min} = ${escapeHtml(w.low)}, ${max} = ${escapeHtml(w.high)}</p>`;
  } else if (def.options) {
    const type = def.kind === 'single' ? 'radio' : 'checkbox';
    inputs += '<div class="choice">';
    for (const option of def.options) {
      inputs += `<label><input type="${type}" name="choice" value="${escapeHtml(option.id)}"${type === 'radio' ? ' required' : ''}>${escapeHtml(localize(option.label, locale))}</label>`;
    }
    inputs += '</div>';
  }
  const body =
    `<h1>${escapeHtml(w.title)}</h1>` +
    (error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : '') +
    `<form method="post"><fieldset><legend>${escapeHtml(question)}</legend>${inputs}</fieldset>` +
    (def.kind === 'text'
      ? `<label for="c">${escapeHtml(w.answer)}</label><textarea id="c" name="comment" maxlength="4000" required></textarea>`
      : def.comment !== false
        ? `<label for="c">${escapeHtml(w.comment)}</label><textarea id="c" name="comment" maxlength="4000"></textarea>`
        : '') +
    `<button type="submit">${escapeHtml(w.send)}</button></form>`;
  return page(locale, `${w.title}: ${question}`, body);
}
