/**
 * Business hours in a shop's own time zone, for SLA clocks and promise due times: "within 16
 * business hours" from Friday afternoon lands on Tuesday, and a night or a weekend does not count
 * against the care team. Local times go through `Intl` (no time-zone database of our own), so a
 * DST change is handled the way the zone defines it: the day the clocks go forward is an hour
 * shorter, a 09:00 opening stays at 09:00 local time on both sides of the change.
 */
import { TouchpointConfigError } from '@touchpoint/core';

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

export interface BusinessHoursOptions {
  /** IANA zone, e.g. `Asia/Ho_Chi_Minh`, `Europe/Berlin`. */
  timeZone: string;
  /** Opening hours per weekday as `['HH:MM', 'HH:MM']` (`'24:00'` closes at midnight); missing days are closed. Default Mon–Fri 09:00–17:00. */
  week?: Partial<Record<Weekday, [string, string]>>;
  /** Closed dates, `YYYY-MM-DD` in the shop's zone. */
  holidays?: string[];
}

export interface BusinessHours {
  readonly timeZone: string;
  /** Business milliseconds between two instants (0 when `to <= from`). */
  elapsed(fromMs: number, toMs: number): number;
  /** The instant `ms` business milliseconds after `fromMs`. */
  add(fromMs: number, ms: number): number;
}

const DAYS: Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const DAY_MS = 86_400_000;
const MAX_DAYS = 3 * 366;

function minutes(hhmm: string, field: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  const value = m ? Number(m[1]) * 60 + Number(m[2]) : Number.NaN;
  if (!(value >= 0 && value <= 24 * 60) || (m && Number(m[2]) > 59))
    throw new TouchpointConfigError(field, `must be 'HH:MM' between 00:00 and 24:00, got ${JSON.stringify(hhmm)}`);
  return value;
}

/**
 * @example
 * const hours = createBusinessHours({ timeZone: 'Asia/Ho_Chi_Minh', week: { mon: ['08:00', '17:30'], sat: ['08:00', '12:00'] } });
 * const due = hours.add(Date.now(), 16 * 3_600_000); // "within 2 working days"
 */
export function createBusinessHours(options: BusinessHoursOptions): BusinessHours {
  const timeZone = options?.timeZone;
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    throw new TouchpointConfigError(
      'businessHours.timeZone',
      `must be an IANA time zone such as 'Europe/Berlin', got ${JSON.stringify(timeZone)}`,
    );
  }
  const week = options.week ?? {
    mon: ['09:00', '17:00'],
    tue: ['09:00', '17:00'],
    wed: ['09:00', '17:00'],
    thu: ['09:00', '17:00'],
    fri: ['09:00', '17:00'],
  };
  const open = DAYS.map((day) => {
    const span = week[day];
    if (!span) return undefined;
    const start = minutes(span[0], `businessHours.week.${day}[0]`);
    const end = minutes(span[1], `businessHours.week.${day}[1]`);
    if (end <= start) throw new TouchpointConfigError(`businessHours.week.${day}`, 'must close after it opens');
    return [start, end] as const;
  });
  const holidays = new Set(options.holidays ?? []);

  /** The zone's wall clock at `ms`, as if it were UTC. */
  function wall(ms: number): number {
    const p: Record<string, number> = {};
    for (const part of format.formatToParts(ms)) if (part.type !== 'literal') p[part.type] = Number(part.value);
    return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  }

  /** The instant the zone's wall clock shows `wallMs` (a skipped hour maps past the gap). */
  function instant(wallMs: number): number {
    let guess = wallMs - (wall(wallMs) - wallMs);
    guess = wallMs - (wall(guess) - guess);
    return guess;
  }

  /** The open spans of each local day from the one containing `fromMs`, as instants. */
  function* spans(fromMs: number): Generator<[number, number]> {
    const w = wall(fromMs);
    let day = w - (((w % DAY_MS) + DAY_MS) % DAY_MS);
    for (let i = 0; i < MAX_DAYS; i++, day += DAY_MS) {
      const d = new Date(day);
      const hours = open[d.getUTCDay()];
      if (!hours || holidays.has(d.toISOString().slice(0, 10))) continue;
      yield [instant(day + hours[0] * 60_000), instant(day + hours[1] * 60_000)];
    }
  }

  return {
    timeZone,
    elapsed(fromMs, toMs) {
      let total = 0;
      if (!(toMs > fromMs)) return 0;
      for (const [start, end] of spans(fromMs)) {
        if (start >= toMs) break;
        total += Math.max(0, Math.min(end, toMs) - Math.max(start, fromMs));
      }
      return total;
    },
    add(fromMs, ms) {
      let left = Math.max(0, ms);
      let last = fromMs;
      for (const [start, end] of spans(fromMs)) {
        const from = Math.max(start, fromMs);
        if (end <= from) continue;
        if (left <= end - from) return from + left;
        left -= end - from;
        last = end;
      }
      throw new TouchpointConfigError(
        'businessHours',
        `no ${ms} ms of business time within ${MAX_DAYS} days after ${new Date(last).toISOString()}`,
      );
    },
  };
}
