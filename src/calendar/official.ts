import { createRequire } from 'node:module';

/**
 * Official Chinese holiday data (国务院办公厅 arrangements) from the `chinese-days` package.
 *
 * We read its data file, not its functions: the functions parse `YYYY-MM-DD` as UTC and then
 * read it back with local-time getters, so on a host west of UTC (`TZ=America/Los_Angeles`)
 * `getDayDetail('2025-09-28')` answers for 2025-09-27 (checked with chinese-days 1.5.7).
 * Values look like `"National Day,国庆节,3"` (English name, Chinese name, statutory days).
 */
interface ChineseDaysData {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
  inLieuDays: Record<string, string>;
}

const data = createRequire(import.meta.url)('chinese-days/dist/chinese-days.json') as ChineseDaysData;

/** An official day entry: the Chinese and English names of the holiday it belongs to. */
export interface OfficialDay {
  name: string;
  nameEn: string;
}

function entry(v: string | undefined): OfficialDay | undefined {
  if (!v) return undefined;
  const [en, zh] = v.split(',');
  return { name: zh || en, nameEn: en };
}

/** The official holiday on `ymd`, if any. */
export function officialHoliday(ymd: string): OfficialDay | undefined {
  return entry(data.holidays[ymd]);
}

/** The official make-up workday (调休上班) on `ymd`, if any, named after the holiday it pays for. */
export function officialWorkday(ymd: string): OfficialDay | undefined {
  return entry(data.workdays[ymd]);
}

/**
 * Years the package has an announced arrangement for. A year counts only when it has a 春节
 * holiday in it: every annual arrangement has one, while a stray entry (a 元旦 holiday on
 * 12-31 of the year before) does not make a year known.
 */
export const officialYears: ReadonlySet<number> = new Set(
  Object.entries(data.holidays)
    .filter(([, v]) => v.includes('春节'))
    .map(([k]) => Number(k.slice(0, 4))),
);
