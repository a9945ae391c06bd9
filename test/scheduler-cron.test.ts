import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iso, localTime } from '../src/calendar/time.ts';
import { createWorkCalendar } from '../src/calendar/work-calendar.ts';
import { cronSlots, isValidCron, nextSlot, workingDaysOnly } from '../src/scheduler/cron.ts';
import { createCronJob } from '../src/scheduler/cron-job.ts';

const SH = 'Asia/Shanghai';
const at = (s: string) => Date.parse(s);
const saved = process.env.TZ;

describe.each(['America/Los_Angeles', 'Europe/London', 'UTC'])('cron slots with host TZ=%s', (hostTz) => {
  beforeAll(() => {
    process.env.TZ = hostTz;
  });
  afterAll(() => {
    process.env.TZ = saved;
  });

  it('a weekly Monday 07:00 Shanghai job fires on Sunday 23:00 UTC, i.e. Monday locally', () => {
    const slots = cronSlots('0 7 * * 1', SH, at('2025-06-01T00:00:00Z'), at('2025-06-22T00:00:00Z'));
    expect(slots.map(iso)).toEqual([
      '2025-06-01T23:00:00.000Z',
      '2025-06-08T23:00:00.000Z',
      '2025-06-15T23:00:00.000Z',
    ]);
    for (const s of slots) expect(localTime(s, SH)).toMatchObject({ weekday: 1, hh: 7, mm: 0 });
    expect(new Date(slots[0]).getUTCDay()).toBe(0); // the previous UTC day
  });

  it('a daily 09:30 Shanghai job is at 01:30:00Z every day across London DST switches', () => {
    for (const [from, to] of [
      ['2025-03-28T00:00:00Z', '2025-04-01T00:00:00Z'],
      ['2025-10-24T00:00:00Z', '2025-10-28T00:00:00Z'],
    ]) {
      const slots = cronSlots('30 9 * * *', SH, at(from), at(to));
      expect(slots).toHaveLength(4);
      for (const s of slots) expect(iso(s).slice(10)).toBe('T01:30:00.000Z');
    }
  });

  it('working days only: 国庆 2025 is skipped and the 调休 weekend days count', () => {
    const cal = createWorkCalendar();
    const slots = cronSlots(
      '30 9 * * *',
      SH,
      at('2025-09-25T16:00:00Z'),
      at('2025-10-12T16:00:00Z'),
      workingDaysOnly(cal, SH),
    );
    expect(slots.map((s) => localTime(s, SH).ymd)).toEqual([
      '2025-09-26',
      '2025-09-28', // Sunday make-up day
      '2025-09-29',
      '2025-09-30',
      '2025-10-09',
      '2025-10-10',
      '2025-10-11', // Saturday make-up day
    ]);
  });

  it('interval is half-open (from, to]', () => {
    const slot = at('2025-06-03T01:30:00Z');
    expect(cronSlots('30 9 * * *', SH, slot, slot + 60_000)).toEqual([]);
    expect(cronSlots('30 9 * * *', SH, slot - 1, slot)).toEqual([slot]);
    expect(cronSlots('30 9 * * *', SH, slot, slot)).toEqual([]);
  });

  it('DST in the job zone: a skipped time runs once after the jump, a repeated time once', () => {
    const la = 'America/Los_Angeles';
    const spring = cronSlots('30 2 * * *', la, at('2025-03-08T00:00:00Z'), at('2025-03-11T00:00:00Z'));
    expect(spring.map(iso)).toEqual([
      '2025-03-08T10:30:00.000Z',
      '2025-03-09T10:30:00.000Z', // 02:30 does not exist: 03:30 PDT
      '2025-03-10T09:30:00.000Z',
    ]);
    const fall = cronSlots('30 1 * * *', la, at('2025-11-01T00:00:00Z'), at('2025-11-04T00:00:00Z'));
    expect(fall.map(iso)).toEqual([
      '2025-11-01T08:30:00.000Z',
      '2025-11-02T08:30:00.000Z',
      '2025-11-03T09:30:00.000Z',
    ]);
  });
});

describe('cron expressions', () => {
  it('supports steps, 6 fields, L, nL, n#k and the day-of-month OR day-of-week rule', () => {
    const from = at('2025-05-31T16:00:00Z'); // 2025-06-01 00:00 Shanghai
    const to = at('2025-06-30T16:00:00Z');
    const days = (expr: string) => cronSlots(expr, SH, from, to).map((s) => localTime(s, SH).ymd);
    expect(days('0 9 L * *')).toEqual(['2025-06-30']);
    expect(days('0 9 * * 5L')).toEqual(['2025-06-27']);
    expect(days('0 9 * * 1#2')).toEqual(['2025-06-09']);
    expect(days('0 9 1 * 1')).toEqual([
      '2025-06-01',
      '2025-06-02',
      '2025-06-09',
      '2025-06-16',
      '2025-06-23',
      '2025-06-30',
    ]);
    expect(days('0 9 1 * *')).toEqual(['2025-06-01']);
    expect(cronSlots('*/20 9 3 6 *', SH, from, to).map((s) => localTime(s, SH).mm)).toEqual([0, 20, 40]);
    expect(cronSlots('15 0 9 3 6 *', SH, from, to).map(iso)).toEqual(['2025-06-03T01:00:15.000Z']);
    expect(days('0 9 * * mon-fri')).toHaveLength(21);
  });

  it('rejects bad expressions with the reason', () => {
    expect(isValidCron('30 9 * * *')).toBe(true);
    expect(isValidCron('61 9 * * *')).toBe(false);
    expect(isValidCron('nonsense')).toBe(false);
    expect(() => cronSlots('0 9 * *', SH, 0, 1)).toThrow(/invalid cron expression "0 9 \* \*"/);
  });

  it('nextSlot finds the next slot, also far away, and honours filters', () => {
    const cal = createWorkCalendar();
    expect(iso(nextSlot('30 9 * * *', SH, at('2025-09-30T02:00:00Z'), workingDaysOnly(cal, SH))!)).toBe(
      '2025-10-09T01:30:00.000Z',
    );
    expect(iso(nextSlot('0 9 29 2 *', SH, at('2025-03-01T00:00:00Z'))!)).toBe('2028-02-29T01:00:00.000Z');
    expect(nextSlot('* * * * *', SH, at('2025-03-01T00:00:00.500Z'))).toBe(at('2025-03-01T00:01:00Z'));
    expect(nextSlot('0 9 * * *', SH, 0, () => false, 400)).toBeUndefined();
    expect(isValidCron('0 9 30 2 *')).toBe(false); // node-cron rejects impossible dates
  });

  it('createCronJob merges expressions and applies the working-day filter', () => {
    const job = createCronJob({
      name: 'digest',
      cron: ['0 9 * * 1', '0 9 * * 1'],
      tz: SH,
      calendar: createWorkCalendar(),
      run: async () => ({ sent: 0 }),
    });
    const slots = job.slots(at('2025-09-28T00:00:00Z'), at('2025-10-14T00:00:00Z'));
    expect(slots.map((s) => localTime(s, SH).ymd)).toEqual(['2025-09-29', '2025-10-13']); // 10-06 is 国庆
    expect(() => createCronJob({ name: 'x', cron: 'bad', tz: SH, run: async () => ({ sent: 0 }) })).toThrow();
  });
});
