import * as OpenCC from 'opencc-js/t2cn';
import { CHINESE_NUMERAL_CHARS, parseChineseNumber } from './chinese-number.ts';

/** Traditional → simplified, character by character (OpenCC `t` → `cn`); simplified text is unchanged. */
const toSimplified = OpenCC.Converter({ from: 't', to: 'cn' });

/**
 * Normalizes a typed answer for matching: NFKC (full-width １２ＡＢ → 12AB, full-width
 * punctuation → ASCII where NFKC maps it), traditional → simplified, lower case, trimmed,
 * trailing sentence punctuation dropped. The original text is kept for `text` answers.
 */
export function normalizeAnswer(s: string): string {
  return toSimplified(s.normalize('NFKC'))
    .toLowerCase()
    .trim()
    .replace(/[\s。.!！~～]+$/u, '')
    .trim();
}

const RUN = new RegExp(`[${CHINESE_NUMERAL_CHARS}]+`, 'gu');

/** Replaces each run of Chinese numerals by its Arabic value (三月五日 → 3月5日). */
export function arabize(s: string): string {
  return s.replace(RUN, (run) => {
    const n = parseChineseNumber(run);
    return n === undefined ? run : String(n);
  });
}

/**
 * Reads a number: Arabic (`30`, `-2`, `2.5`, `1,200`) or a Chinese numeral (三, 十二, 二十五,
 * 一百), optionally after 约/大约 and before one of `units` (人, 天…). Input already normalized.
 * @returns the number, or undefined
 */
export function readNumber(s: string, units: string[] = []): number | undefined {
  let t = s.replace(/^(大约|大概|约)/u, '').trim();
  for (const u of [...units].sort((a, b) => b.length - a.length)) {
    if (u && t.endsWith(u.toLowerCase())) {
      t = t.slice(0, -u.length).trim();
      break;
    }
  }
  if (/^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$/.test(t)) t = t.replace(/,/g, '');
  if (/^[-+]?(\d+(\.\d+)?|\.\d+)$/.test(t)) return Number(t);
  const neg = t.startsWith('负');
  const n = parseChineseNumber(neg ? t.slice(1) : t);
  return n === undefined ? undefined : neg ? -n : n;
}
