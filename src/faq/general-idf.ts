// The idf table that ships with jieba (general-language document frequencies).
import { idf as idfFile } from '@node-rs/jieba/dict.js';

/**
 * General-language inverse document frequency of Chinese words, from the table that ships with
 * jieba (270k words). It tells filler words of chat (`时候` 4.3, `看` 3.8) from topical words
 * (`下雨` 8.5, `报销` 8.5); the FAQ index uses it to weigh the words of a question.
 *
 * Only words below {@link COMMON_IDF} are kept (~10 % of the table): the FAQ weighting
 * saturates there, and skipping the rest keeps start-up parsing short.
 */
let table: Map<string, number> | undefined;

/** Words at or above this idf are "specific"; they are not stored and read as this value. */
export const COMMON_IDF = 9;

/**
 * @returns the general idf of `word` (≈ 0.9 for 的, ≈ 4.3 for 时候), capped at
 *   {@link COMMON_IDF} (also for words the table lacks). Parses the table on first use.
 */
export function generalIdf(word: string): number {
  table ??= parse();
  return table.get(word) ?? COMMON_IDF;
}

function parse(): Map<string, number> {
  const m = new Map<string, number>();
  const s = Buffer.from(idfFile.buffer, idfFile.byteOffset, idfFile.byteLength).toString('utf8');
  let i = 0;
  while (i < s.length) {
    const sp = s.indexOf(' ', i);
    if (sp < 0) break;
    let nl = s.indexOf('\n', sp);
    if (nl < 0) nl = s.length;
    const v = Number.parseFloat(s.slice(sp + 1, nl));
    if (v < COMMON_IDF) m.set(s.slice(i, sp), v);
    i = nl + 1;
  }
  return m;
}
