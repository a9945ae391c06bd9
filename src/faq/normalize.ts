import * as OpenCC from 'opencc-js/t2cn';
import { generalIdf } from './general-idf.ts';

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

const convert = OpenCC.Converter({ from: 't', to: 'cn' });

/**
 * Characters whose presence means OpenCC may change the text; text without any of them is
 * already simplified and skips the (slower) converter. Built from OpenCC's own t→cn tables:
 * every key character, plus for each phrase key made only of non-key characters (`想像`,
 * `反覆`) its rarest character — a phrase cannot match without it. Exact by construction.
 */
const TRIGGERS: ReadonlySet<string> = (() => {
  const locale = (
    OpenCC as unknown as {
      Locale: { configs: Record<string, { normalizationChain?: string[][] }>; to: { cn: string[][] } };
    }
  ).Locale;
  const keys = (dict: string) =>
    dict
      .split('|')
      .map((pair) => pair.split(' ')[0])
      .filter(Boolean);
  const set = new Set<string>();
  const [phrases, chars] = locale.to.cn[0];
  for (const dict of [...(locale.configs.t2s?.normalizationChain?.flat() ?? []), chars])
    for (const k of keys(dict)) for (const ch of k) set.add(ch);
  for (const k of keys(phrases)) {
    const cs = [...k];
    if (cs.some((ch) => set.has(ch))) continue;
    set.add(cs.reduce((a, b) => (generalIdf(b) > generalIdf(a) ? b : a)));
  }
  return set;
})();

/** {@link TRIGGERS} as a lookup table over UTF-16 code units (BMP) plus a set of astral code points. */
const BMP_TRIGGER = new Uint8Array(0x10000);
const ASTRAL_TRIGGER = new Set<number>();
for (const ch of TRIGGERS) {
  const cp = ch.codePointAt(0)!;
  if (cp < 0x10000) BMP_TRIGGER[cp] = 1;
  else ASTRAL_TRIGGER.add(cp);
}

/** Whether `s` has a character OpenCC could change (a plain loop: much faster than a regex class of 4,500 characters). */
function hasTrigger(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      if (ASTRAL_TRIGGER.has(s.codePointAt(i)!)) return true;
      i++;
    } else if (BMP_TRIGGER[c]) return true;
  }
  return false;
}

/** Traditional → simplified, skipping text that has no character OpenCC could change. */
function toSimplified(s: string): string {
  return hasTrigger(s) ? convert(s) : s;
}

/** Emoji, their modifiers, ZWJ, variation selectors, keycap and tag characters. */
const EMOJI =
  /\p{Extended_Pictographic}|\p{Emoji_Modifier}|\p{Regional_Indicator}|\u200d|[\ufe0e\ufe0f\u20e3\u{e0020}-\u{e007f}]/gu;

/**
 * A leading mention: `@` + a name ending in an assistant word (so a glued mention such as
 * `@小助手密码忘了` is cut at the right place), or else `@` + anything up to the first space.
 */
const MENTION = /^(?:\s*@(?:[^\s@]{0,16}?(?:小助手|助手|助理|机器人|小秘书|客服|bot|robot)|\S+(?=\s)))+/u;

/** Politeness and urgency noise at the end of a message (after punctuation became spaces). */
const TRAILING_NOISE =
  /(?:\s*(?:谢谢你?|谢谢您|谢了|多谢|感谢|万分感谢|thanks?|thx|急+|很急|着急|十万火急|在线等|拜托了?|麻烦了?|麻烦你了|求助|求救|help))+\s*$/u;

/** How many trailing characters {@link TRAILING_NOISE} looks at. */
const TAIL = 40;

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
  // The noise sits at the end; match on the tail only (the regex would otherwise be tried at
  // every position of a long answer text).
  const tail = s.length > TAIL ? s.length - TAIL : 0;
  const cut = (s.slice(0, tail) + s.slice(tail).replace(TRAILING_NOISE, '')).trim();
  // A message that is only noise (e.g. just "谢谢") keeps its words.
  return cut || s;
}
