import { describe, expect, it } from 'vitest';
import { parseChineseNumber } from '../src/survey/chinese-number.ts';
import { normalizeAnswer } from '../src/survey/normalize.ts';
import { type ParseContext, parseAnswer } from '../src/survey/parse-answer.ts';
import type { Question } from '../src/survey/schema.ts';

const ctx: ParseContext = { now: Date.parse('2026-03-02T01:00:00Z'), timeZone: 'Asia/Shanghai' };
const q = (over: Partial<Question>): Question =>
  ({ id: 'q', type: 'text', text: '?', optional: false, ...over }) as Question;

const companyType = q({
  type: 'single',
  options: [
    { value: 'manufacturing', label: '生产型', label_en: 'Manufacturing', aliases: ['工厂'] },
    { value: 'trade', label: '商贸型', label_en: 'Trade' },
    { value: 'services', label: '服务业', label_en: 'Services' },
  ],
});
const tools = q({
  type: 'multi',
  options: [
    { value: 'paper', label: '纸质单据' },
    { value: 'excel', label: 'Excel 表格' },
    { value: 'finance', label: '财务软件' },
    { value: 'oa', label: 'OA 审批' },
    { value: 'none', label: '以上都没有', exclusive: true },
  ],
});
const staff = q({ type: 'number', min: 1, max: 500, integer: true, unit: '人' });
const lag = q({ type: 'number', min: 0, max: 30 });
const scale = q({ type: 'scale' });
const date = q({ type: 'date' });
const yesno = q({ type: 'yesno' });

const value = (question: Question, raw: string, c = ctx) => {
  const r = parseAnswer(question, raw, c);
  return r.ok ? r.value : { rejected: r.reason.code };
};

describe('single choice', () => {
  it.each([
    ['1', 'manufacturing'],
    ['2', 'trade'],
    ['１', 'manufacturing'], // full-width digit
    ['三', 'services'], // Chinese numeral
    ['生产型', 'manufacturing'],
    ['生产', 'manufacturing'], // unique prefix
    ['生', 'manufacturing'],
    ['商贸型。', 'trade'], // trailing punctuation
    [' 服务业 ', 'services'],
    ['生產型', 'manufacturing'], // traditional
    ['商貿', 'trade'], // traditional prefix
    ['服務業', 'services'],
    ['trade', 'trade'], // value
    ['Manufacturing', 'manufacturing'], // English label, any case
    ['ＴＲＡＤＥ', 'trade'], // full-width letters
    ['serv', 'services'], // English prefix
    ['工厂', 'manufacturing'], // alias
  ])('%s → %s', (raw, expected) => {
    expect(value(companyType, raw)).toBe(expected);
  });

  it.each([
    ['4', 'no_such_option'],
    ['0', 'no_such_option'],
    ['农业', 'no_such_option'],
    ['', 'empty'],
  ])('rejects %s (%s)', (raw, code) => {
    expect(value(companyType, raw)).toEqual({ rejected: code });
  });

  it('an ambiguous prefix names the candidates', () => {
    const two = q({
      type: 'single',
      options: [
        { value: 'a', label: '生产型' },
        { value: 'b', label: '生鲜零售' },
      ],
    });
    const r = parseAnswer(two, '生', ctx);
    expect(r).toEqual({ ok: false, reason: { code: 'ambiguous', candidates: ['生产型', '生鲜零售'] } });
  });
});

describe('multi choice', () => {
  it.each([
    ['1,3', ['paper', 'finance']],
    ['1、3', ['paper', 'finance']],
    ['1 3', ['paper', 'finance']],
    ['1，3', ['paper', 'finance']], // full-width comma
    ['3,1', ['paper', 'finance']], // stored in the options' order
    ['３，１', ['paper', 'finance']],
    ['一、三', ['paper', 'finance']],
    ['2', ['excel']],
    ['excel', ['excel']],
    ['Excel 表格', ['excel']], // a label with a space is one choice
    ['excel, 财务', ['excel', 'finance']],
    ['紙質單據、財務軟件', ['paper', 'finance']], // traditional
    ['1,1,3', ['paper', 'finance']],
    ['5', ['none']],
  ])('%s → %j', (raw, expected) => {
    expect(value(tools, raw)).toEqual(expected);
  });

  it.each([
    ['1,9', 'no_such_option'],
    ['13', 'no_such_option'],
    ['1,5', 'exclusive'],
  ])('rejects %s (%s)', (raw, code) => {
    expect(value(tools, raw)).toEqual({ rejected: code });
  });
});

describe('number', () => {
  it.each([
    ['30', 30],
    ['３０', 30],
    ['三十', 30],
    ['十二', 12],
    ['二十五', 25],
    ['一百', 100],
    ['一百零五', 105],
    ['两百', 200],
    ['30人', 30],
    ['约 30 人', 30],
    ['叁拾', 30],
  ])('%s → %d', (raw, expected) => {
    expect(value(staff, raw)).toBe(expected);
  });

  it('keeps decimals when the question allows them, and zero', () => {
    expect(value(lag, '2.5')).toBe(2.5);
    expect(value(lag, '0')).toBe(0);
    expect(value(lag, '零')).toBe(0);
  });

  it.each([
    ['三十来个', 'not_a_number'], // UX.md: an approximate count is asked again
    ['很多', 'not_a_number'],
    ['0', 'out_of_range'],
    ['501', 'out_of_range'],
    ['一千', 'out_of_range'],
    ['2.5', 'not_integer'],
  ])('rejects %s (%s)', (raw, code) => {
    expect(value(staff, raw)).toEqual({ rejected: code });
  });
});

describe('scale', () => {
  it.each([
    ['3', 3],
    ['５', 5],
    ['四', 4],
    ['4分', 4],
  ])('%s → %d', (raw, expected) => {
    expect(value(scale, raw)).toBe(expected);
  });
  it.each(['0', '6', '2.5', '好'])('rejects %s', (raw) => {
    expect(parseAnswer(scale, raw, ctx).ok).toBe(false);
  });
});

describe('yes / no', () => {
  it.each(['是', '对', 'y', 'Y', 'yes', 'YES', '有', '是的', '對', '1', 'ｙｅｓ'])('%s → true', (raw) => {
    expect(value(yesno, raw)).toBe(true);
  });
  it.each(['否', '不是', 'n', 'no', 'No', '没有', '沒有', '无', '2'])('%s → false', (raw) => {
    expect(value(yesno, raw)).toBe(false);
  });
  it.each(['也许', '不知道', '3'])('rejects %s', (raw) => {
    expect(value(yesno, raw)).toEqual({ rejected: 'not_yes_no' });
  });
});

describe('date', () => {
  it.each([
    ['2026-03-05', '2026-03-05'],
    ['2026/3/5', '2026-03-05'],
    ['2026.3.5', '2026-03-05'],
    ['2026年3月5日', '2026-03-05'],
    ['２０２６－０３－０５', '2026-03-05'], // full-width
    ['20260305', '2026-03-05'],
    ['3月5日', '2026-03-05'],
    ['3月5号', '2026-03-05'],
    ['三月五日', '2026-03-05'],
    ['十二月三十一日', '2026-12-31'],
    ['3/5', '2026-03-05'],
    ['今天', '2026-03-02'],
    ['明天', '2026-03-03'],
    ['2028-02-29', '2028-02-29'],
  ])('%s → %s', (raw, expected) => {
    expect(value(date, raw)).toBe(expected);
  });

  it.each(['2026-02-30', '2027-02-29', '13月1日', '下个月', '2026-3'])('rejects %s', (raw) => {
    expect(value(date, raw)).toEqual({ rejected: 'bad_date' });
  });

  it('reads the year of 3月5日 and 今天 in BOT_TIMEZONE, not UTC', () => {
    // 2026-12-31 17:00 UTC is already 2027-01-01 01:00 in Shanghai.
    const newYear = { now: Date.parse('2026-12-31T17:00:00Z'), timeZone: 'Asia/Shanghai' };
    expect(value(date, '3月5日', newYear)).toBe('2027-03-05');
    expect(value(date, '今天', newYear)).toBe('2027-01-01');
    expect(value(date, '今天', { ...newYear, timeZone: 'UTC' })).toBe('2026-12-31');
  });
});

describe('date with future: true (a go-live date)', () => {
  const future = q({ type: 'date', future: true });
  const late = { now: Date.parse('2026-11-29T04:00:00Z'), timeZone: 'Asia/Shanghai' };
  it.each([
    ['3月5日', '2027-03-05'], // already past this year: next year's
    ['3/5', '2027-03-05'],
    ['12月31日', '2026-12-31'], // still to come this year
    ['11月29日', '2026-11-29'], // today counts as to come
    ['2026-03-05', '2026-03-05'], // a year typed is kept as typed
    ['明天', '2026-11-30'],
  ])('on 2026-11-29, %s → %s', (raw, expected) => {
    expect(value(future, raw, late)).toBe(expected);
  });
  it('without future, a year-less date stays in the current year', () => {
    expect(value(date, '3月5日', late)).toBe('2026-03-05');
  });
  it('2月29日 is the next leap year’s; 2月30日 is still refused', () => {
    const after = { now: Date.parse('2027-06-01T04:00:00Z'), timeZone: 'Asia/Shanghai' };
    expect(value(future, '2月29日', after)).toBe('2028-02-29');
    expect(value(future, '2月29日', late)).toBe('2028-02-29');
    const leapDay = { now: Date.parse('2028-02-29T04:00:00Z'), timeZone: 'Asia/Shanghai' };
    expect(value(future, '2月29日', leapDay)).toBe('2028-02-29');
    expect(value(future, '2月30日', late)).toEqual({ rejected: 'bad_date' });
    expect(value(date, '2月29日', late)).toEqual({ rejected: 'bad_date' }); // not future: 2026 has none
  });
});

describe('text', () => {
  const text = q({ type: 'text', maxLength: 10 });
  it('keeps the words as typed (trimmed, not converted)', () => {
    expect(value(text, '  庫存對不上 ')).toBe('庫存對不上');
  });
  it('counts characters, not bytes', () => {
    expect(value(text, '汉'.repeat(10))).toBe('汉'.repeat(10));
    expect(value(text, '汉'.repeat(11))).toEqual({ rejected: 'too_long' });
  });
});

describe('helpers', () => {
  it.each([
    ['三', 3],
    ['十', 10],
    ['十二', 12],
    ['二十', 20],
    ['二十五', 25],
    ['一百', 100],
    ['一百零五', 105],
    ['一百一十', 110],
    ['一百五', 150],
    ['两千三', 2300],
    ['三万五千', 35000],
    ['三万五', 35000],
    ['十万', 100000],
    ['二〇二六', 2026],
  ])('parseChineseNumber(%s) = %d', (s, n) => {
    expect(parseChineseNumber(s)).toBe(n);
  });
  it.each(['', '三五', '百十', '三个', 'abc'])('parseChineseNumber(%s) is undefined', (s) => {
    expect(parseChineseNumber(s)).toBeUndefined();
  });

  it('normalizes traditional to simplified and leaves simplified text unchanged', () => {
    expect(normalizeAnswer('進銷存')).toBe('进销存');
    const simplified = '生产型 商贸型 服务业 纸质单据 财务软件 进销存 后台 面条 只有 着 了 干部 发现 里面';
    expect(normalizeAnswer(simplified)).toBe(simplified);
  });
});

describe('numbers that are not option numbers', () => {
  const repurchase = q({
    type: 'single',
    options: [
      { value: 'low', label: '不到 20%' },
      { value: 'mid', label: '20%–50%' },
      { value: 'high', label: '50% 以上' },
      { value: 'unknown', label: '不清楚' },
    ],
  });
  it('are re-asked, never read as the start of a label', () => {
    expect(value(repurchase, '5')).toEqual({ rejected: 'no_such_option' });
    expect(value(repurchase, '20')).toEqual({ rejected: 'no_such_option' });
    expect(value(repurchase, '3')).toBe('high');
    expect(value(repurchase, '不清')).toBe('unknown');
  });
});
