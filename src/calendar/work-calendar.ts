import type { Logger } from '../core/adapter.ts';
import type { WorkCalendar } from '../core/calendar.ts';
import { BotError, ErrorCode } from '../core/errors.ts';
import { estimateHolidays } from './estimate.ts';
import { officialHoliday, officialWorkday, officialYears } from './official.ts';
import { type CalendarOverrides, noOverrides } from './overrides.ts';
import { addDays, parseYmd, weekdayOf } from './time.ts';

/** Where a day's status came from. */
export type DaySource = 'override' | 'official' | 'estimated' | 'weekday' | 'weekend';

/** One calendar day, explained. */
export interface DayInfo {
  date: string;
  working: boolean;
  /** Holiday name (a holiday) or the holiday a make-up workday pays for. */
  name?: string;
  /** A weekend day that is a working day (调休上班). */
  makeUp?: boolean;
  source: DaySource;
}

/** The work calendar plus what admin views need. */
export interface ChineseWorkCalendar extends WorkCalendar {
  /** The day's status and where it came from. @throws {BadRequestError} for a bad date. */
  dayInfo(ymd: string): DayInfo;
  /** True when `year` has an official arrangement (package data or content `officialYears`). */
  hasOfficialData(year: number): boolean;
}

export interface WorkCalendarOptions {
  /** From {@link loadCalendarOverrides}; none when absent. */
  overrides?: CalendarOverrides;
  /** Receives the start-up warning about estimated years (needs `nowYmd`). */
  log?: Logger;
  /** Today (`YYYY-MM-DD` in `BOT_TIMEZONE`), to warn at creation about estimated years. */
  nowYmd?: string;
}

/** Longest stretch searched by `addWorkingDays` before giving up (ten years of days). */
const MAX_SCAN_DAYS = 3660;

/**
 * Chinese working-day calendar: content overrides, else the `chinese-days` arrangement for
 * announced years, else estimated statutory holidays (see {@link estimateHolidays}), else
 * Monday–Friday. Pure and synchronous; host `TZ` plays no part (dates are plain strings).
 * When `log` and `nowYmd` are given, warns once if this or next year is estimated.
 */
export function createWorkCalendar(opts: WorkCalendarOptions = {}): ChineseWorkCalendar {
  const ov = opts.overrides ?? noOverrides();
  const estimates = new Map<number, Map<string, string>>();
  const cache = new Map<string, DayInfo>();

  const hasOfficialData = (year: number) => officialYears.has(year) || ov.officialYears.has(year);

  function compute(date: string): DayInfo {
    const { y } = parseYmd(date);
    const weekend = [0, 6].includes(weekdayOf(date));
    const oh = ov.holidays.get(date);
    if (oh !== undefined) return { date, working: false, name: oh, source: 'override' };
    const ow = ov.workdays.get(date);
    if (ow !== undefined)
      return { date, working: true, name: ow, makeUp: weekend || undefined, source: 'override' };
    if (hasOfficialData(y)) {
      const h = officialHoliday(date);
      if (h) return { date, working: false, name: h.name, source: 'official' };
      const w = officialWorkday(date);
      if (w) return { date, working: true, name: w.name, makeUp: weekend || undefined, source: 'official' };
    } else {
      let est = estimates.get(y);
      if (!est) {
        est = estimateHolidays(y);
        estimates.set(y, est);
      }
      const name = est.get(date);
      if (name) return { date, working: false, name, source: 'estimated' };
    }
    return weekend ? { date, working: false, source: 'weekend' } : { date, working: true, source: 'weekday' };
  }

  function dayInfo(date: string): DayInfo {
    let info = cache.get(date);
    if (!info) {
      info = compute(date);
      cache.set(date, info);
    }
    return { ...info };
  }

  const isWorkingDay = (date: string) => dayInfo(date).working;

  const cal: ChineseWorkCalendar = {
    isWorkingDay,
    dayInfo,
    hasOfficialData,
    holidayName(date) {
      const d = dayInfo(date);
      return !d.working && d.name ? d.name : undefined;
    },
    addWorkingDays(date, n) {
      parseYmd(date);
      const step = n < 0 ? -1 : 1;
      let left = Math.abs(Math.trunc(n));
      let d = date;
      for (let i = 0; left > 0; i++) {
        if (i > MAX_SCAN_DAYS)
          throw new BotError(ErrorCode.Internal, `no ${n} working days from ${date} within ten years`);
        d = addDays(d, step);
        if (isWorkingDay(d)) left--;
      }
      return d;
    },
    workingDaysBetween(from, to) {
      parseYmd(from);
      parseYmd(to);
      const sign = to < from ? -1 : 1;
      const [a, b] = sign > 0 ? [from, to] : [to, from];
      let count = 0;
      for (let d = addDays(a, 1); d <= b; d = addDays(d, 1)) if (isWorkingDay(d)) count++;
      return sign * count;
    },
    estimatedYears(nowYmd) {
      const { y } = parseYmd(nowYmd);
      return [y, y + 1].filter((year) => !hasOfficialData(year));
    },
  };

  if (opts.log && opts.nowYmd) {
    const years = cal.estimatedYears(opts.nowYmd);
    const warning = estimatedYearsWarning(years);
    if (warning) opts.log.warn(warning, { estimatedYears: years });
  }
  return cal;
}

/**
 * The operator warning for estimated years (start-up log, admin API), or `undefined` when
 * every year around now has official data.
 */
export function estimatedYearsWarning(years: number[]): string | undefined {
  if (!years.length) return undefined;
  return (
    `holiday calendar: no official holiday arrangement for ${years.join(', ')}; using estimated ` +
    `statutory holidays (no make-up workdays). Add the announced dates to flows/calendar/*.yaml ` +
    `(officialYears: [${years[0]}]) or update the chinese-days package.`
  );
}
