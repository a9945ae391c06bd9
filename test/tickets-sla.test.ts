import { describe, expect, it } from 'vitest';
import { createWorkCalendar } from '../src/calendar/work-calendar.ts';
import { ConfigError } from '../src/core/errors.ts';
import { addWorkingHours, parseWorkHours, type SlaCalendar, workingMsBetween } from '../src/tickets/sla.ts';

const tz = 'Asia/Shanghai';
const calendar = createWorkCalendar();
const working: SlaCalendar = {
  mode: 'working',
  calendar,
  tz,
  workHours: parseWorkHours('09:00-12:00,13:00-18:00'),
};
const natural: SlaCalendar = { ...working, mode: 'natural' };
/** Shanghai wall time → ms. */
const sh = (s: string) => Date.parse(`${s}+08:00`);
const iso = (ms: number) => new Date(ms).toISOString();
const H = 3_600_000;

describe('addWorkingHours on the Chinese working-day calendar', () => {
  it('Friday 16:00 before 清明 (2026-04-04..06 off): 2 h on Friday, 2 h on Tuesday after the holiday', () => {
    expect(iso(addWorkingHours(sh('2026-04-03T16:00'), 4, working))).toBe(iso(sh('2026-04-07T11:00')));
    // the 75 % reminder point
    expect(iso(addWorkingHours(sh('2026-04-03T16:00'), 3, working))).toBe(iso(sh('2026-04-07T10:00')));
  });

  it('the last working day before 国庆 (Wed 2026-09-30 16:00) lands on Thu 2026-10-08 11:00', () => {
    expect(iso(addWorkingHours(sh('2026-09-30T16:00'), 4, working))).toBe(iso(sh('2026-10-08T11:00')));
  });

  it('counts a 调休 make-up Saturday (2026-02-14) and skips the Spring Festival', () => {
    expect(iso(addWorkingHours(sh('2026-02-13T16:00'), 4, working))).toBe(iso(sh('2026-02-14T11:00')));
    // 8 h from Saturday 14 Feb 10:00: 7 h on Saturday (10–12, 13–18), then the holiday 15–23 Feb,
    // the last hour on Tue 24 Feb 09:00–10:00.
    expect(iso(addWorkingHours(sh('2026-02-14T10:00'), 8, working))).toBe(iso(sh('2026-02-24T10:00')));
  });

  it('a ticket opened at night starts counting at 09:00, and the lunch break does not count', () => {
    expect(iso(addWorkingHours(sh('2026-03-02T22:00'), 4, working))).toBe(iso(sh('2026-03-03T14:00')));
    expect(iso(addWorkingHours(sh('2026-03-03T02:00'), 4, working))).toBe(iso(sh('2026-03-03T14:00')));
    expect(iso(addWorkingHours(sh('2026-03-02T11:00'), 4, working))).toBe(iso(sh('2026-03-02T16:00')));
    expect(iso(addWorkingHours(sh('2026-03-02T12:30'), 1, working))).toBe(iso(sh('2026-03-02T14:00')));
  });

  it('a budget ending exactly at the end of the day ends at 18:00, not the next morning', () => {
    expect(iso(addWorkingHours(sh('2026-03-02T14:00'), 4, working))).toBe(iso(sh('2026-03-02T18:00')));
  });

  it('a weekend ticket waits for Monday; an evening ticket for the next working day', () => {
    expect(iso(addWorkingHours(sh('2026-03-07T10:00'), 4, working))).toBe(iso(sh('2026-03-09T14:00')));
    expect(iso(addWorkingHours(sh('2026-03-06T18:30'), 0.5, working))).toBe(iso(sh('2026-03-09T09:30')));
  });

  it('natural hours run around the clock', () => {
    expect(iso(addWorkingHours(sh('2026-03-02T22:00'), 4, natural))).toBe(iso(sh('2026-03-03T02:00')));
    expect(workingMsBetween(sh('2026-04-03T16:00'), sh('2026-04-07T11:00'), natural)).toBe(91 * H);
  });

  it('does not depend on the UTC date: 08:30 Shanghai is still the previous UTC day', () => {
    expect(iso(addWorkingHours(sh('2026-03-03T07:30'), 1, working))).toBe(iso(sh('2026-03-03T10:00')));
  });

  it('rejects a negative budget', () => {
    expect(() => addWorkingHours(0, -1, working)).toThrow(RangeError);
  });
});

describe('workingMsBetween', () => {
  it('counts only working windows on working days', () => {
    expect(workingMsBetween(sh('2026-04-03T16:00'), sh('2026-04-07T11:00'), working)).toBe(4 * H);
    expect(workingMsBetween(sh('2026-03-02T11:00'), sh('2026-03-02T14:00'), working)).toBe(2 * H);
    expect(workingMsBetween(sh('2026-10-01T00:00'), sh('2026-10-08T00:00'), working)).toBe(0);
    expect(workingMsBetween(sh('2026-03-02T14:00'), sh('2026-03-02T11:00'), working)).toBe(-2 * H);
  });

  it('is the inverse of addWorkingHours for many starts and budgets', () => {
    const start = sh('2026-01-01T00:00');
    for (let i = 0; i < 200; i++) {
      const s = start + ((i * 7919 * 60_000) % (365 * 24 * H));
      const hours = ((i * 37) % 40) / 4 + 0.25;
      const due = addWorkingHours(s, hours, working);
      expect(workingMsBetween(s, due, working)).toBe(hours * H);
    }
  });
});

describe('parseWorkHours', () => {
  it('parses ranges into minutes', () => {
    expect(parseWorkHours('09:00-12:00,13:00-18:00')).toEqual([
      { start: 540, end: 720 },
      { start: 780, end: 1080 },
    ]);
    expect(parseWorkHours('00:00-24:00')).toEqual([{ start: 0, end: 1440 }]);
  });

  it.each(['09:00-08:00', '09:00-12:00,11:00-18:00', '9:00-12:00', '09:00-25:00', '09:70-10:00'])(
    'rejects %s naming WORK_HOURS',
    (spec) => {
      expect(() => parseWorkHours(spec)).toThrow(ConfigError);
      expect(() => parseWorkHours(spec)).toThrow(/WORK_HOURS/);
    },
  );
});
