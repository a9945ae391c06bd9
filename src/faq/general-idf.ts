// The idf table that ships with jieba (general-language document frequencies).
import { idf as idfFile } from '@node-rs/jieba/dict.js';

/**
 * General-language inverse document frequency of Chinese words, from the table that ships with
 * jieba (270k words). It tells filler words of chat (`时候` 4.3, `看` 3.8) from topical words
 * (`下雨` 8.5, `报销` 8.5); the FAQ index uses it to weigh query words that the knowledge base
 * does not contain, so "everyday" words cost a question little confidence and topic words the
 * knowledge base does not know cost it a lot.
 */
let table: Map<string, number> | undefined;

/** Median idf of the table: what jieba assumes for a word it has no entry for. */
export const MEDIAN_IDF = 11.95;

/**
 * @returns the general idf of `word` (≈ 0.9 for 的, ≈ 14 for rare words); {@link MEDIAN_IDF}
 *   when the table has no entry. The table is parsed on first use (~0.1 s).
 */
export function generalIdf(word: string): number {
  if (!table) {
    table = new Map();
    for (const line of Buffer.from(idfFile).toString('utf8').split('\n')) {
      const sp = line.indexOf(' ');
      if (sp > 0) table.set(line.slice(0, sp), Number(line.slice(sp + 1)));
    }
  }
  return table.get(word) ?? MEDIAN_IDF;
}
