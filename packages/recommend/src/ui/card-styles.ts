/**
 * The card's stylesheet, applied inside its shadow root so the shop's CSS and the card's never
 * meet. Delivered as a constructed stylesheet (`adoptedStyleSheets`), which a strict
 * `style-src` CSP allows, or as a `<style nonce>` where constructed sheets are unsupported.
 * Nothing here runs at import time.
 */

export const CARD_CSS = `
:host { all: initial; position: fixed; inset: auto 1rem 1rem auto; z-index: 2147483000; max-width: min(22rem, calc(100vw - 2rem)); font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color-scheme: light dark; }
[role="dialog"] { display: block; box-sizing: border-box; padding: 1rem 1.125rem; border-radius: 12px; background: Canvas; color: CanvasText; border: 1px solid color-mix(in srgb, CanvasText 18%, transparent); box-shadow: 0 10px 30px rgb(0 0 0 / 0.18); }
[role="dialog"]:focus { outline: none; }
[role="dialog"]:focus-visible { outline: 3px solid Highlight; outline-offset: 2px; }
.eyebrow { margin: 0 0 0.25rem; font-size: 0.8125rem; opacity: 0.75; }
h2 { margin: 0 0 0.375rem; font-size: 1.0625rem; line-height: 1.3; }
p { margin: 0 0 0.5rem; }
.price { font-weight: 600; }
.code { font-family: ui-monospace, monospace; }
.actions { display: flex; gap: 0.5rem; flex-wrap: wrap; margin-top: 0.75rem; }
button { font: inherit; min-height: 44px; padding: 0.5rem 1rem; border-radius: 8px; cursor: pointer; border: 1px solid ButtonBorder; background: ButtonFace; color: ButtonText; }
button.primary { background: #1d4ed8; color: #fff; border-color: #1d4ed8; } /* 6.7:1 (WCAG AA); the system AccentColor is #0075ff in Chromium: 4.2:1 with white */
button:focus-visible { outline: 3px solid Highlight; outline-offset: 2px; }
@media (prefers-reduced-motion: no-preference) { [role="dialog"] { animation: tp-in 160ms ease-out; } }
@keyframes tp-in { from { opacity: 0; transform: translateY(8px); } to { opacity: 1; transform: none; } }
`;

type AdoptingRoot = ShadowRoot & { adoptedStyleSheets?: CSSStyleSheet[] };

/**
 * Styles `root`: a constructed sheet when the browser supports it, else a `<style>` carrying
 * `nonce` (needed when the page's CSP lists a nonce in `style-src`).
 */
export function applyCardStyles(root: ShadowRoot, doc: Document, nonce?: string): 'adopted' | 'style-element' {
  const view = doc.defaultView as (Window & { CSSStyleSheet?: typeof CSSStyleSheet }) | null;
  const Sheet = view?.CSSStyleSheet;
  const adopting = root as AdoptingRoot;
  if (Sheet && Array.isArray(adopting.adoptedStyleSheets) && typeof Sheet.prototype.replaceSync === 'function') {
    try {
      const sheet = new Sheet();
      sheet.replaceSync(CARD_CSS);
      adopting.adoptedStyleSheets = [...adopting.adoptedStyleSheets, sheet];
      return 'adopted';
    } catch {
      // Constructable stylesheets exist but refuse (older engines): fall back to <style>.
    }
  }
  const style = doc.createElement('style');
  if (nonce) style.nonce = nonce;
  style.textContent = CARD_CSS;
  root.appendChild(style);
  return 'style-element';
}
