import type { QueryTerm } from './bm25.ts';

/**
 * Concepts of a question: the typed words that carry a topic (weight ≥ {@link CONCEPT_WEIGHT_MIN}),
 * each counted once however many index terms it produced — a compound and its sub-words
 * (`采购入库` → `采购`, `入库`) or a word and its thesaurus heads are one piece of evidence.
 * An entry that matches three distinct concepts of a question is better evidence than one that
 * matches one concept three times, or one concept and incidental words of its answer text.
 */

/** Query words below this weight (everyday words, {@link wordWeight}) are not concepts of their own. */
export const CONCEPT_WEIGHT_MIN = 0.4;

/** Bit of the answer field in a match mask (`FIELD_BIT.answer` in faq-index.ts). */
const ANSWER_ONLY = 4;

/** What {@link conceptSplit} needs of a query term. */
export interface ConceptTerm extends QueryTerm {
  /** Position of the typed word the term came from (`FaqQueryTerm.origin`). */
  origin: number;
}

/**
 * How many of the question's concepts an entry matches, and how many it does not.
 * A one-character word found only in the answer text does not count as matched (a long answer
 * contains most common characters somewhere).
 * @param terms the question's terms.
 * @param matched per term, the entry's field mask (0 = absent), as in `FaqHit.matched`.
 */
export function conceptSplit(
  terms: readonly ConceptTerm[],
  matched: readonly number[],
): { matched: number; missing: number } {
  const found = new Set<number>();
  const all = new Set<number>();
  terms.forEach((t, j) => {
    if (t.weight < CONCEPT_WEIGHT_MIN) return;
    all.add(t.origin);
    const mk = matched[j];
    if (!mk || (mk === ANSWER_ONLY && t.term.length === 1)) return;
    found.add(t.origin);
  });
  return { matched: found.size, missing: all.size - found.size };
}
