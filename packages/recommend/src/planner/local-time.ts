/**
 * The customer's wall-clock time, from `Intl.DateTimeFormat` with an IANA zone, so quiet hours
 * mean "21:00 where the customer is", daylight-saving shifts included, with no time-zone data
 * shipped in the bundle.
 */

/** Formatters are costly to build; a planner keeps one per zone it has seen. */
export type FormatterCache = Map<string, Intl.DateTimeFormat | null>;

function formatter(cache: FormatterCache, zone: string): Intl.DateTimeFormat | null {
  let f = cache.get(zone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    } catch {
      f = null; // an unknown zone: the caller falls back to the policy's zone
    }
    cache.set(zone, f);
  }
  return f;
}

/**
 * Minutes since local midnight (0-1439) at `epochMs` in `zone`, or `undefined` for a zone `Intl`
 * does not know.
 *
 * @example
 * localMinutes(Date.parse('2026-11-22T23:30:00Z'), 'Europe/Berlin', new Map()); // 30 (00:30 next day)
 */
export function localMinutes(epochMs: number, zone: string, cache: FormatterCache): number | undefined {
  const f = formatter(cache, zone);
  if (!f) return undefined;
  let hour = 0;
  let minute = 0;
  for (const part of f.formatToParts(epochMs)) {
    if (part.type === 'hour') hour = Number(part.value) % 24;
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return hour * 60 + minute;
}

/**
 * If `epochMs` falls in the quiet window [start, end) (minutes since local midnight; start > end
 * spans midnight), the minutes left until it ends; otherwise 0.
 */
export function minutesUntilQuietEnds(local: number, window: { start: number; end: number }): number {
  const { start, end } = window;
  if (start === end) return 0;
  const inside = start < end ? local >= start && local < end : local >= start || local < end;
  if (!inside) return 0;
  return (end - local + 1440) % 1440;
}
