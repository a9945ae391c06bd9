import { STOPWORDS } from './stopwords.ts';

/**
 * Circumstance words of chat questions: when, how many, which one. "下周一有个新人来报到" and
 * "明天有个新人来报到" ask the same thing; a knowledge base never distinguishes them, so these
 * words must not count as topic (they are rare in general text, so their general-language idf
 * alone would make them look topical: `下周` 7.8, `三份` 9+). Language knowledge, not domain content.
 */

/** Chinese numerals and quantity words that start a quantity phrase (`三份`, `一百多条`, `几天`, `两个`). */
const NUMERAL = '[零〇一二三四五六七八九十百千万两几半多每某整]';
/**
 * Measure words and time units that may follow a numeral. `键`/`次性`/`起` are not here: `一键`
 * (one click), `一次性`, `一起` are ordinary words, and thesaurus words never count as filler anyway.
 */
const CLASSIFIER =
  '[个张份条天次件批笔号点月年周位台种遍些款首把本套笔单箱袋盒瓶支只间层行列页格块元毛分秒小时星期礼拜日]';
/** A whole token that is a number or a quantity phrase (repetition such as `一条条`, `一件件` included). */
const QUANTITY = new RegExp(
  `^(?:[0-9.,%]+(?:[a-z]|${CLASSIFIER})*|${NUMERAL}+(?:${CLASSIFIER}+|多${CLASSIFIER}*|来${CLASSIFIER}*)*|${NUMERAL}(${CLASSIFIER})\\1)$`,
  'u',
);

/** Time expressions: days, weeks, months, parts of the day, "now". */
const TIME = new RegExp(
  '^(?:' +
    [
      '(?:今|明|昨|后|前|大后|大前|当|每|这|那)天',
      '(?:上|下|本|这|每)(?:个)?(?:周|星期|礼拜|月)[一二三四五六日天末]?',
      '(?:周|星期|礼拜)[一二三四五六日天末]',
      '(?:今|明|去|前|后|每|本)年',
      '(?:年|月)(?:初|中|底)?',
      '(?:早上|上午|中午|下午|晚上|傍晚|半夜|凌晨|早晨|晚间|夜里|白天)',
      '(?:现在|刚才|刚刚|最近|近期|目前|当前|平时|平常|以后|之后|然后|马上|立刻|一会儿?|待会儿?|回头|过几天|好几天|这几天|前几天)',
    ].join('|') +
    ')$',
  'u',
);

/** Memo of {@link isStopwordCompound} (the vocabulary is bounded; index builds ask for every token). */
const compound = new Map<string, boolean>();

/** Whether `token` is made entirely of stopwords (`怎么弄` = 怎么 + 弄, `能不能` ...). */
export function isStopwordCompound(token: string): boolean {
  if (STOPWORDS.has(token)) return true;
  const n = token.length;
  if (n < 2 || n > 8) return false;
  let known = compound.get(token);
  if (known === undefined) {
    known = splitsIntoStopwords(token);
    if (compound.size < 200_000) compound.set(token, known);
  }
  return known;
}

function splitsIntoStopwords(token: string): boolean {
  const n = token.length;
  // ok[i]: token.slice(0, i) splits into stopwords.
  const ok = new Array<boolean>(n + 1).fill(false);
  ok[0] = true;
  for (let i = 1; i <= n; i++)
    for (let j = Math.max(0, i - 4); j < i && !ok[i]; j++) ok[i] = ok[j] && STOPWORDS.has(token.slice(j, i));
  return ok[n];
}

/**
 * Whether a (normalized) query word is a circumstance: a number, a quantity phrase (`三份`,
 * `一百多条`, `两个`), or a time expression (`下周一`, `明天`, `上个月`, `晚上`).
 */
export function isCircumstance(word: string): boolean {
  return QUANTITY.test(word) || TIME.test(word);
}
