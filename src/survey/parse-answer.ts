import type { AnswerValue } from './condition.ts';
import { arabize, normalizeAnswer, readNumber } from './normalize.ts';
import { type Question, type QuestionOption, scaleRange } from './schema.ts';

/** Why an answer was not accepted; the feature turns it into a re-prompt with an example. */
export type Rejection =
  | { code: 'empty' }
  | { code: 'no_such_option'; count: number }
  | { code: 'ambiguous'; candidates: string[] }
  | { code: 'exclusive'; label: string }
  | { code: 'not_a_number' }
  | { code: 'not_integer' }
  | { code: 'out_of_range'; min?: number; max?: number }
  | { code: 'bad_date' }
  | { code: 'not_yes_no' }
  | { code: 'too_long'; max: number };

/** Outcome of parsing one answer. */
export type ParsedAnswer = { ok: true; value: AnswerValue } | { ok: false; reason: Rejection };

export interface ParseContext {
  /** Turn time, ms since epoch (UTC): the year of `3月5日`, 今天/明天. */
  now: number;
  /** IANA zone the dates are read in (BOT_TIMEZONE). */
  timeZone: string;
}

const YES = [
  '是',
  '是的',
  '对',
  '对的',
  '没错',
  '有',
  '有的',
  '会',
  '能',
  '可以',
  '接受',
  '愿意',
  '好',
  'y',
  'yes',
  'true',
  '1',
];
const NO = [
  '否',
  '不是',
  '不',
  '不对',
  '没有',
  '没',
  '无',
  '不会',
  '不能',
  '不可以',
  '不接受',
  '不愿意',
  'n',
  'no',
  'false',
  '2',
];

/**
 * Parses a typed answer for `q`. Pure: time comes from `ctx`.
 * - choices: the option's number (Arabic, full-width or Chinese), value, label, English label,
 *   an alias, or a unique prefix of a label (生产 → 生产型); traditional characters accepted;
 *   `multi` takes several as `1,3` / `1、3` / `1 3` / `1，3`, stored in the options' order;
 * - `number`/`scale`: Arabic or Chinese numerals, in range; `yesno`: 是/否/对/不是/有/没有/y/n…;
 * - `date`: `2026-03-05`, `2026/3/5`, `2026年3月5日`, `3月5日`, `3/5` (year of `now` in
 *   `timeZone`; with `future: true`, next year once this year's date has passed), 今天/明天/后天
 *   → `YYYY-MM-DD`, checked against the calendar;
 * - `text`: trimmed, at most `maxLength` characters.
 */
export function parseAnswer(q: Question, raw: string, ctx: ParseContext): ParsedAnswer {
  const s = normalizeAnswer(raw);
  if (!s) return fail({ code: 'empty' });
  switch (q.type) {
    case 'single':
      return parseSingle(q.options ?? [], s);
    case 'multi':
      return parseMulti(q.options ?? [], s);
    case 'yesno':
      return YES.includes(s) ? ok(true) : NO.includes(s) ? ok(false) : fail({ code: 'not_yes_no' });
    case 'scale': {
      const { min, max } = scaleRange(q);
      const n = readNumber(s, ['分', '星']);
      if (n === undefined) return fail({ code: 'not_a_number' });
      if (!Number.isInteger(n) || n < min || n > max) return fail({ code: 'out_of_range', min, max });
      return ok(n);
    }
    case 'number': {
      const n = readNumber(
        s,
        [q.unit, q.unit_en, '人', '天', '个', '名', '位', '次', '家', '日', '%'].filter(isStr),
      );
      if (n === undefined) return fail({ code: 'not_a_number' });
      if (q.integer && !Number.isInteger(n)) return fail({ code: 'not_integer' });
      if ((q.min !== undefined && n < q.min) || (q.max !== undefined && n > q.max))
        return fail({ code: 'out_of_range', min: q.min, max: q.max });
      return ok(n);
    }
    case 'date':
      return parseDate(s, ctx, q.future === true);
    case 'text': {
      const text = raw.trim();
      if (q.maxLength !== undefined && [...text].length > q.maxLength)
        return fail({ code: 'too_long', max: q.maxLength });
      return ok(text);
    }
  }
}

const ok = (value: AnswerValue): ParsedAnswer => ({ ok: true, value });
const fail = (reason: Rejection): ParsedAnswer => ({ ok: false, reason });
const isStr = (x: string | undefined): x is string => !!x;

const names = (o: QuestionOption) =>
  [o.value, o.label, o.label_en, ...(o.aliases ?? [])].filter(isStr).map(normalizeAnswer);

/** One choice: index, exact name, or unique prefix. */
function matchOption(
  options: QuestionOption[],
  s: string,
): { ok: true; option: QuestionOption } | { ok: false; reason: Rejection } {
  const n = /^\d+$/.test(s) ? Number(s) : readNumber(s);
  if (n !== undefined && Number.isInteger(n)) {
    if (n >= 1 && n <= options.length) return { ok: true, option: options[n - 1] };
    // A number that is not an index may still be a label (e.g. "2020"), checked below.
  }
  const exact = options.filter((o) => names(o).includes(s));
  if (exact.length === 1) return { ok: true, option: exact[0] };
  // A typed number that is not an option's number is never read as the start of a label
  // ("5" is not "50% 以上"): re-ask instead of storing an answer the user did not mean.
  if (/^\d/.test(s)) return { ok: false, reason: { code: 'no_such_option', count: options.length } };
  const prefixed = options.filter((o) => names(o).some((name) => name.startsWith(s)));
  if (prefixed.length === 1) return { ok: true, option: prefixed[0] };
  if (prefixed.length > 1)
    return { ok: false, reason: { code: 'ambiguous', candidates: prefixed.map((o) => o.label) } };
  return { ok: false, reason: { code: 'no_such_option', count: options.length } };
}

function parseSingle(options: QuestionOption[], s: string): ParsedAnswer {
  const m = matchOption(options, s);
  return m.ok ? ok(m.option.value) : fail(m.reason);
}

function parseMulti(options: QuestionOption[], s: string): ParsedAnswer {
  const whole = matchOption(options, s);
  let chosen: QuestionOption[];
  if (whole.ok) chosen = [whole.option];
  else {
    let parts = s.split(/\s*[,、;/]\s*/u).filter(Boolean);
    if (parts.length < 2) parts = s.split(/\s+/u).filter(Boolean);
    if (parts.length < 2) return fail(whole.reason);
    chosen = [];
    for (const p of parts) {
      const m = matchOption(options, p);
      if (!m.ok) return fail(m.reason);
      chosen.push(m.option);
    }
  }
  const set = new Set(chosen.map((o) => o.value));
  const exclusive = options.find((o) => o.exclusive && set.has(o.value));
  if (exclusive && set.size > 1) return fail({ code: 'exclusive', label: exclusive.label });
  return ok(options.filter((o) => set.has(o.value)).map((o) => o.value));
}

/** Calendar date of `now` in `timeZone` as [year, month, day]. */
function today(now: number, timeZone: string): [number, number, number] {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(now);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  return [get('year'), get('month'), get('day')];
}

/**
 * Date forms: full dates (`2026-03-05`, `2026/3/5`, `2026年3月5日`, `20260305`), then month and
 * day (`3月5日`, `3/5`: `yearless`, read in the current year, or the next occurrence for a
 * `future` question).
 */
const DATE_FORMS: Array<{
  re: RegExp;
  yearless?: true;
  ymd: (m: RegExpExecArray, year: number) => [number, number, number];
}> = [
  { re: /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?$/u, ymd: (m) => [+m[1], +m[2], +m[3]] },
  { re: /^(\d{4})(\d{2})(\d{2})$/, ymd: (m) => [+m[1], +m[2], +m[3]] },
  { re: /^(\d{1,2})月(\d{1,2})[日号]?$/u, yearless: true, ymd: (m, year) => [year, +m[1], +m[2]] },
  { re: /^(\d{1,2})[-/.](\d{1,2})$/, yearless: true, ymd: (m, year) => [year, +m[1], +m[2]] },
];

function parseDate(s: string, ctx: ParseContext, future: boolean): ParsedAnswer {
  const [y0, m0, d0] = today(ctx.now, ctx.timeZone);
  const relative = ['今天', '明天', '后天'].indexOf(s);
  if (relative >= 0) return ok(iso(new Date(Date.UTC(y0, m0 - 1, d0 + relative))));
  const t = arabize(s).replace(/\s+/g, '');
  for (const form of DATE_FORMS) {
    const m = form.re.exec(t);
    if (!m) continue;
    let [y, mo, d] = form.ymd(m, y0);
    // A date to come typed without a year: its next occurrence, today or later (2月29日: the next
    // leap year's; a day no year has, like 2月30日, is still refused below).
    if (future && form.yearless)
      for (let k = 0; k < 8 && (!isDate(y, mo, d) || Date.UTC(y, mo - 1, d) < Date.UTC(y0, m0 - 1, d0)); k++)
        y++;
    const date = new Date(Date.UTC(y, mo - 1, d));
    // Date.UTC rolls 2月30日 over to March: a real calendar date must come back unchanged.
    if (!isDate(y, mo, d)) break;
    return ok(iso(date));
  }
  return fail({ code: 'bad_date' });
}

const iso = (d: Date) => d.toISOString().slice(0, 10);

/** Whether year `y`, month `mo` (1–12), day `d` is a real calendar date. */
function isDate(y: number, mo: number, d: number): boolean {
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}
