/**
 * Consent rules. `analytics` gates what describes behaviour (track, page, identify, alias);
 * feedback is the customer's own explicit answer and needs only a decision, not analytics
 * consent; `personalization` is read by the recommendations helper through `getConsent()`.
 * With Global Privacy Control respected, `marketing` is always off for browsers that send it.
 */
import type { ConsentState, TouchpointEvent } from '@touchpoint/core';

export const NO_CONSENT: ConsentState = { analytics: false, personalization: false, marketing: false };
const ALL_CONSENT: ConsentState = { analytics: true, personalization: true, marketing: true };

function globalPrivacyControl(): boolean {
  return (globalThis.navigator as { globalPrivacyControl?: boolean } | undefined)?.globalPrivacyControl === true;
}

/** Consent after a change: `'pending'` stays pending, GPC turns marketing off when respected. */
export function decideConsent(
  current: ConsentState | 'pending' | undefined,
  change: Partial<ConsentState> | 'pending' | undefined,
  respectGpc: boolean,
): ConsentState | 'pending' {
  if (change === 'pending') return 'pending';
  const base = current === undefined ? ALL_CONSENT : current === 'pending' ? NO_CONSENT : current;
  const next = { ...base, ...change };
  if (respectGpc && globalPrivacyControl()) next.marketing = false;
  return next;
}

/** `true` when consent allows sending this event. */
export function allowedBy(consent: ConsentState, event: TouchpointEvent): boolean {
  return event.type === 'feedback' || consent.analytics;
}
