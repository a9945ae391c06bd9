import { parse } from 'node-cron';
import { addDays, fromWall, localDate, offsetMinutes, parseYmd, weekdayOf } from '../calendar/time.ts';
import type { WorkCalendar } from '../core/calendar.ts';
import { BadRequestError } from '../core/errors.ts';

/**
 * Cron slots as pure date arithmetic: node-cron 4's parser expands the fields (names, ranges,
 * steps, 6-field seconds), and we walk the local days in the time zone — no timers, no cron
 * task per user. node-cron's own next-run search starts from "now" only, so it cannot answer
 * "which slots fell in (from, to]" for catch-up or tests with a set clock.
 *
 * Semantics (Vixie cron): when both day-of-month and day-of-week are restricted, a day matches
 * either; `L` (last day of month), `5L` (last Friday) and `1#2` (second Monday) are supported.
 * DST: a slot in a spring-forward gap runs once after the jump; a repeated local time once, at
 * its first occurrence.
 */

/** A slot filter (e.g. working days only); receives the slot instant, ms UTC. */
export type SlotFilter = (slotMs: number) => boolean;

interface Compiled {
  seconds: number[];
  minutes: number[];
  hours: number[];
  months: Set<number>;
  domStar: boolean;
  dowStar: boolean;
  dom: Array<number | string>;
  dow: Array<number | string>;
}

const compiled = new Map<string, Compiled>();

/**
 * Parses and caches a cron expression (5 fields, or 6 with seconds first).
 * @throws {BadRequestError} code `bad_request` naming the expression and the problem.
 */
export function compileCron(expr: string): Compiled {
  const hit = compiled.get(expr);
  if (hit) return hit;
  const raw = expr.trim().split(/\s+/);
  let f: ReturnType<typeof parse>;
  try {
    f = parse(expr.trim());
  } catch (e) {
    throw new BadRequestError(`invalid cron expression "${expr}": ${(e as Error).message}`);
  }
  const [domRaw, dowRaw] = raw.length === 6 ? [raw[3], raw[5]] : [raw[2], raw[4]];
  for (const v of [...f.dayOfMonth, ...f.dayOfWeek]) {
    if (typeof v === 'string' && !/^(L|[0-7]L|[0-7]#[1-5])$/.test(v))
      throw new BadRequestError(`invalid cron expression "${expr}": unsupported "${v}"`);
  }
  const c: Compiled = {
    seconds: f.second,
    minutes: f.minute,
    hours: f.hour,
    months: new Set(f.month),
    domStar: /^[*?]/.test(domRaw),
    dowStar: /^[*?]/.test(dowRaw),
    dom: f.dayOfMonth,
    dow: f.dayOfWeek,
  };
  compiled.set(expr, c);
  return c;
}

/** True when `expr` is a cron expression {@link cronSlots} accepts (for zod refinements). */
export function isValidCron(expr: string): boolean {
  try {
    compileCron(expr);
    return true;
  } catch {
    return false;
  }
}

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function dayMatches(c: Compiled, ymd: string): boolean {
  const { y, m, d } = parseYmd(ymd);
  if (!c.months.has(m)) return false;
  const wd = weekdayOf(ymd);
  const last = daysInMonth(y, m);
  const domOk = c.dom.some((v) => (v === 'L' ? d === last : v === d));
  const dowOk = c.dow.some((v) => {
    if (typeof v === 'number') return v % 7 === wd;
    const n = Number(v[0]) % 7;
    if (v.endsWith('L')) return n === wd && d + 7 > last;
    return n === wd && Math.ceil(d / 7) === Number(v.slice(2));
  });
  if (c.domStar || c.dowStar) return domOk && dowOk;
  return domOk || dowOk;
}

/**
 * Slot instants of `expr` in zone `tz` within the half-open interval (fromMs, toMs].
 * @param expr cron, local to `tz` (e.g. `30 9 * * *` = 09:30 there every day).
 * @param tz IANA zone.
 * @param filter optional slot filter, e.g. {@link workingDaysOnly}.
 * @returns ms since epoch (UTC), ascending, no duplicates.
 * @throws {BadRequestError} code `bad_request` for a bad expression or zone.
 */
export function cronSlots(
  expr: string,
  tz: string,
  fromMs: number,
  toMs: number,
  filter?: SlotFilter,
): number[] {
  const c = compileCron(expr);
  if (!(toMs > fromMs)) return [];
  const out = new Set<number>();
  const lastDay = localDate(toMs, tz);
  for (let day = addDays(localDate(fromMs, tz), -1); day <= lastDay; day = addDays(day, 1)) {
    if (!dayMatches(c, day)) continue;
    const { y, m, d } = parseYmd(day);
    const midnight = Date.UTC(y, m - 1, d);
    // Fast path: same offset all day (no DST change) → plain arithmetic.
    const off = offsetMinutes(midnight - 14 * 3600_000, tz);
    const steady = off === offsetMinutes(midnight + 38 * 3600_000, tz);
    for (const h of c.hours)
      for (const mi of c.minutes)
        for (const s of c.seconds) {
          const wall = midnight + (h * 3600 + mi * 60 + s) * 1000;
          const t = steady ? wall - off * 60_000 : fromWall(wall, tz);
          if (t > fromMs && t <= toMs && (!filter || filter(t))) out.add(t);
        }
  }
  return [...out].sort((a, b) => a - b);
}

/**
 * The first slot strictly after `afterMs`, searched up to `horizonDays` ahead (default 8 years,
 * enough for `0 9 29 2 *` plus holidays).
 * @returns ms since epoch (UTC), or `undefined` when none within the horizon.
 * @throws {BadRequestError} code `bad_request` for a bad expression or zone.
 */
export function nextSlot(
  expr: string,
  tz: string,
  afterMs: number,
  filter?: SlotFilter,
  horizonDays = 366 * 8,
): number | undefined {
  const end = afterMs + horizonDays * 86_400_000;
  // Small windows first (a minutely cron yields 1,440 slots a day), then month-sized ones.
  for (let from = afterMs, i = 0; from < end; i++) {
    const step = (i < 8 ? 2 : 31) * 86_400_000;
    const found = cronSlots(expr, tz, from, Math.min(from + step, end), filter);
    if (found.length) return found[0];
    from += step;
  }
  return undefined;
}

/** A slot filter keeping slots whose local date in `tz` is a working day of `calendar`. */
export function workingDaysOnly(calendar: WorkCalendar, tz: string): SlotFilter {
  return (slotMs) => calendar.isWorkingDay(localDate(slotMs, tz));
}
