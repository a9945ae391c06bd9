/**
 * Text helpers shared by the adapters' renderers: splitting long messages on grapheme
 * boundaries (never inside an emoji or a multi-byte character) and markdown → plain text.
 * Pure functions, no I/O.
 */

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** UTF-8 byte length of a string (lone surrogates count 3, as `Buffer.from` encodes them). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/**
 * Splits `text` into pieces of at most `maxBytes` UTF-8 bytes each, in order.
 * Cuts only between graphemes (an emoji with its modifiers, a CJK character, a letter with its
 * combining marks stay whole). Prefers to cut at a newline in the second half of a piece, else
 * at a space in its last fifth; the newline or space cut at is dropped (it is the message
 * boundary), so joining the pieces gives the text back except for those characters.
 * A single grapheme larger than `maxBytes` (a pathological sequence) is cut between its code
 * points, never inside one.
 * @param text any string; `''` gives `[]`
 * @param maxBytes limit per piece in UTF-8 bytes (≥ 4)
 * @returns the pieces, none empty
 * @throws {RangeError} when `maxBytes` < 4 (a 4-byte character could not fit)
 */
export function splitByBytes(text: string, maxBytes: number): string[] {
  if (!(maxBytes >= 4)) throw new RangeError(`maxBytes must be at least 4, got ${maxBytes}`);
  return splitBy(text, maxBytes, utf8Length);
}

/**
 * Like {@link splitByBytes}, with the limit in UTF-16 code units (`String.length`), which is
 * never less than the count of Unicode code points, so it is safe for platforms counting either.
 * @param maxChars limit per piece (≥ 2)
 * @throws {RangeError} when `maxChars` < 2 (an astral character could not fit)
 */
export function splitByChars(text: string, maxChars: number): string[] {
  if (!(maxChars >= 2)) throw new RangeError(`maxChars must be at least 2, got ${maxChars}`);
  return splitBy(text, maxChars, (s) => s.length);
}

function splitBy(text: string, max: number, measure: (s: string) => number): string[] {
  if (text === '') return [];
  if (measure(text) <= max) return [text];
  const segs = Array.from(graphemes.segment(text), (s) => s.segment);
  const w = segs.map(measure);
  const out: string[] = [];
  let i = 0;
  while (i < segs.length) {
    let size = 0;
    let j = i;
    let nl = -1;
    let nlSize = 0;
    let sp = -1;
    let spSize = 0;
    while (j < segs.length && size + w[j] <= max) {
      if (segs[j] === '\n' || segs[j] === '\r\n') {
        nl = j;
        nlSize = size;
      } else if (/^\s+$/.test(segs[j])) {
        sp = j;
        spSize = size;
      }
      size += w[j];
      j++;
    }
    if (j === i) {
      out.push(...splitCodePoints(segs[i], max, measure));
      i++;
      continue;
    }
    if (j === segs.length) {
      out.push(segs.slice(i, j).join(''));
      break;
    }
    let cut = j;
    let next = j;
    if (nl > i && nlSize >= max / 2) {
      cut = nl;
      next = nl + 1;
    } else if (sp > i && spSize >= max * 0.8) {
      cut = sp;
      next = sp + 1;
    }
    out.push(segs.slice(i, cut).join(''));
    i = next;
  }
  return out.filter((s) => s !== '');
}

/** Last resort for one grapheme longer than the limit: cut between code points. */
function splitCodePoints(s: string, max: number, measure: (s: string) => number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const cp of s) {
    if (cur && measure(cur + cp) > max) {
      out.push(cur);
      cur = '';
    }
    cur += cp;
  }
  if (cur) out.push(cur);
  return out;
}

/**
 * Renders markdown as plain text for platforms without markdown (WeCom app text messages):
 * bold/italic/strikethrough markers removed, `[label](url)` → `label url` (just `url` when the
 * label is the url), `![alt](url)` → `alt url`, `<https://…>` → the url, headings and block quotes
 * → their text, bullets → `• `, code fences and backticks removed (code kept verbatim),
 * backslash escapes resolved. Numbered lists and line breaks are kept.
 * @param md markdown (CommonMark subset as written in `flows/`)
 * @returns plain text
 */
export function markdownToPlain(md: string): string {
  const code: string[] = [];
  const hold = (s: string) => `\u0000${code.push(s) - 1}\u0000`;
  let s = md.replace(/\r\n?/g, '\n').replace(/\u0000/g, '');
  // Code first, so nothing inside it is touched.
  s = s.replace(/^[ \t]*(`{3,}|~{3,})[^\n]*\n([\s\S]*?)\n?[ \t]*\1[ \t]*$/gm, (_, _f, body: string) =>
    hold(body),
  );
  s = s.replace(/(`+)([^`\n]|[^`\n][\s\S]*?[^`\n])\1(?!`)/g, (_, _t, body: string) => hold(body.trim()));
  // Escapes: keep the character, out of reach of the rules below.
  s = s.replace(/\\([\\`*_{}[\]()#+\-.!~>|<])/g, (_, c: string) => hold(c));
  // Links and images.
  s = s.replace(/!\[([^\]]*)\]\(\s*<?([^\s)>]+)>?(?:\s+"[^"]*")?\s*\)/g, (_, alt: string, url: string) =>
    hold(alt ? `${alt} ${url}` : url),
  );
  s = s.replace(/\[([^\]]+)\]\(\s*<?([^\s)>]+)>?(?:\s+"[^"]*")?\s*\)/g, (_, label: string, url: string) => {
    const text = label.trim();
    return text === url ? hold(url) : `${text} ${hold(url)}`;
  });
  s = s.replace(/<((?:https?|mailto):[^\s>]+)>/g, (_, url: string) => hold(url));
  // Block structure, line by line.
  s = s
    .split('\n')
    .map((line) => {
      let l = line;
      if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(l)) return '———';
      l = l.replace(/^\s{0,3}#{1,6}\s+(.*?)(\s+#+\s*)?$/, '$1');
      l = l.replace(/^\s{0,3}(>\s?)+/, '');
      l = l.replace(/^(\s*)[-*+]\s+(\[[ xX]\]\s+)?/, (_, ind: string, box?: string) => {
        const mark = box ? (box.trim() === '[ ]' ? '☐ ' : '☑ ') : '• ';
        return `${ind}${mark}`;
      });
      return l;
    })
    .join('\n');
  // Inline emphasis (after bullets, so `* item` is not taken for italics).
  const span = '(?=\\S)((?:[^\\n]|\\n(?!\\n))*?\\S)';
  s = s.replace(new RegExp(`\\*\\*${span}\\*\\*`, 'g'), '$1');
  s = s.replace(new RegExp(`(^|[^\\p{L}\\p{N}_])__${span}__(?![\\p{L}\\p{N}_])`, 'gu'), '$1$2');
  s = s.replace(new RegExp(`~~${span}~~`, 'g'), '$1');
  s = s.replace(/\*([^\s*](?:[^*\n]*?[^\s*])?)\*/g, '$1');
  s = s.replace(/(^|[^\p{L}\p{N}_])_(?=\S)([^_\n]*?\S)_(?![\p{L}\p{N}_])/gu, '$1$2');
  // Restore held pieces (they may nest: a link's url inside a held image, etc.).
  while (s.includes('\u0000')) s = s.replace(/\u0000(\d+)\u0000/g, (_, n: string) => code[Number(n)]);
  return s.replace(/[ \t]+$/gm, '');
}

/** A number a label may already start with: `3. `, `3、`, `3．`, `3) `. */
const LABEL_NUMBER = /^(\d+)\s*[.、．)]\s*/;

/** A button label without the leading number `i + 1` it may carry (`"2. 否"` → `"否"`). */
export function labelCore(label: string, i: number): string {
  const l = label.trim();
  const m = LABEL_NUMBER.exec(l);
  return m && Number(m[1]) === i + 1 ? l.slice(m[0].length) : l;
}

/**
 * `"1. 生产型"` for the button at index `i` (0-based) in a numbered fallback list, without
 * doubling a number the label already carries (lesson quizzes label buttons `1. …`, so a
 * naive prefix gave `1. 1. …`).
 */
export function numberedLabel(label: string, i: number): string {
  return `${i + 1}. ${labelCore(label, i)}`;
}

/**
 * True when `text` already lists every button as a numbered choice (`1. 生产型` … — the survey
 * and the lesson quiz write their options into the text themselves), so a renderer must not
 * list them again. A label shortened with a trailing `…` matches the start of the full option.
 */
export function listsButtons(text: string, buttons: readonly { label: string }[]): boolean {
  return buttons.every((b, i) => text.includes(`${i + 1}. ${labelCore(b.label, i).replace(/…$/, '')}`));
}
