import { addDays, isYmd, parseYmd, weekdayOf, type Ymd } from '../calendar/time.ts';
import type { WorkCalendar } from '../core/calendar.ts';
import type { Locale } from '../core/types.ts';

const pad = (n: number) => String(n).padStart(2, '0');
const ymdOf = (y: number, m: number, d: number): Ymd | undefined => {
  const s = `${y}-${pad(m)}-${pad(d)}`;
  return isYmd(s) ? s : undefined;
};

/**
 * Reads a date typed in chat: `2026-03-05`, `2026/3/5`, `2026年3月5日`, `3月5日`, `3月5号`,
 * `3/5`, `3-5`. Without a year it is the next such date on or after `todayYmd`.
 * @returns `YYYY-MM-DD`, or undefined when the text is not a real date.
 */
export function parseDateInput(text: string, todayYmd: Ymd): Ymd | undefined {
  const s = text.normalize('NFKC').trim().replace(/\s+/g, '');
  let m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?$/u.exec(s);
  if (m) return ymdOf(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(\d{1,2})(?:月(\d{1,2})[日号]?|[/-](\d{1,2}))$/u.exec(s);
  if (!m) return undefined;
  const month = Number(m[1]);
  const day = Number(m[2] ?? m[3]);
  const { y } = parseYmd(todayYmd);
  const same = ymdOf(y, month, day);
  if (same && same >= todayYmd) return same;
  return ymdOf(y + 1, month, day) ?? (same && ymdOf(y + 4, month, day));
}

const ZH_WEEK = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];
const EN_WEEK = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const EN_MONTH = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * A date for people: `12 月 15 日（周一）` / `Mon 15 Dec`; the year is shown only when it is not
 * the year of `todayYmd`. `weekday: false` gives `12 月 15 日` / `15 Dec` (inside parentheses).
 */
export function formatDate(
  ymd: Ymd,
  locale: Locale,
  todayYmd?: Ymd,
  opts: { weekday?: boolean } = {},
): string {
  const { y, m, d } = parseYmd(ymd);
  const wd = weekdayOf(ymd);
  const withWeekday = opts.weekday ?? true;
  const showYear = todayYmd !== undefined && parseYmd(todayYmd).y !== y;
  if (locale === 'en')
    return `${withWeekday ? `${EN_WEEK[wd]} ` : ''}${d} ${EN_MONTH[m - 1]}${showYear ? ` ${y}` : ''}`;
  return `${showYear ? `${y} 年 ` : ''}${m} 月 ${d} 日${withWeekday ? `（${ZH_WEEK[wd]}）` : ''}`;
}

/** `ymd` itself when it is a working day, else the last working day before it (a deadline never moves later). */
export function workingDayOnOrBefore(calendar: WorkCalendar, ymd: Ymd): Ymd {
  let d = ymd;
  for (let i = 0; i < 60 && !calendar.isWorkingDay(d); i++) d = addDays(d, -1);
  return d;
}

/** `ymd` itself when it is a working day, else the next working day (a meeting moves later). */
export function workingDayOnOrAfter(calendar: WorkCalendar, ymd: Ymd): Ymd {
  let d = ymd;
  for (let i = 0; i < 60 && !calendar.isWorkingDay(d); i++) d = addDays(d, 1);
  return d;
}

/** `ymd` plus `n` calendar months, the day clamped to the month's end (Nov 30 + 3 → Feb 28). */
export function addMonths(ymd: Ymd, n: number): Ymd {
  const { y, m, d } = parseYmd(ymd);
  const idx = y * 12 + (m - 1) + n;
  const ny = Math.floor(idx / 12);
  const nm = (idx % 12) + 1;
  const last = new Date(Date.UTC(ny, nm, 0)).getUTCDate();
  return `${ny}-${pad(nm)}-${pad(Math.min(d, last))}`;
}
