import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addDays,
  atLocal,
  holdForQuietHours,
  iso,
  localDate,
  localTime,
  offsetMinutes,
  startOfLocalDay,
  weekdayOf,
} from '../src/calendar/time.ts';

const SH = 'Asia/Shanghai';
const at = (s: string) => Date.parse(s);
const HOST_ZONES = ['UTC', 'Europe/London', 'America/Los_Angeles'];

describe.each(HOST_ZONES)('time utilities with host TZ=%s', (hostTz) => {
  const saved = process.env.TZ;
  beforeAll(() => {
    process.env.TZ = hostTz;
  });
  afterAll(() => {
    process.env.TZ = saved;
  });

  it('really runs under the host zone (the test can fail)', () => {
    const expected = { UTC: 0, 'Europe/London': -60, 'America/Los_Angeles': 420 }[hostTz];
    expect(new Date('2024-06-01T12:00:00Z').getTimezoneOffset()).toBe(expected);
  });

  it('"today" in Shanghai at 2024-05-31T16:30:00Z and 2024-06-01T15:59:59Z is 2024-06-01', () => {
    expect(localDate(at('2024-05-31T16:30:00Z'), SH)).toBe('2024-06-01');
    expect(localDate(at('2024-06-01T15:59:59Z'), SH)).toBe('2024-06-01');
    expect(localDate(at('2024-06-01T16:00:00Z'), SH)).toBe('2024-06-02');
    expect(localDate(at('2024-05-31T15:59:59Z'), SH)).toBe('2024-05-31');
  });

  it('start of the Shanghai day 2024-06-01 is 2024-05-31T16:00:00Z, and a daily key uses that date', () => {
    expect(iso(startOfLocalDay('2024-06-01', SH))).toBe('2024-05-31T16:00:00.000Z');
    const key = (ms: number) => `digest:${localDate(ms, SH)}`;
    expect(key(at('2024-05-31T16:30:00Z'))).toBe(key(at('2024-06-01T15:59:59Z')));
  });

  it('reads Shanghai wall time correctly inside the host DST gap (where dayjs .tz() is off by one hour)', () => {
    // 2025-03-29T17:30Z = 01:30 Shanghai; London's clocks jump 01:00 → 02:00 that night.
    expect(localTime(at('2025-03-29T17:30:00Z'), SH)).toEqual({
      ymd: '2025-03-30',
      hh: 1,
      mm: 30,
      ss: 0,
      weekday: 0,
    });
    expect(iso(atLocal('2025-03-30', '01:30', SH))).toBe('2025-03-29T17:30:00.000Z');
    expect(iso(atLocal('2025-10-26', '01:30', SH))).toBe('2025-10-25T17:30:00.000Z');
    expect(iso(atLocal('2025-03-30', '09:30', SH))).toBe('2025-03-30T01:30:00.000Z');
    expect(iso(atLocal('2025-10-26', '09:30', SH))).toBe('2025-10-26T01:30:00.000Z');
  });

  it('handles DST in the target zone: gap moves forward, repeated hour takes the first', () => {
    expect(iso(atLocal('2025-03-30', '01:30', 'Europe/London'))).toBe('2025-03-30T01:30:00.000Z'); // = 02:30 BST
    expect(iso(atLocal('2025-10-26', '01:30', 'Europe/London'))).toBe('2025-10-26T00:30:00.000Z'); // first 01:30 (BST)
    expect(iso(atLocal('2025-03-09', '02:30', 'America/Los_Angeles'))).toBe('2025-03-09T10:30:00.000Z');
    expect(offsetMinutes(at('2025-07-01T00:00:00Z'), 'America/Los_Angeles')).toBe(-420);
    expect(offsetMinutes(at('2025-07-01T00:00:00Z'), SH)).toBe(480);
  });

  it('quiet hours 21:00–08:00 hold a message until 08:00 local', () => {
    // 22:30 Shanghai → 08:00 next morning
    expect(iso(holdForQuietHours(at('2025-06-03T14:30:00Z'), SH))).toBe('2025-06-04T00:00:00.000Z');
    // 06:10 Shanghai → 08:00 the same morning
    expect(iso(holdForQuietHours(at('2025-06-03T22:10:00Z'), SH))).toBe('2025-06-04T00:00:00.000Z');
    // 21:00 sharp is quiet, 08:00 sharp is not, 20:59 is not
    expect(iso(holdForQuietHours(at('2025-06-03T13:00:00Z'), SH))).toBe('2025-06-04T00:00:00.000Z');
    expect(holdForQuietHours(at('2025-06-04T00:00:00Z'), SH)).toBe(at('2025-06-04T00:00:00Z'));
    expect(holdForQuietHours(at('2025-06-03T12:59:00Z'), SH)).toBe(at('2025-06-03T12:59:00Z'));
    // a daytime window and "no quiet hours"
    const lunch = { start: '12:00', end: '13:30' };
    expect(iso(holdForQuietHours(at('2025-06-03T04:10:00Z'), SH, lunch))).toBe('2025-06-03T05:30:00.000Z');
    expect(holdForQuietHours(at('2025-06-03T14:30:00Z'), SH, { start: '00:00', end: '00:00' })).toBe(
      at('2025-06-03T14:30:00Z'),
    );
  });

  it('calendar arithmetic on plain dates', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-03-30', 1)).toBe('2025-03-31');
    expect(addDays('2025-01-01', -1)).toBe('2024-12-31');
    expect(weekdayOf('2025-09-28')).toBe(0);
    expect(() => atLocal('2025-02-30', '09:00', SH)).toThrow(/not a date/);
    expect(() => atLocal('2025-02-03', '25:00', SH)).toThrow(/time of day/);
    expect(() => localDate(0, 'Mars/Olympus')).toThrow(/IANA/);
  });
});
