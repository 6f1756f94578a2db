/**
 * The default offer card: an accessible, CSP-safe, non-modal dialog in its own shadow root.
 *
 * - Screen readers: `role="dialog"` named by the title and described by what the offer adds;
 *   focus moves to it when it opens and back where it was when it closes.
 * - Keyboard: real buttons in a natural tab order; Escape dismisses.
 * - CSP: no inline scripts or style attributes, no `eval`; every text goes in with `textContent`,
 *   so a product title can never become markup.
 */
import type { Offer, OfferActions, Price, RenderedOffer } from '../planner/types.js';
import { applyCardStyles } from './card-styles.js';

export interface OfferCardLabels {
  /** Line above an upsell's title. Default `Goes well with your order`. */
  upsell?: string;
  /** Line above a recovery offer's title. Default `We are sorry about your experience`. */
  recovery?: string;
  /** Accept button when the offer has no `cta`. Default `Add to cart` / `Accept`. */
  accept?: string;
  /** Dismiss button. Default `No thanks`. */
  dismiss?: string;
  /** Before a recovery code. Default `Your code:`. */
  code?: string;
}

export interface OfferCardOptions {
  /** Where the card goes. Default `document.body`. */
  container?: Element;
  /** Nonce for the fallback `<style>` when the page's CSP requires one. */
  nonce?: string;
  /** For prices. Default: the document's language. */
  locale?: string;
  labels?: OfferCardLabels;
  /** Move focus to the card when it opens. Default `true`. */
  focus?: boolean;
}

export interface OfferCard extends RenderedOffer {
  /** The element holding the shadow root (`data-touchpoint-offer`). */
  readonly host: HTMLElement;
  /** The card's dialog element, inside the shadow root. */
  readonly dialog: HTMLElement;
}

let cardSeq = 0;

/** Formats a price for `locale`; falls back to the bare number for an unknown currency. */
export function formatPrice(price: Price, locale?: string): string {
  try {
    return price.currency
      ? new Intl.NumberFormat(locale, { style: 'currency', currency: price.currency }).format(price.value)
      : new Intl.NumberFormat(locale).format(price.value);
  } catch {
    return `${price.value}${price.currency ? ` ${price.currency}` : ''}`;
  }
}

function el<K extends keyof HTMLElementTagNameMap>(
  doc: Document,
  tag: K,
  text?: string,
  className?: string,
): HTMLElementTagNameMap[K] {
  const node = doc.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

/**
 * Shows `offer` as a card; the buttons and Escape call `actions`. Returns a handle whose
 * `close()` removes the card and returns focus (safe to call twice). Pass it as
 * `connectUpsell`'s `render`, or let `connectUpsell` load it by default.
 *
 * @example
 * import { renderOfferCard } from '@touchpoint/recommend/ui';
 * connectUpsell(tp, { planner, recommender, catalog, render: (offer, actions) => renderOfferCard(offer, actions, { nonce }) });
 */
export function renderOfferCard(offer: Offer, actions: OfferActions, options: OfferCardOptions = {}): OfferCard {
  const container = options.container ?? document.body;
  const doc = container.ownerDocument ?? document;
  const labels = options.labels ?? {};
  const locale = options.locale ?? (doc.documentElement.lang || undefined);
  const id = `tp-offer-${++cardSeq}`;

  const host = el(doc, 'div');
  host.setAttribute('data-touchpoint-offer', offer.kind);
  const root = host.attachShadow({ mode: 'open' });
  applyCardStyles(root, doc, options.nonce);

  const dialog = el(doc, 'section');
  dialog.setAttribute('role', 'dialog');
  dialog.setAttribute('aria-modal', 'false');
  dialog.setAttribute('aria-labelledby', `${id}-title`);
  dialog.setAttribute('aria-describedby', `${id}-adds`);
  dialog.tabIndex = -1;

  const recovery = offer.kind === 'recovery';
  dialog.append(
    el(
      doc,
      'p',
      recovery
        ? (labels.recovery ?? 'We are sorry about your experience')
        : (labels.upsell ?? 'Goes well with your order'),
      'eyebrow',
    ),
  );
  const title = el(doc, 'h2', offer.title);
  title.id = `${id}-title`;
  const adds = el(doc, 'p', offer.adds, 'adds');
  adds.id = `${id}-adds`;
  dialog.append(title, adds);
  if (offer.price) dialog.append(el(doc, 'p', formatPrice(offer.price, locale), 'price'));
  if (offer.code) {
    const code = el(doc, 'p', `${labels.code ?? 'Your code:'} `);
    code.append(el(doc, 'span', offer.code, 'code'));
    dialog.append(code);
  }

  const accept = el(doc, 'button', offer.cta ?? labels.accept ?? (recovery ? 'Accept' : 'Add to cart'), 'primary');
  accept.type = 'button';
  const dismiss = el(doc, 'button', labels.dismiss ?? 'No thanks');
  dismiss.type = 'button';
  const buttons = el(doc, 'div', undefined, 'actions');
  buttons.append(accept, dismiss);
  dialog.append(buttons);
  root.append(dialog);

  const previous = doc.activeElement as HTMLElement | null;
  let open = true;
  accept.addEventListener('click', () => actions.accept());
  dismiss.addEventListener('click', () => actions.dismiss());
  dialog.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' || event.key === 'Esc') {
      event.stopPropagation();
      actions.dismiss();
    }
  });

  container.append(host);
  if (options.focus ?? true) dialog.focus();

  return {
    host,
    dialog,
    close() {
      if (!open) return;
      open = false;
      const hadFocus = doc.activeElement === host || host.contains(doc.activeElement);
      host.remove();
      // Give focus back only if the card had it: never steal it from where the customer moved on.
      if (hadFocus && previous && previous !== doc.body && previous.isConnected) previous.focus();
    },
  };
}
