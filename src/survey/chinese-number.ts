const DIGITS: Record<string, number> = {
  零: 0,
  〇: 0,
  一: 1,
  壹: 1,
  二: 2,
  两: 2,
  贰: 2,
  三: 3,
  叁: 3,
  四: 4,
  肆: 4,
  五: 5,
  伍: 5,
  六: 6,
  陆: 6,
  七: 7,
  柒: 7,
  八: 8,
  捌: 8,
  九: 9,
  玖: 9,
};
const UNITS: Record<string, number> = { 十: 10, 拾: 10, 百: 100, 佰: 100, 千: 1000, 仟: 1000 };

/** Characters that may appear in a Chinese numeral (for finding runs inside text). */
export const CHINESE_NUMERAL_CHARS = `${Object.keys(DIGITS).join('')}${Object.keys(UNITS).join('')}万`;

/**
 * Parses a whole-number Chinese numeral (simplified; convert traditional first):
 * 三 → 3, 十二 → 12, 二十五 → 25, 一百 → 100, 一百零五 → 105, 两千 → 2000, 一百五 → 150
 * (colloquial: a trailing digit after 百/千 is the next place), 三万五千 → 35000, 二〇二六 → 2026
 * (digit by digit for a four-digit year; 三五 is refused: it means "three or five").
 * @returns the value, or undefined when `s` is not a numeral
 */
export function parseChineseNumber(s: string): number | undefined {
  if (!s || [...s].some((c) => !(c in DIGITS) && !(c in UNITS) && c !== '万')) return undefined;
  if (![...s].some((c) => c in UNITS || c === '万')) {
    // Digit by digit only for one digit or a year (二〇二六); 三五 means "three or five", not 35.
    if (s.length !== 1 && s.length !== 4) return undefined;
    return Number([...s].map((c) => DIGITS[c]).join(''));
  }
  const [high, low] = s.includes('万') ? splitOnce(s, '万') : ['', s];
  if (s.includes('万')) {
    const h = high ? below10000(high) : undefined;
    const l = low ? below10000(low, true) : 0;
    if (h === undefined || l === undefined) return undefined;
    return h * 10000 + l;
  }
  return below10000(low);
}

function splitOnce(s: string, sep: string): [string, string] {
  const i = s.indexOf(sep);
  return [s.slice(0, i), s.slice(i + sep.length)];
}

/** Parses a numeral below 10 000; `afterWan`: a lone trailing digit is thousands (三万五 = 35000). */
function below10000(s: string, afterWan = false): number | undefined {
  let total = 0;
  let digit: number | undefined;
  let lastUnit = afterWan ? 10000 : 0;
  let zeroSeen = false;
  for (const c of s) {
    if (c in DIGITS) {
      if (digit !== undefined) return undefined; // two digits in a row: 三五
      digit = DIGITS[c];
      if (digit === 0) {
        zeroSeen = true;
        digit = undefined;
      }
    } else {
      const unit = UNITS[c];
      if (lastUnit && unit >= lastUnit) return undefined; // 百十, 十百
      total += (digit ?? (unit === 10 && total === 0 ? 1 : Number.NaN)) * unit;
      if (Number.isNaN(total)) return undefined;
      digit = undefined;
      lastUnit = unit;
      zeroSeen = false;
    }
  }
  if (digit !== undefined) {
    // 一百五 = 150, 两千三 = 2300: a bare digit after a unit (no 零) is the next place down.
    total += !zeroSeen && lastUnit >= 100 ? (digit * lastUnit) / 10 : digit;
  }
  return total;
}
