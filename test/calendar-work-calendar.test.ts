import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estimateHolidays } from '../src/calendar/estimate.ts';
import { officialHoliday, officialYears } from '../src/calendar/official.ts';
import { loadCalendarOverrides } from '../src/calendar/overrides.ts';
import { createWorkCalendar } from '../src/calendar/work-calendar.ts';
import type { Logger } from '../src/core/adapter.ts';
import { ContentError } from '../src/core/errors.ts';

function recordingLog(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const noop = () => undefined;
  return { warnings, debug: noop, info: noop, error: noop, warn: (m: string) => warnings.push(m) };
}

async function flowsWith(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'flows-'));
  await mkdir(join(dir, 'calendar'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, 'calendar', name), text);
  return dir;
}

describe.each(['America/Los_Angeles', 'Europe/London'])('work calendar with host TZ=%s', (hostTz) => {
  const saved = process.env.TZ;
  beforeAll(() => {
    process.env.TZ = hostTz;
  });
  afterAll(() => {
    process.env.TZ = saved;
  });
  const cal = createWorkCalendar();

  it('国庆 week 2025 is not working; the 调休 Sunday 2025-09-28 and Saturday 2025-10-11 are', () => {
    for (let d = 1; d <= 8; d++) expect(cal.isWorkingDay(`2025-10-0${d}`), `2025-10-0${d}`).toBe(false);
    expect(cal.holidayName('2025-10-01')).toBe('国庆节');
    expect(cal.holidayName('2025-10-06')).toBe('中秋');
    expect(cal.isWorkingDay('2025-09-28')).toBe(true); // Sunday, make-up day
    expect(cal.isWorkingDay('2025-10-11')).toBe(true); // Saturday, make-up day
    expect(cal.dayInfo('2025-10-11')).toMatchObject({ working: true, makeUp: true, source: 'official' });
    expect(cal.isWorkingDay('2025-10-12')).toBe(false); // plain Sunday
    expect(cal.isWorkingDay('2025-10-09')).toBe(true);
    expect(cal.holidayName('2025-10-09')).toBeUndefined();
  });

  it('counts and moves by working days across the holiday', () => {
    expect(cal.addWorkingDays('2025-09-30', 1)).toBe('2025-10-09');
    expect(cal.addWorkingDays('2025-10-09', -1)).toBe('2025-09-30');
    expect(cal.addWorkingDays('2025-10-09', -3)).toBe('2025-09-28');
    expect(cal.addWorkingDays('2025-10-04', 0)).toBe('2025-10-04');
    expect(cal.workingDaysBetween('2025-09-26', '2025-10-10')).toBe(5); // 9/28 9/29 9/30 10/9 10/10
    expect(cal.workingDaysBetween('2025-10-10', '2025-09-26')).toBe(-5);
    expect(cal.workingDaysBetween('2025-10-10', '2025-10-10')).toBe(0);
  });

  it('2027 has no official data: 2027-01-01 and 春节 are estimated holidays, with a warning', () => {
    expect(officialYears.has(2026)).toBe(true);
    expect(officialYears.has(2027)).toBe(false);
    const log = recordingLog();
    const c = createWorkCalendar({ log, nowYmd: '2026-11-20' });
    expect(c.estimatedYears('2026-11-20')).toEqual([2027]);
    expect(c.estimatedYears('2025-03-01')).toEqual([]);
    expect(c.estimatedYears('2027-03-01')).toEqual([2027, 2028]);
    expect(log.warnings).toHaveLength(1);
    expect(log.warnings[0]).toMatch(/2027/);
    expect(c.isWorkingDay('2027-01-01')).toBe(false);
    expect(c.dayInfo('2027-01-01')).toMatchObject({ name: '元旦', source: 'estimated' });
    // 2027 春节: 初一 is 2027-02-06, so 除夕 2027-02-05 … 初七 2027-02-12
    for (const d of ['2027-02-05', '2027-02-06', '2027-02-08', '2027-02-12'])
      expect(c.holidayName(d), d).toBe('春节');
    expect(c.isWorkingDay('2027-02-04')).toBe(true);
    expect(c.isWorkingDay('2027-02-15')).toBe(true);
    expect(c.holidayName('2027-04-05')).toBe('清明');
    expect(c.holidayName('2027-06-09')).toBe('端午');
    expect(c.holidayName('2027-09-15')).toBe('中秋');
    expect(c.holidayName('2027-10-07')).toBe('国庆节');
    expect(c.isWorkingDay('2027-10-08')).toBe(true);
    expect(createWorkCalendar({ log: recordingLog(), nowYmd: '2025-06-01' })).toBeTruthy();
  });

  it('the estimator agrees with the official arrangements of 2020, 2025 and 2026', () => {
    for (const year of [2020, 2025, 2026]) {
      const est = estimateHolidays(year);
      for (const [d, name] of est) {
        expect(officialHoliday(d), `${year}: ${d} ${name}`).toBeDefined();
      }
      // and it knows every statutory holiday group of the year
      expect(new Set(est.values())).toEqual(
        new Set(['元旦', '春节', '清明', '劳动节', '端午', '中秋', '国庆节']),
      );
    }
  });
});

describe('calendar overrides from flows/calendar/*.yaml', () => {
  it('override holidays and workdays win over official data and estimates', async () => {
    const dir = await flowsWith({
      '2027.yaml': [
        'officialYears: [2027]',
        'holidays:',
        '  - {date: 2027-01-01, name: 元旦}',
        '  - {date: 2027-02-05, to: 2027-02-11, name: 春节}',
        'workdays:',
        '  - {date: 2027-02-14, name: 春节调休}',
      ].join('\n'),
      'company.yaml':
        'holidays:\n  - {date: 2025-10-09, name: 公司团建}\nworkdays:\n  - {date: 2025-10-08}\n',
    });
    const log = recordingLog();
    const cal = createWorkCalendar({
      overrides: await loadCalendarOverrides(dir),
      log,
      nowYmd: '2026-11-20',
    });
    expect(cal.estimatedYears('2026-11-20')).toEqual([]);
    expect(log.warnings).toEqual([]);
    expect(cal.holidayName('2025-10-09')).toBe('公司团建');
    expect(cal.isWorkingDay('2025-10-08')).toBe(true); // was 国庆节 in the package
    expect(cal.dayInfo('2025-10-08').source).toBe('override');
    expect(cal.isWorkingDay('2027-02-14')).toBe(true); // a Sunday
    expect(cal.isWorkingDay('2027-02-12')).toBe(true); // estimate would say 春节; the file says not
    expect(cal.isWorkingDay('2027-10-01')).toBe(true); // officialYears: no estimates for 2027
    expect(cal.holidayName('2027-02-11')).toBe('春节');
  });

  it('bad content names the file, line and problem; a missing folder means no overrides', async () => {
    const dir = await flowsWith({ 'bad.yaml': 'holidays:\n  - {date: 2027-02-30, name: x}\n' });
    const err = await loadCalendarOverrides(dir).catch((e) => e);
    expect(err).toBeInstanceOf(ContentError);
    expect(err.message).toMatch(/bad\.yaml:2: .*date/);
    const clash = await flowsWith({
      'a.yaml': 'holidays: [{date: 2027-03-01}]\n',
      'b.yaml': 'workdays: [{date: 2027-03-01}]\n',
    });
    await expect(loadCalendarOverrides(clash)).rejects.toThrow(/2027-03-01 is already a holiday/);
    const none = await loadCalendarOverrides(join(tmpdir(), 'no-such-flows-dir'));
    expect(none.holidays.size).toBe(0);
  });

  it('the shipped flows/calendar content loads', async () => {
    await expect(loadCalendarOverrides('flows')).resolves.toBeTruthy();
  });
});
