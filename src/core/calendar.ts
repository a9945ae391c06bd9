/**
 * Working-day calendar (Chinese statutory holidays and 调休 make-up workdays, plus content
 * overrides). Implemented in src/calendar/; features depend only on this interface.
 * Dates are local calendar dates as `YYYY-MM-DD` strings (no time zone attached).
 */
export interface WorkCalendar {
  /** True on a working day: Mon–Fri that is not a holiday, or a make-up workday (调休). */
  isWorkingDay(ymd: string): boolean;
  /** The holiday's name when `ymd` is a (statutory or estimated) holiday. */
  holidayName(ymd: string): string | undefined;
  /** `ymd` moved by `n` working days (n < 0 goes back). `n = 0` returns `ymd` itself. */
  addWorkingDays(ymd: string, n: number): string;
  /** Working days strictly after `from` up to and including `to` (negative when `to` < `from`). */
  workingDaysBetween(from: string, to: string): number;
  /** Years around `nowYmd` (this and next) that have no official data and use estimates. */
  estimatedYears(nowYmd: string): number[];
}
