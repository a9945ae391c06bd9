import { BadRequestError } from '../core/errors.ts';

/**
 * Time-zone utilities that give the same answer whatever the host's `TZ` is.
 *
 * Why not dayjs's `timezone` plugin: `dayjs(x).tz(zone)` parses `toLocaleString` output in the
 * HOST zone, and `dayjs.tz('YYYY-MM-DD HH:mm', zone)` seeds its guess with host offsets; both
 * are off by an hour when the wall time falls in the host's DST gap (host Europe/London,
 * 2025-03-29T17:30Z shows as 02:30 in Shanghai instead of 01:30 — see
 * test/calendar-time.test.ts). Offsets here come from `Intl.DateTimeFormat` (the IANA data in
 * ICU, host-independent), cached per zone and UTC day; dates are plain `YYYY-MM-DD` strings
 * with UTC arithmetic, which no zone can shift.
 */

/** A local calendar date `YYYY-MM-DD` (no zone attached). */
export type Ymd = string;

/** Wall-clock reading of an instant in a zone. `weekday`: 0 = Sunday … 6 = Saturday. */
export interface LocalTime {
  ymd: Ymd;
  hh: number;
  mm: number;
  ss: number;
  weekday: number;
}

/** Quiet hours as local `HH:MM` (24 h); a window with `start > end` spans midnight. */
export interface QuietHours {
  start: string;
  end: string;
}

export const DEFAULT_QUIET_HOURS: QuietHours = { start: '21:00', end: '08:00' };

const YMD_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const HM_RE = /^([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/;
const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: tz,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
    } catch {
      throw new BadRequestError(`not an IANA time zone: ${tz}`);
    }
    formatters.set(tz, f);
  }
  return f;
}

/** True when `tz` is an IANA zone name this runtime knows (e.g. `Asia/Shanghai`). */
export function isValidTimeZone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

/** Wall-clock fields of `ms` in `tz` as if they were a UTC instant (ms). */
function wallAsUtc(ms: number, tz: string): number {
  const p: Record<string, number> = {};
  for (const part of formatter(tz).formatToParts(new Date(ms))) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
}

const dayOffsets = new Map<string, number | null>();

/**
 * UTC offset of `tz` at instant `ms`, in minutes east of UTC (Shanghai: +480).
 * Cached per zone and UTC day when the offset is the same all that day (a scheduler tick
 * asks for the same few days again and again; ICU takes ~25 µs per call).
 * @throws {BadRequestError} code `bad_request` for an unknown zone.
 */
export function offsetMinutes(ms: number, tz: string): number {
  const day = Math.floor(ms / DAY_MS);
  const key = `${tz}|${day}`;
  let steady = dayOffsets.get(key);
  if (steady === undefined) {
    const a = rawOffset(day * DAY_MS, tz);
    steady = a === rawOffset((day + 1) * DAY_MS - 1000, tz) ? a : null;
    if (dayOffsets.size > 50_000) dayOffsets.clear();
    dayOffsets.set(key, steady);
  }
  return steady ?? rawOffset(ms, tz);
}

function rawOffset(ms: number, tz: string): number {
  const whole = Math.floor(ms / 1000) * 1000;
  return Math.round((wallAsUtc(whole, tz) - whole) / 60_000);
}

/**
 * Reads instant `ms` (UTC) on a wall clock in `tz`.
 * @throws {BadRequestError} code `bad_request` for an unknown zone.
 */
export function localTime(ms: number, tz: string): LocalTime {
  const d = new Date(ms + offsetMinutes(ms, tz) * 60_000);
  return {
    ymd: d.toISOString().slice(0, 10),
    hh: d.getUTCHours(),
    mm: d.getUTCMinutes(),
    ss: d.getUTCSeconds(),
    weekday: d.getUTCDay(),
  };
}

/** The local date (`YYYY-MM-DD`) of instant `ms` in `tz` — "today" there. */
export function localDate(ms: number, tz: string): Ymd {
  return localTime(ms, tz).ymd;
}

/** Parses `YYYY-MM-DD` into its numbers. @throws {BadRequestError} when not a real date. */
export function parseYmd(ymd: string): { y: number; m: number; d: number } {
  const match = YMD_RE.exec(ymd);
  if (match) {
    const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const t = new Date(Date.UTC(y, m - 1, d));
    if (t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d) return { y, m, d };
  }
  throw new BadRequestError(`not a date (YYYY-MM-DD): ${ymd}`);
}

/** True for a real calendar date written `YYYY-MM-DD`. */
export function isYmd(s: string): boolean {
  try {
    parseYmd(s);
    return true;
  } catch {
    return false;
  }
}

/** `ymd` moved by `n` calendar days. */
export function addDays(ymd: Ymd, n: number): Ymd {
  const { y, m, d } = parseYmd(ymd);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** Day of week of a calendar date: 0 = Sunday … 6 = Saturday. */
export function weekdayOf(ymd: Ymd): number {
  const { y, m, d } = parseYmd(ymd);
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

/** Calendar days from `a` to `b` (negative when `b` is earlier). */
export function daysBetween(a: Ymd, b: Ymd): number {
  parseYmd(a);
  parseYmd(b);
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY_MS);
}

/** Parses `HH:MM` or `HH:MM:SS` (24 h) into seconds after midnight. @throws {BadRequestError}. */
export function parseHm(hm: string): number {
  const m = HM_RE.exec(hm);
  if (!m) throw new BadRequestError(`not a time of day (HH:MM): ${hm}`);
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0);
}

/**
 * The instant (ms, UTC) when the wall clock in `tz` reads `hm` on `ymd`.
 * DST rules (as Temporal's `compatible`): a time skipped by a spring-forward gap moves forward by
 * the gap (02:30 → 03:30); a time that occurs twice in a fall-back takes the first occurrence.
 * @param hm `HH:MM` or `HH:MM:SS`, 24 h.
 * @throws {BadRequestError} code `bad_request` for a bad date, time or zone.
 */
export function atLocal(ymd: Ymd, hm: string, tz: string): number {
  const { y, m, d } = parseYmd(ymd);
  return fromWall(Date.UTC(y, m - 1, d) + parseHm(hm) * 1000, tz);
}

/** Instant for a wall time given as "UTC ms" (see {@link atLocal} for DST rules). */
export function fromWall(wall: number, tz: string): number {
  const before = offsetMinutes(wall - DAY_MS, tz) * 60_000;
  const after = offsetMinutes(wall + DAY_MS, tz) * 60_000;
  const candidates = [wall - before, wall - after].filter((t) => offsetMinutes(t, tz) * 60_000 === wall - t);
  if (candidates.length) return Math.min(...candidates);
  // In a gap: use the offset in force before it, which lands after the jump.
  return wall - before;
}

/**
 * Start of the local day `ymd` in `tz` (ms, UTC). Shanghai 2024-06-01 → 2024-05-31T16:00:00Z.
 * @throws {BadRequestError} code `bad_request` for a bad date or zone.
 */
export function startOfLocalDay(ymd: Ymd, tz: string): number {
  return atLocal(ymd, '00:00', tz);
}

/**
 * Holds an instant out of quiet hours: returns `ms` itself when it is outside the window, else
 * the next instant the window ends (e.g. 08:00 local the next morning).
 * @param quiet local `HH:MM` window; `start === end` means no quiet hours.
 * @returns ms since epoch (UTC), `>= ms`.
 */
export function holdForQuietHours(ms: number, tz: string, quiet: QuietHours = DEFAULT_QUIET_HOURS): number {
  const start = parseHm(quiet.start);
  const end = parseHm(quiet.end);
  if (start === end) return ms;
  const lt = localTime(ms, tz);
  const s = lt.hh * 3600 + lt.mm * 60 + lt.ss;
  const endHm = quiet.end;
  if (start < end) return s >= start && s < end ? atLocal(lt.ymd, endHm, tz) : ms;
  if (s >= start) return atLocal(addDays(lt.ymd, 1), endHm, tz);
  if (s < end) return atLocal(lt.ymd, endHm, tz);
  return ms;
}

/** ISO-8601 UTC text of an instant (`2025-10-09T01:30:00.000Z`). */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
