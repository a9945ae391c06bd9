import { conceptSplit } from './concepts.ts';
import { type FaqHit, type FaqSearchResult, FIELD_BIT } from './faq-index.ts';

/**
 * How sure the bot is that the best hit answers the question: a small log-linear score over
 * a few explainable quantities, squashed to 0–1.
 *
 * - **matched** `M`: the question's evidence the best entry contains — Σ over the question's
 *   terms the entry contains of `weight × idf` (weight = how topical the typed word is in general
 *   language, `wordWeight`; idf = how specific it is within the knowledge base). Absolute, not a
 *   share: a long question with context ("以前那套旧软件还能登吗，我要查2022年的出货记录") still
 *   carries strong evidence for its entry, while chat that meets the knowledge base on one
 *   everyday word ("家里的猫不吃饭") carries little.
 * - **unknown** `Uₙ`: the same sum over the question's terms that *no* entry contains (they count
 *   with the highest idf): a question about something else ("打印机卡纸", "vpn 连不上") is held
 *   back by what it adds. Circumstance words (`下周一`, `三份`) weigh little (`filler.ts`).
 * - **unmatched** `Uₖ`: the same sum over terms other entries have but the best one lacks
 *   (weaker evidence against: often the question's wording of the same thing).
 * - **ratio** `R`: best score / second-best score (entries are distinct, so this is the margin
 *   over a *different* entry); 10 when there is no second.
 * - **concepts** `C`: how many distinct typed words of the question the entry matches
 *   (`concepts.ts`). A question about an adjacent topic usually meets an entry on one word
 *   (the product or module it mentions) and adds its own subject the knowledge base lacks;
 *   a question the entry answers usually meets it on two or more.
 *
 * `evidence = ln M − unknownPenalty · ln(1 + Uₙ) − unmatchedPenalty · ln(1 + Uₖ) + marginWeight · ln R
 * + conceptWeight · ln C`, `confidence = 1 / (1 + e^(−evidence))`. Fitted on the dev eval set
 * (`npm run eval:faq -- --calibrate`, `calibrate.ts`), which also reports a 2-fold
 * cross-validation by entry. On that set the lead over the second entry works better as a hard
 * gate (`FAQ_MARGIN`) than as a weight (fitted 0); the concept count lifted the CV top-1 from
 * ~62 % to ~81 % (1/30 false), its weight 1 was the grid's choice.
 */
export interface ConfidenceWeights {
  /** Weight of `ln(1 + Uₙ)` (≥ 0): how much words unknown to the whole knowledge base count against. */
  unknownPenalty: number;
  /** Weight of `ln(1 + Uₖ)` (≥ 0): how much known words the best entry lacks count against. */
  unmatchedPenalty: number;
  /** Weight of `ln(best / second)` (≥ 0): how much a clear lead counts for. */
  marginWeight: number;
  /** Weight of `ln C` (≥ 0), C = distinct typed words the entry matches ({@link conceptsOf}); default 0. */
  conceptWeight?: number;
}

/** Defaults of `FAQ_UNKNOWN_PENALTY` / `FAQ_UNMATCHED_PENALTY` / `FAQ_MARGIN_WEIGHT` / `FAQ_CONCEPT_WEIGHT` in src/config.ts. */
export const DEFAULT_CONFIDENCE_WEIGHTS: ConfidenceWeights = {
  unknownPenalty: 1,
  unmatchedPenalty: 0,
  marginWeight: 0.6,
  conceptWeight: 1,
};

/**
 * Strength of a one-character word found only in an entry's answer text (`调` in "调整"):
 * a long answer contains most common characters somewhere, so such a match is weak evidence.
 * On the dev eval set 0.2 vs 1 raised the 2-fold CV top-1 from 56.4 % to 62.1 % (fit on all unchanged).
 */
export const LONE_CHAR_IN_ANSWER = 0.2;

/** How many distinct typed words (concepts) of the question `hit` matches (see `concepts.ts`). */
export function conceptsOf(result: FaqSearchResult, hit: FaqHit): number {
  return conceptSplit(result.terms, hit.matched).matched;
}

/** The ratio used when the best hit has no runner-up. */
export const LONE_RATIO = 10;

/** The parts of a confidence, for explanations and calibration. */
export interface Confidence {
  /** `M`: Σ weight × idf of the question terms the entry contains. */
  matched: number;
  /** `Uₙ`: Σ weight × idf of the question terms no entry contains. */
  unknown: number;
  /** `Uₖ`: Σ weight × idf of the question terms other entries contain but this one lacks. */
  unmatched: number;
  /** `R`: score / next entry's score (≥ 1), {@link LONE_RATIO} when alone. */
  ratio: number;
  /** `C`: distinct typed words of the question the entry matches ({@link conceptsOf}). */
  concepts: number;
  /** The log-linear score (unbounded). */
  evidence: number;
  /** `evidence` squashed to 0–1. */
  value: number;
}

/**
 * Confidence that `result.hits[i]` (default the best) is the answer.
 * @returns all parts; `value` 0 when there is no such hit or it matched nothing.
 */
export function confidenceOf(
  result: FaqSearchResult,
  w: ConfidenceWeights = DEFAULT_CONFIDENCE_WEIGHTS,
  i = 0,
): Confidence {
  const hit: FaqHit | undefined = result.hits[i];
  if (!hit)
    return { matched: 0, unknown: 0, unmatched: 0, ratio: 1, concepts: 0, evidence: -Infinity, value: 0 };
  let matched = 0;
  let unknown = 0;
  let unmatched = 0;
  result.terms.forEach((t, j) => {
    const m = t.weight * t.idf;
    const mk = hit.matched[j];
    if (mk) matched += mk === FIELD_BIT.answer && t.term.length === 1 ? m * LONE_CHAR_IN_ANSWER : m;
    else if (t.df === 0) unknown += m;
    else unmatched += m;
  });
  const concepts = conceptSplit(result.terms, hit.matched).matched;
  const next = result.hits[i + 1];
  const ratio = next && next.score > 0 ? hit.score / next.score : LONE_RATIO;
  const evidence =
    matched > 0
      ? Math.log(matched) -
        w.unknownPenalty * Math.log1p(unknown) -
        w.unmatchedPenalty * Math.log1p(unmatched) +
        w.marginWeight * Math.log(ratio) +
        (w.conceptWeight ?? 0) * Math.log(Math.max(1, concepts))
      : -Infinity;
  return { matched, unknown, unmatched, ratio, concepts, evidence, value: 1 / (1 + Math.exp(-evidence)) };
}
