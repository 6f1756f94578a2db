import { afterEach, describe, expect, it } from 'vitest';
import type { Offer } from '../planner/types.js';
import { applyCardStyles, CARD_CSS } from './card-styles.js';
import { formatPrice, renderOfferCard } from './offer-card.js';

const offer: Offer = {
  id: 'upsell-tent-pegs-1',
  kind: 'upsell',
  item: 'tent-pegs',
  title: 'Steel tent pegs (12)',
  adds: 'Holds your tent down in wind and hard ground.',
  price: { value: 9.9, currency: 'EUR' },
  because: ['tent'],
  trigger: 'cart.item_added',
};

function actionsLog() {
  const log: string[] = [];
  return { log, actions: { accept: () => log.push('accept'), dismiss: () => log.push('dismiss') } };
}

afterEach(() => document.body.replaceChildren());

describe('renderOfferCard', () => {
  it('is a labelled, described, non-modal dialog in its own shadow root', () => {
    const { actions } = actionsLog();
    const card = renderOfferCard(offer, actions, { locale: 'en-US' });
    const root = card.host.shadowRoot!;
    const dialog = root.querySelector('[role="dialog"]')!;
    expect(dialog.getAttribute('aria-modal')).toBe('false');
    expect(root.getElementById(dialog.getAttribute('aria-labelledby')!)?.textContent).toBe('Steel tent pegs (12)');
    expect(root.getElementById(dialog.getAttribute('aria-describedby')!)?.textContent).toBe(
      'Holds your tent down in wind and hard ground.',
    );
    expect(root.querySelector('.price')?.textContent).toBe('€9.90');
    expect(document.body.contains(card.host)).toBe(true);
  });

  it('renders text as text: a title with markup stays a string', () => {
    const { actions } = actionsLog();
    const evil = '<img src=x onerror="globalThis.pwned=1">Pegs';
    const card = renderOfferCard(
      { ...offer, title: evil, adds: '<b>bold</b>', cta: '<script>alert(1)</script>' },
      actions,
    );
    const root = card.host.shadowRoot!;
    expect(root.querySelector('h2')?.textContent).toBe(evil);
    expect(root.querySelector('img, b, script')).toBeNull();
    expect(root.querySelector('button.primary')?.textContent).toBe('<script>alert(1)</script>');
    expect((globalThis as { pwned?: number }).pwned).toBeUndefined();
  });

  it('is keyboard-usable: focus moves to the card, real buttons in order, Escape dismisses, focus returns', () => {
    const before = document.createElement('button');
    before.textContent = 'Add tent';
    document.body.append(before);
    before.focus();
    const { log, actions } = actionsLog();
    const card = renderOfferCard(offer, actions);
    const root = card.host.shadowRoot!;
    expect(root.activeElement).toBe(card.dialog);
    const buttons = [...root.querySelectorAll('button')];
    expect(buttons.map((b) => [b.type, b.textContent])).toEqual([
      ['button', 'Add to cart'],
      ['button', 'No thanks'],
    ]);
    expect(buttons.every((b) => b.tabIndex >= 0)).toBe(true);
    buttons[0]!.click();
    buttons[1]!.click();
    buttons[1]!.focus();
    buttons[1]!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }));
    expect(log).toEqual(['accept', 'dismiss', 'dismiss']);
    card.close();
    card.close();
    expect(document.querySelector('[data-touchpoint-offer]')).toBeNull();
    expect(document.activeElement).toBe(before);
  });

  it('does not steal focus back when the customer has moved on', () => {
    const before = document.createElement('button');
    const elsewhere = document.createElement('input');
    document.body.append(before, elsewhere);
    before.focus();
    const card = renderOfferCard(offer, actionsLog().actions);
    elsewhere.focus();
    card.close();
    expect(document.activeElement).toBe(elsewhere);
  });

  it('can open without taking focus', () => {
    const input = document.createElement('input');
    document.body.append(input);
    input.focus();
    renderOfferCard(offer, actionsLog().actions, { focus: false });
    expect(document.activeElement).toBe(input);
  });

  it('shows a recovery offer with its code, and takes labels and a container', () => {
    const container = document.createElement('aside');
    document.body.append(container);
    const card = renderOfferCard(
      {
        id: 'r1',
        kind: 'recovery',
        item: 'refund-shipping',
        title: 'Shipping is on us',
        adds: 'We refunded your shipping fee.',
        code: 'SHIP-BACK',
        because: [],
        trigger: 'feedback',
      },
      actionsLog().actions,
      { container, labels: { recovery: 'Sorry!', dismiss: 'Close', code: 'Code:' } },
    );
    const root = card.host.shadowRoot!;
    expect(container.contains(card.host)).toBe(true);
    expect(card.host.getAttribute('data-touchpoint-offer')).toBe('recovery');
    expect(root.querySelector('.eyebrow')?.textContent).toBe('Sorry!');
    expect(root.querySelector('.code')?.textContent).toBe('SHIP-BACK');
    expect([...root.querySelectorAll('button')].map((b) => b.textContent)).toEqual(['Accept', 'Close']);
  });

  it('is CSP-safe: no style attributes, no scripts, styles from a constructed sheet', () => {
    const card = renderOfferCard(offer, actionsLog().actions);
    const root = card.host.shadowRoot! as ShadowRoot & { adoptedStyleSheets: CSSStyleSheet[] };
    expect(root.querySelectorAll('[style], script').length).toBe(0);
    expect(card.host.hasAttribute('style')).toBe(false);
    expect(root.adoptedStyleSheets).toHaveLength(1);
    expect(root.querySelector('style')).toBeNull();
  });
});

describe('applyCardStyles', () => {
  it('falls back to a <style> carrying the nonce where constructed sheets are unsupported', () => {
    const host = document.createElement('div');
    const root = host.attachShadow({ mode: 'open' });
    Object.defineProperty(root, 'adoptedStyleSheets', { value: undefined });
    expect(applyCardStyles(root, document, 'r4nd0m')).toBe('style-element');
    const style = root.querySelector('style')!;
    expect(style.nonce).toBe('r4nd0m');
    expect(style.textContent).toBe(CARD_CSS);
  });
});

describe('formatPrice', () => {
  it('formats by locale and survives an unknown currency', () => {
    expect(formatPrice({ value: 1234.5, currency: 'EUR' }, 'de-DE').replace(/\s/g, ' ')).toBe('1.234,50 €');
    expect(formatPrice({ value: 3, currency: 'NOPE!' }, 'en-US')).toBe('3 NOPE!');
    expect(formatPrice({ value: 3 }, 'en-US')).toBe('3');
  });
});
