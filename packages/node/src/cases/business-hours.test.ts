import { describe, expect, it } from 'vitest';
import { createBusinessHours } from './business-hours.js';

const H = 3_600_000;

describe('createBusinessHours', () => {
  it('counts a Friday-to-Monday span across the spring DST change in Berlin by local opening hours', () => {
    const hours = createBusinessHours({ timeZone: 'Europe/Berlin' }); // Mon–Fri 09:00–17:00
    // Fri 27 Mar 2026 16:00 CET (+1) … Mon 30 Mar 10:00 CEST (+2): one hour each side.
    const from = Date.parse('2026-03-27T15:00:00Z');
    const to = Date.parse('2026-03-30T08:00:00Z');
    expect(hours.elapsed(from, to)).toBe(2 * H);
    // Monday opens at 09:00 local, which is 07:00Z after the change (08:00Z before it).
    expect(new Date(hours.add(from, 1.5 * H)).toISOString()).toBe('2026-03-30T07:30:00.000Z');
  });

  it('gives the DST days their real length: 23 h in spring, 25 h in autumn', () => {
    const always = createBusinessHours({
      timeZone: 'Europe/Berlin',
      week: { sun: ['00:00', '24:00'] },
    });
    const sunday = (iso: string) => always.elapsed(Date.parse(iso) - 2 * 24 * H, Date.parse(iso) + 2 * 24 * H);
    expect(sunday('2026-03-29T12:00:00Z')).toBe(23 * H);
    expect(sunday('2026-10-25T12:00:00Z')).toBe(25 * H);
  });

  it('skips weekends and holidays when adding business time, in a zone without DST', () => {
    const hours = createBusinessHours({
      timeZone: 'Asia/Ho_Chi_Minh',
      week: {
        mon: ['08:00', '17:00'],
        tue: ['08:00', '17:00'],
        wed: ['08:00', '17:00'],
        thu: ['08:00', '17:00'],
        fri: ['08:00', '17:00'],
      },
      holidays: ['2026-09-02'],
    });
    // Tue 1 Sep 2026 15:00 (+7) + 16 business hours: 2 h Tue, Wed is a holiday, 9 h Thu, 5 h Fri → Fri 13:00.
    const due = hours.add(Date.parse('2026-09-01T08:00:00Z'), 16 * H);
    expect(new Date(due).toISOString()).toBe('2026-09-04T06:00:00.000Z');
    expect(hours.elapsed(Date.parse('2026-09-05T00:00:00Z'), Date.parse('2026-09-07T00:00:00Z'))).toBe(0);
  });

  it('refuses a zone or hours it cannot use', () => {
    expect(() => createBusinessHours({ timeZone: 'Mars/Olympus' })).toThrow(/IANA/);
    expect(() => createBusinessHours({ timeZone: 'UTC', week: { mon: ['17:00', '09:00'] } })).toThrow(/close after/);
    expect(() => createBusinessHours({ timeZone: 'UTC', week: { mon: ['9am', '17:00'] } })).toThrow(/HH:MM/);
  });
});
