/**
 * The widget's styles. They are applied as a constructable stylesheet (`adoptedStyleSheets`),
 * which a strict Content-Security-Policy allows, unlike `<style>` tags or `style` attributes;
 * a `<style>` element is only the fallback for browsers without constructable stylesheets.
 */
export const PROMPT_CSS = `
:host{all:initial}
.box{position:fixed;right:16px;bottom:16px;z-index:2147483000;max-width:min(460px,calc(100vw - 32px));box-sizing:border-box;padding:16px 20px;border-radius:12px;background:#fff;color:#1a1a1a;font:15px/1.4 system-ui,sans-serif;box-shadow:0 8px 32px rgba(0,0,0,.2)}
h2{margin:0 28px 12px 0;font-size:16px;font-weight:600}
.scores{display:flex;flex-wrap:wrap;gap:4px}
.score{min-width:32px;height:36px;padding:0 4px;border:1px solid #888;border-radius:6px;background:#fff;color:inherit;font:inherit;cursor:pointer}
.score[aria-checked=true]{background:#1a56db;border-color:#1a56db;color:#fff}
button:focus-visible,textarea:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
.legend{display:flex;justify-content:space-between;margin:4px 0 12px;font-size:12px;color:#555}
label{display:block;margin-bottom:4px;font-size:13px}
textarea{box-sizing:border-box;width:100%;min-height:56px;font:inherit;border:1px solid #888;border-radius:6px;padding:6px}
.send{margin-top:10px;padding:8px 16px;border:0;border-radius:6px;background:#1a56db;color:#fff;font:inherit;cursor:pointer}
.send:disabled{background:#9ca3af;cursor:not-allowed}
.close{position:absolute;top:8px;right:8px;width:32px;height:32px;border:0;background:none;font-size:20px;cursor:pointer;color:#444}
.thanks{margin:0}
fieldset{border:0;margin:0 0 10px;padding:0}
legend{padding:0;margin-bottom:6px;font-size:13px;font-weight:600}
.choices label{display:flex;align-items:center;gap:8px;margin:0 0 4px;font-size:15px}
input:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
`;

export function applyStyles(root: ShadowRoot, css: string): void {
  const doc = root.ownerDocument;
  try {
    const sheet = new (doc.defaultView as typeof globalThis).CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
    return;
  } catch {}
  const style = doc.createElement('style');
  style.textContent = css;
  root.append(style);
}
