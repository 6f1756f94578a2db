/**
 * The consent banner. The shop's tracker starts with consent `pending` (events wait in memory)
 * until the customer chooses here; the choice is remembered in `localStorage` and handed to the
 * tracker on every later page load. "Accept all" is the prominent button — the demo flow grants —
 * but every category can be refused, and the footer link reopens the banner.
 */
import type { ConsentState } from '@touchpoint/core';
import { esc } from './html.js';

const KEY = 'demo-shop.consent';

/** The customer's stored choice, or `undefined` when they have not chosen yet. */
export function storedConsent(storage: Pick<Storage, 'getItem'>): ConsentState | undefined {
  try {
    const v = JSON.parse(storage.getItem(KEY) ?? 'null') as Partial<ConsentState> | null;
    if (v && typeof v.analytics === 'boolean' && typeof v.personalization === 'boolean') {
      return { analytics: v.analytics, personalization: v.personalization, marketing: v.marketing === true };
    }
  } catch {
    // Unreadable: ask again.
  }
  return undefined;
}

const CATEGORIES: [keyof ConsentState, string, string][] = [
  ['analytics', 'Analytics', 'Which pages and products you look at, so we can improve the shop.'],
  ['personalization', 'Personal suggestions', 'Offers for products that go with your basket.'],
  ['marketing', 'Marketing', 'Measuring our ads on other sites.'],
];

/**
 * Shows the banner and resolves with the customer's choice (also stored and passed to `apply`).
 *
 * @example
 * showConsentBanner(document, localStorage, storedConsent(localStorage), (c) => tp.setConsent(c));
 */
export function showConsentBanner(
  doc: Document,
  storage: Pick<Storage, 'setItem'>,
  current: ConsentState | undefined,
  apply: (consent: ConsentState) => void,
): Promise<ConsentState> {
  doc.getElementById('consent-banner')?.remove();
  const banner = doc.createElement('section');
  banner.id = 'consent-banner';
  banner.className = 'consent';
  banner.setAttribute('role', 'dialog');
  banner.setAttribute('aria-labelledby', 'consent-title');
  const checked = (k: keyof ConsentState) => (current ? current[k] : k !== 'marketing');
  banner.innerHTML = `<h2 id="consent-title">Your privacy</h2>
<p>We record how you use the shop to improve it and to suggest products that go with your basket. You choose what we may record.</p>
<div class="choices">${CATEGORIES.map(
    ([k, label, hint]) =>
      `<label class="inline" title="${esc(hint)}"><input type="checkbox" name="${k}"${checked(k) ? ' checked' : ''}> ${esc(label)}</label>`,
  ).join('')}</div>
<div class="buttons">
  <button type="button" class="button secondary" data-consent="necessary">Only necessary</button>
  <button type="button" class="button secondary" data-consent="save">Save choices</button>
  <button type="button" class="button" data-consent="all" id="consent-accept">Accept all</button>
</div>`;
  doc.body.append(banner);
  return new Promise((resolve) => {
    banner.addEventListener('click', (e) => {
      const choice = (e.target as HTMLElement).closest('[data-consent]')?.getAttribute('data-consent');
      if (!choice) return;
      const box = (k: keyof ConsentState) =>
        (banner.querySelector(`input[name="${k}"]`) as HTMLInputElement | null)?.checked === true;
      const consent: ConsentState =
        choice === 'all'
          ? { analytics: true, personalization: true, marketing: true }
          : choice === 'necessary'
            ? { analytics: false, personalization: false, marketing: false }
            : { analytics: box('analytics'), personalization: box('personalization'), marketing: box('marketing') };
      storage.setItem(KEY, JSON.stringify(consent));
      banner.remove();
      apply(consent);
      resolve(consent);
    });
  });
}
