import { addDays, atLocal, localDate } from '../calendar/time.ts';
import type { WorkCalendar } from '../core/calendar.ts';
import { ConfigError } from '../core/errors.ts';

/** One daily working window in local wall-clock minutes since midnight, `start < end ≤ 1440`. */
export interface WorkWindow {
  start: number;
  end: number;
}

/**
 * How an SLA budget is counted.
 * - `working`: only inside `workHours` on working days of `calendar` (Chinese statutory holidays
 *   off, 调休 make-up days on), in time zone `tz`;
 * - `natural`: wall-clock hours, every day, around the clock.
 */
export interface SlaCalendar {
  mode: 'working' | 'natural';
  calendar: WorkCalendar;
  /** IANA time zone of the working hours, e.g. `Asia/Shanghai`. */
  tz: string;
  /** Working windows of a day, ascending, not overlapping (`WORK_HOURS`, parsed). */
  workHours: WorkWindow[];
}

const HOUR_MS = 3_600_000;
/** Longest search for working time: ten years of days (a calendar with no working day at all). */
const MAX_DAYS = 3660;

const minutes = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
};

/**
 * Parses `WORK_HOURS` (`09:00-12:00,13:00-18:00`) into windows.
 * @throws {ConfigError} code `config_invalid` when a range is malformed, empty, past 24:00,
 *   or overlaps / is not after the previous one.
 */
export function parseWorkHours(spec: string): WorkWindow[] {
  const out: WorkWindow[] = [];
  for (const part of spec.split(',').map((s) => s.trim())) {
    const m = /^(\d\d):(\d\d)-(\d\d):(\d\d)$/.exec(part);
    const w = m ? { start: minutes(`${m[1]}:${m[2]}`), end: minutes(`${m[3]}:${m[4]}`) } : undefined;
    const prev = out.at(-1);
    if (
      !m ||
      !w ||
      Number(m[2]) > 59 ||
      Number(m[4]) > 59 ||
      w.end > 1440 ||
      w.start >= w.end ||
      (prev && w.start < prev.end)
    )
      throw new ConfigError([`WORK_HOURS: "${part}" is not an ascending, non-overlapping HH:MM-HH:MM range`]);
    out.push(w);
  }
  return out;
}

/** Instant (ms UTC) of local wall-clock minute `min` (0–1440) on `ymd` in `tz`. */
function at(ymd: string, min: number, tz: string): number {
  if (min === 1440) return at(addDays(ymd, 1), 0, tz);
  const hh = String(Math.floor(min / 60)).padStart(2, '0');
  const mm = String(min % 60).padStart(2, '0');
  return atLocal(ymd, `${hh}:${mm}`, tz);
}

/** The working intervals `[start, end)` (ms UTC) of local day `ymd`, none on a day off. */
function dayIntervals(ymd: string, cal: SlaCalendar): Array<[number, number]> {
  if (!cal.calendar.isWorkingDay(ymd)) return [];
  return cal.workHours.map((w) => [at(ymd, w.start, cal.tz), at(ymd, w.end, cal.tz)]);
}

/**
 * The instant a budget of `hours` runs out when counting starts at `startMs`.
 * In `working` mode time outside working windows does not count: a ticket opened at night starts
 * counting at the next window's start, the lunch break is skipped, and so are weekends and
 * statutory holidays, while 调休 make-up days count. A budget that ends exactly at a window's end
 * returns that end (e.g. 18:00, not 09:00 the next working day).
 * @param startMs when counting starts, ms since epoch (UTC)
 * @param hours budget in hours (fractions allowed), ≥ 0
 * @returns the deadline, ms since epoch (UTC)
 * @throws {RangeError} when `hours` is negative or no working time exists within ten years.
 */
export function addWorkingHours(startMs: number, hours: number, cal: SlaCalendar): number {
  if (!(hours >= 0)) throw new RangeError(`hours must be ≥ 0, got ${hours}`);
  let left = Math.round(hours * HOUR_MS);
  if (cal.mode === 'natural') return startMs + left;
  let ymd = localDate(startMs, cal.tz);
  for (let i = 0; i < MAX_DAYS; i++, ymd = addDays(ymd, 1)) {
    for (const [s, e] of dayIntervals(ymd, cal)) {
      const from = Math.max(s, startMs);
      if (from >= e) continue;
      if (left <= e - from) return from + left;
      left -= e - from;
    }
  }
  throw new RangeError('no working time found within ten years; check the calendar and WORK_HOURS');
}

/**
 * Working time between two instants: the part of `[aMs, bMs)` inside working windows on working
 * days (`working` mode), or simply `bMs − aMs` (`natural`).
 * @returns ms; negative when `bMs < aMs` (the same amount, signed).
 */
export function workingMsBetween(aMs: number, bMs: number, cal: SlaCalendar): number {
  if (bMs < aMs) return -workingMsBetween(bMs, aMs, cal);
  if (cal.mode === 'natural') return bMs - aMs;
  let total = 0;
  const last = localDate(bMs, cal.tz);
  for (let ymd = localDate(aMs, cal.tz); ymd <= last; ymd = addDays(ymd, 1)) {
    for (const [s, e] of dayIntervals(ymd, cal)) total += Math.max(0, Math.min(e, bMs) - Math.max(s, aMs));
  }
  return total;
}
