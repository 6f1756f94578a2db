/**
 * The tracker's defaults, in one place, and the single check of a configuration at creation.
 */
import { type Clock, systemClock, type TouchpointDefinitions } from '@touchpoint/core';
import type { AutoCaptureOptions, TrackerConfig } from './types.js';

export interface ResolvedConfig {
  endpoint: string;
  writeKey: string;
  catalog: TouchpointDefinitions | undefined;
  name: string | undefined;
  capture: Required<AutoCaptureOptions>;
  maxEvents: number;
  maxWaitMs: number;
  retry: { baseMs: number; maxMs: number };
  queueMaxEvents: number;
  queueMaxBytes: number;
  sessionTimeoutMs: number;
  memoryOnly: boolean;
  gpc: boolean;
  debug: boolean;
  clock: Clock;
}

/** Resolves defaults; returns a message naming the bad field instead of throwing. */
export function resolveConfig(config: TrackerConfig<any>): ResolvedConfig | string {
  if (!config || typeof config.endpoint !== 'string' || !config.endpoint) return 'endpoint must be a URL string';
  if (typeof config.writeKey !== 'string' || !config.writeKey) return 'writeKey must be a non-empty string';
  const auto = config.autoCapture;
  const on = (key: keyof AutoCaptureOptions) => auto !== false && (typeof auto !== 'object' || auto[key] !== false);
  return {
    endpoint: config.endpoint,
    writeKey: config.writeKey,
    catalog: config.touchpoints,
    name: config.name,
    capture: {
      pageviews: on('pageviews'),
      campaigns: on('campaigns'),
      webVitals: on('webVitals'),
      firstVisit: on('firstVisit'),
    },
    maxEvents: config.batch?.maxEvents ?? 20,
    maxWaitMs: config.batch?.maxWaitMs ?? 2000,
    retry: { baseMs: config.retry?.baseMs ?? 1000, maxMs: config.retry?.maxMs ?? 60_000 },
    queueMaxEvents: config.queue?.maxEvents ?? 1000,
    queueMaxBytes: config.queue?.maxBytes ?? 2_000_000,
    sessionTimeoutMs: (config.session?.timeoutMinutes ?? 30) * 60_000,
    memoryOnly: config.storage === 'memory',
    gpc: !!config.respectGlobalPrivacyControl,
    debug: !!config.debug,
    clock: config.clock ?? systemClock,
  };
}
