/**
 * What the page tells us beyond its address: UTM campaign parameters, the referring site, and
 * single-page-app navigations (history API), so page views are recorded without the shop
 * wiring its router. Loaded with auto-capture, after the first load.
 */
import type { EventContext } from '@touchpoint/core';

const UTM = ['source', 'medium', 'name', 'term', 'content'] as const;

/** UTM parameters of the current address (`utm_campaign` becomes `name`), if any. */
export function campaignFrom(search: string): EventContext['campaign'] | undefined {
  const params = new URLSearchParams(search);
  const campaign: NonNullable<EventContext['campaign']> = {};
  let found = false;
  for (const key of UTM) {
    const value = params.get(`utm_${key === 'name' ? 'campaign' : key}`);
    if (value) {
      campaign[key] = value;
      found = true;
    }
  }
  return found ? campaign : undefined;
}

/** The referrer when it is another site (a visit's source), else `undefined`. */
export function externalReferrer(w: Window): string | undefined {
  try {
    const ref = w.document.referrer;
    return ref && new URL(ref).host !== w.location.host ? ref : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Calls `onNavigate` after every history navigation that changes the address (pushState,
 * replaceState to another path, back/forward). Returns a function that stops listening.
 * The history methods are wrapped, not replaced: other code that wrapped them keeps working,
 * and several trackers on one page each get their call.
 */
export function watchNavigation(w: Window, onNavigate: () => void): () => void {
  const { history } = w;
  let last = w.location.pathname + w.location.search;
  let active = true;
  const check = () => {
    const now = w.location.pathname + w.location.search;
    if (active && now !== last) {
      last = now;
      onNavigate();
    }
  };
  const wrap = (method: 'pushState' | 'replaceState') => {
    const original = history[method];
    history[method] = function (this: History, ...args: Parameters<History['pushState']>) {
      const result = original.apply(this, args);
      check();
      return result;
    };
  };
  wrap('pushState');
  wrap('replaceState');
  w.addEventListener('popstate', check);
  return () => {
    // Unwrapping could undo someone else's later wrapper; going quiet is safe.
    active = false;
    w.removeEventListener('popstate', check);
  };
}
