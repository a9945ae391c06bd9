/** Minimal types for the parts of `lunar-javascript` (no bundled types) that src/calendar uses. */
declare module 'lunar-javascript' {
  interface Solar {
    toYmd(): string;
    next(days: number): Solar;
  }
  interface Lunar {
    getSolar(): Solar;
    /** Solar terms around this lunar year, keyed by Chinese name (`清明`, …). */
    getJieQiTable(): Record<string, Solar>;
  }
  const lunar: {
    Lunar: { fromYmd(year: number, month: number, day: number): Lunar };
    Solar: { fromYmd(year: number, month: number, day: number): Solar };
  };
  export default lunar;
}
