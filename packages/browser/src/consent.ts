/**
 * Consent rules. `analytics` gates what describes behaviour (track, page, identify, alias);
 * feedback is the customer's own explicit answer and needs only a decision, not analytics
 * consent; `personalization` is read by the recommendations helper through `getConsent()`.
 * With Global Privacy Control respected, `marketing` is always off for browsers that send it.
 * A `consent.updated` touchpoint records a decision itself, so it is sent whatever the decision:
 * a refusal must be provable too.
 */
import type { ConsentState, TouchpointEvent } from '@touchpoint/core';

/** The touchpoint that records a consent decision (its properties: `ConsentUpdatedProperties`). */
export const CONSENT_TOUCHPOINT = 'consent.updated';

/** `true` when the browser sends Global Privacy Control. */
export const gpcSignal = (): boolean =>
  !!(globalThis.navigator as { globalPrivacyControl?: boolean } | undefined)?.globalPrivacyControl;

/** Every category granted, or every category refused. */
const every = (granted: boolean): ConsentState => ({
  analytics: granted,
  personalization: granted,
  marketing: granted,
});

/** Consent after a change: `'pending'` stays pending, GPC turns marketing off when respected. */
export function decideConsent(
  current: ConsentState | 'pending' | undefined,
  change: Partial<ConsentState> | 'pending' | undefined,
  respectGpc: boolean,
): ConsentState | 'pending' {
  if (change === 'pending') return 'pending';
  const next = { ...(current === 'pending' ? every(false) : (current ?? every(true))), ...change };
  if (respectGpc && gpcSignal()) next.marketing = false;
  return next;
}

/** `true` when consent allows sending this event. */
export const allowedBy = (consent: ConsentState, event: TouchpointEvent): boolean =>
  event.type === 'feedback' || consent.analytics || (event as { event?: string }).event === CONSENT_TOUCHPOINT;
