/**
 * Small real collaborators for tests: a co-occurrence recommender over a handful of baskets and
 * a catalogue lookup, so planner and connect tests run against working code, not canned answers.
 */
import type { TouchpointEvent } from '@touchpoint/core';
import type { ItemDescription, OfferCatalog, RecommenderLike, UpsellCandidate } from '../src/planner/types.js';

export const BASKETS = [
  ['tent', 'tent-pegs', 'sleeping-bag'],
  ['tent', 'tent-pegs'],
  ['tent', 'sleeping-mat'],
  ['stove', 'gas-canister'],
  ['stove', 'gas-canister', 'pot'],
  ['sleeping-bag', 'sleeping-mat'],
];

/** Counts how often items share a basket; scores are those counts. Deterministic. */
export function basketRecommender(baskets: string[][] = BASKETS): RecommenderLike & { calls: number } {
  const pairs = new Map<string, Map<string, number>>();
  for (const basket of baskets) {
    for (const a of basket) {
      for (const b of basket) {
        if (a === b) continue;
        const row = pairs.get(a) ?? new Map<string, number>();
        row.set(b, (row.get(b) ?? 0) + 1);
        pairs.set(a, row);
      }
    }
  }
  const rec = {
    calls: 0,
    recommend({ items, exclude = [], k = 10 }: { items: string[]; exclude?: string[]; k?: number }): UpsellCandidate[] {
      rec.calls++;
      const scores = new Map<string, { score: number; because: string[] }>();
      for (const item of items) {
        for (const [other, n] of pairs.get(item) ?? []) {
          if (exclude.includes(other) || items.includes(other)) continue;
          const s = scores.get(other) ?? { score: 0, because: [] };
          s.score += n;
          s.because.push(item);
          scores.set(other, s);
        }
      }
      return [...scores]
        .map(([item, s]) => ({ item, score: s.score, because: s.because }))
        .sort((a, b) => b.score - a.score || a.item.localeCompare(b.item))
        .slice(0, k);
    },
  };
  return rec;
}

export const DESCRIPTIONS: Record<string, ItemDescription> = {
  'tent-pegs': {
    title: 'Steel tent pegs (12)',
    adds: 'Holds your tent down in wind and hard ground.',
    price: { value: 9.9, currency: 'EUR' },
  },
  'sleeping-bag': {
    title: 'Down sleeping bag',
    adds: 'Keeps you warm down to -5 °C.',
    price: { value: 149, currency: 'EUR' },
  },
  'sleeping-mat': {
    title: 'Insulated sleeping mat',
    adds: 'Stops the cold ground from reaching you.',
    price: { value: 59, currency: 'EUR' },
  },
  'gas-canister': {
    title: 'Gas canister 450 g',
    adds: 'Fuel for about 3 hours of cooking.',
    price: { value: 7.5, currency: 'EUR' },
  },
  pot: { title: 'Titanium pot', adds: 'Cook and eat from one light pot.', price: { value: 39, currency: 'EUR' } },
};

export function catalogOf(descriptions: Record<string, ItemDescription> = DESCRIPTIONS): OfferCatalog {
  return { describe: (item) => descriptions[item] };
}

let seq = 0;
/** A track event as the browser tracker would emit it. */
export function track(
  event: string,
  properties: Record<string, any> = {},
  at = 0,
  extra: Partial<TouchpointEvent> = {},
): TouchpointEvent {
  seq++;
  return {
    type: 'track',
    event,
    properties,
    messageId: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    timestamp: new Date(at).toISOString(),
    anonymousId: 'anon-1',
    sessionId: 's1',
    ...extra,
  } as TouchpointEvent;
}

export function page(at = 0, extra: Partial<TouchpointEvent> = {}): TouchpointEvent {
  seq++;
  return {
    type: 'page',
    messageId: `00000000-0000-4000-9000-${String(seq).padStart(12, '0')}`,
    timestamp: new Date(at).toISOString(),
    anonymousId: 'anon-1',
    sessionId: 's1',
    ...extra,
  } as TouchpointEvent;
}

export function feedback(
  kind: 'nps' | 'csat' | 'ces' | 'rating' | 'thumbs' | 'text',
  score: number | undefined,
  at = 0,
): TouchpointEvent {
  seq++;
  const f: Record<string, unknown> = { kind };
  if (score !== undefined) f.score = score;
  return {
    type: 'feedback',
    feedback: f,
    messageId: `00000000-0000-4000-a000-${String(seq).padStart(12, '0')}`,
    timestamp: new Date(at).toISOString(),
    anonymousId: 'anon-1',
    sessionId: 's1',
  } as unknown as TouchpointEvent;
}
