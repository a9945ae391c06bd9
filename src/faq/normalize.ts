import * as OpenCC from 'opencc-js/t2cn';

/**
 * Text normalization for FAQ matching, applied to content and queries alike:
 * 1. NFKC — full-width letters, digits and punctuation become half-width (`ＥＲＰ` → `erp`);
 * 2. traditional → simplified with OpenCC (`t` → `cn`; text that is already simplified passes
 *    through unchanged), then `帐` → `账` (OpenCC keeps the variant `帐号`, staff type `账号`);
 * 3. lower case;
 * 4. emoji and their joiners/modifiers are *deleted* (not replaced by a space), so
 *    `你好🙋密码怎么重置` normalizes to exactly `你好密码怎么重置` and nothing after an emoji is lost;
 * 5. a leading mention of the bot (`@小助手`, `@ERP助手 `, glued or not) is stripped;
 * 6. punctuation and symbols become spaces; whitespace is collapsed;
 * 7. chat noise at the end (`谢谢`, `急急急`, `在线等`…) is dropped.
 */

const toSimplified = OpenCC.Converter({ from: 't', to: 'cn' });

/** Emoji, their modifiers, ZWJ, variation selectors, keycap and tag characters. */
const EMOJI = /[\p{Extended_Pictographic}\p{Emoji_Modifier}\p{Regional_Indicator}\u200d\ufe0e\ufe0f\u20e3\u{e0020}-\u{e007f}]/gu;

/**
 * A leading mention: `@` + a name ending in an assistant word (so a glued mention such as
 * `@小助手密码忘了` is cut at the right place), or else `@` + anything up to the first space.
 */
const MENTION = /^(?:\s*@(?:[^\s@]{0,16}?(?:小助手|助手|助理|机器人|小秘书|客服|bot|robot)|\S+(?=\s)))+/u;

/** Politeness and urgency noise at the end of a message (after punctuation became spaces). */
const TRAILING_NOISE =
  /(?:\s*(?:谢谢你?|谢谢您|谢了|多谢|感谢|万分感谢|thanks?|thx|急+|很急|着急|十万火急|在线等|拜托了?|麻烦了?|麻烦你了|求助|求救|help))+\s*$/u;

/** Punctuation and symbols (Unicode P and S categories) — become a space. */
const PUNCT = /[\p{P}\p{S}]+/gu;

/**
 * Normalizes a question or content text for matching (see the module comment for the steps).
 * @param text raw text as typed or as written in content.
 * @returns the normalized text: simplified, lower case, single spaces, no emoji, may be `''`.
 */
export function normalizeText(text: string): string {
  let s = text.normalize('NFKC');
  s = toSimplified(s).replace(/帐(?!篷)/g, '账');
  s = s.toLowerCase().replace(EMOJI, '');
  s = s.replace(MENTION, ' ');
  s = s.replace(PUNCT, ' ').replace(/\s+/g, ' ').trim();
  const cut = s.replace(TRAILING_NOISE, '').trim();
  // A message that is only noise (e.g. just "谢谢") keeps its words.
  return cut || s;
}
