/**
 * Consent decisions as `consent.updated` touchpoints: the server keeps them as proof of what the
 * customer granted or refused, when, under which policy version. Loaded lazily by the tracker,
 * only on pages where a decision is made, so the first load does not pay for it.
 *
 * The last decision recorded is kept in localStorage (`tp:<namespace>:cst`, forgotten by
 * `reset()` with the ids), so a banner's saved choice passed again on every page load is sent
 * once; the server also sees the decided consent on every event's `context.consent`. The record
 * is written just before the touchpoint is queued: a page that closes before this module loads
 * records the decision on its next load instead.
 */
import type { ConsentState, JsonObject } from '@touchpoint/core';
import { CONSENT_TOUCHPOINT, gpcSignal } from './consent.js';
import type { KeyValue } from './environment.js';
import type { ConsentUpdatedProperties, TrackerConfig } from './types.js';

export interface ConsentRecordOptions {
  kv_: KeyValue;
  namespace_: string;
  /** The tracker's `track`: the touchpoint goes through its consent check and durable queue. */
  record_: (name: string, properties: JsonObject) => unknown;
  config_: TrackerConfig<any>;
}

/**
 * Records `decided` unless it is what this browser last recorded. `source` is `'api'` for a
 * `setConsent()` call; without it, the decision is the one the tracker was created with.
 */
export function recordConsent(
  { kv_: kv, namespace_: namespace, record_: record, config_: config }: ConsentRecordOptions,
  decided: ConsentState,
  source?: 'api',
): void {
  // At creation: Global Privacy Control turned marketing off, unless the shop's own decision already had.
  const byGpc =
    !source &&
    !!config.respectGlobalPrivacyControl &&
    gpcSignal() &&
    ((config.consent as ConsentState | undefined)?.marketing ?? true);
  const properties: Omit<ConsentUpdatedProperties, 'source'> = {
    analytics: decided.analytics,
    personalization: decided.personalization,
    marketing: decided.marketing,
    gpc: gpcSignal(),
  };
  if (config.policyVersion) properties.policyVersion = config.policyVersion;
  const text = JSON.stringify(properties);
  const key = `tp:${namespace}:cst`;
  if (kv.get(key) === text) return;
  kv.set(key, text);
  const full: ConsentUpdatedProperties = { ...properties, source: source ?? (byGpc ? 'gpc' : 'config') };
  record(CONSENT_TOUCHPOINT, full as unknown as JsonObject);
}
