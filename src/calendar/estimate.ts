import lunar from 'lunar-javascript';
import { addDays } from './time.ts';

const { Lunar } = lunar;

/**
 * Estimated statutory holidays for a year whose arrangement is not announced yet.
 *
 * Rules (the ones in force since 2025, checked against the official 2025 and 2026 data in
 * test/calendar-work-calendar.test.ts: every estimated day is an official holiday there):
 * - 元旦 1/1; 劳动节 5/1–5/5; 国庆节 10/1–10/7, to 10/8 when 中秋 falls inside it (2017, 2020, 2025);
 * - 春节 除夕 to 初七 (8 days; 除夕 is statutory since 2025);
 * - 清明 on the solar term's day; 端午 on 5/5 and 中秋 on 8/15 of the lunar calendar.
 * Make-up workdays (调休) cannot be guessed and are left out; weekends stay rest days.
 * Lunar dates come from `lunar-javascript` (pure arithmetic, host `TZ` plays no part).
 *
 * @param year Gregorian year.
 * @returns date (`YYYY-MM-DD`) → holiday name (Chinese), in date order.
 */
export function estimateHolidays(year: number): Map<string, string> {
  const days = new Map<string, string>();
  const mark = (from: string, count: number, name: string) => {
    for (let i = 0; i < count; i++) {
      const d = addDays(from, i);
      if (!days.has(d)) days.set(d, name);
    }
  };
  const pad = (n: number) => String(n).padStart(2, '0');
  const ymd = (m: number, d: number) => `${year}-${pad(m)}-${pad(d)}`;

  mark(ymd(1, 1), 1, '元旦');

  const newYear = Lunar.fromYmd(year, 1, 1).getSolar();
  mark(newYear.next(-1).toYmd(), 8, '春节');

  mark(Lunar.fromYmd(year, 1, 1).getJieQiTable().清明.toYmd(), 1, '清明');
  mark(ymd(5, 1), 5, '劳动节');
  mark(Lunar.fromYmd(year, 5, 5).getSolar().toYmd(), 1, '端午');

  const midAutumn = Lunar.fromYmd(year, 8, 15).getSolar().toYmd();
  mark(midAutumn, 1, '中秋');
  const nationalFrom = ymd(10, 1);
  const overlaps = midAutumn >= nationalFrom && midAutumn <= ymd(10, 7);
  mark(nationalFrom, overlaps ? 8 : 7, '国庆节');

  return new Map([...days.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
}
