/**
 * Shared set-up for unit tests: a tracker pointed at a real loopback ingest, with a manual clock
 * and its own storage name, so tests never share queues or ids.
 */
import type { TouchpointDefinitions } from '@touchpoint/core';
import { createManualClock, type ManualClock } from '@touchpoint/core/testing';
import { createTracker } from '../../src/tracker.js';
import type { Tracker, TrackerConfig, TrackerEvents } from '../../src/types.js';
import type { IngestServer } from './ingest-server.js';

let counter = 0;

export interface Harness<C extends TouchpointDefinitions | undefined = undefined> {
  tp: Tracker<C>;
  clock: ManualClock;
  seen: { [K in keyof TrackerEvents]: TrackerEvents[K][] };
}

export function uniqueName(): string {
  return `t${Date.now().toString(36)}${counter++}`;
}

export function makeTracker<C extends TouchpointDefinitions | undefined = undefined>(
  server: IngestServer,
  config: Partial<TrackerConfig<C>> = {},
  clock: ManualClock = createManualClock(Date.parse('2026-11-22T10:00:00Z')),
): Harness<C> {
  const tp = createTracker<C>({
    endpoint: server.endpoint,
    writeKey: 'pk_test',
    autoCapture: false,
    name: uniqueName(),
    clock,
    ...config,
  } as TrackerConfig<C>);
  const seen = { event: [], error: [], delivered: [], dropped: [], consent: [] } as unknown as Harness<C>['seen'];
  for (const type of Object.keys(seen) as (keyof TrackerEvents)[])
    tp.on(type, (v: any) => (seen[type] as any[]).push(v));
  return { tp, clock, seen };
}
