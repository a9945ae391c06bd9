import { answersTiming, asksTiming } from './aspect.ts';
import {
  type Confidence,
  type ConfidenceWeights,
  confidenceOf,
  DEFAULT_CONFIDENCE_WEIGHTS,
} from './confidence.ts';
import type { FaqHit, FaqSearchResult } from './faq-index.ts';

/**
 * Confidence thresholds (`FAQ_ANSWER_THRESHOLD`, `FAQ_MARGIN`, `FAQ_SUGGEST_FLOOR`, and the
 * confidence weights `FAQ_UNMATCHED_PENALTY`, `FAQ_MARGIN_WEIGHT` in src/config.ts), calibrated
 * on the dev eval set with `npm run eval:faq -- --calibrate`.
 */
export interface FaqThresholds {
  /** Minimum confidence (0–1, {@link confidenceOf}) to answer outright. */
  answer: number;
  /** Minimum ratio of the best score to the second best to answer outright (≥ 1; 1 = no hard gate, the ratio already counts in the confidence). */
  margin: number;
  /** Below this confidence (0–1) the bot says it does not know. */
  suggestFloor: number;
  /** How the confidence is computed (default {@link DEFAULT_CONFIDENCE_WEIGHTS}). */
  weights?: ConfidenceWeights;
}

/** What the bot does with a question (tagged union). */
export type FaqDecision =
  /** Confident and clearly ahead: reply with this entry. `others` are the next candidates. */
  | { kind: 'answer'; hit: FaqHit; others: FaqHit[]; confidence: Confidence }
  /** A close call: "您是不是想问…" with up to three candidates. */
  | { kind: 'suggest'; candidates: FaqHit[]; confidence: Confidence }
  /** Nothing good enough, or an out-of-scope topic: offer `转人工`. */
  | {
      kind: 'unknown';
      reason: 'empty' | 'out_of_scope' | 'low_confidence';
      topic?: string;
      candidates: FaqHit[];
    };

/** How many candidates a did-you-mean list shows. */
export const SUGGEST_COUNT = 3;
/**
 * The best entry must share at least one *specific* word with the question: weight ≥ 0.4,
 * i.e. general-language idf ≥ 5.4 (`打印`, `库存`, `请假` — not `今天`, `公司`, `吃`). Chat that
 * only meets the knowledge base on everyday words ("今天吃什么" vs a symptom mentioning 今天)
 * is not a question about it. On the dev eval set every correctly ranked question passes.
 */
export const MIN_ANCHOR = 0.4;

/** A did-you-mean candidate must score at least this share of the best score. */
const SUGGEST_RELATIVE = 0.35;

/**
 * Decides between answering, suggesting and admitting ignorance.
 * - `unknown` when the question touches an out-of-scope topic, has no searchable word
 *   (`empty`), or the best match's confidence ({@link confidenceOf}) is below `suggestFloor`
 *   or it shares no specific word with the question ({@link MIN_ANCHOR});
 * - `answer` when the confidence is at least `answer`, the best score is at least `margin`
 *   times the second best, and the question does not ask *when* / *how long* about an entry whose
 *   own questions never do (`aspect.ts`: "发票什么时候能开出来" is not answered by "怎么开票");
 * - `suggest` otherwise, with the best candidates (up to {@link SUGGEST_COUNT}, each scoring at
 *   least 35 % of the best).
 */
export function decideFaq(r: FaqSearchResult, th: FaqThresholds): FaqDecision {
  const [top] = r.hits;
  if (r.outOfScope)
    return { kind: 'unknown', reason: 'out_of_scope', topic: r.outOfScope.topic, candidates: [] };
  if (!r.terms.length) return { kind: 'unknown', reason: 'empty', candidates: [] };
  const c = confidenceOf(r, th.weights ?? DEFAULT_CONFIDENCE_WEIGHTS);
  if (!top || c.value < th.suggestFloor || top.anchor < MIN_ANCHOR)
    return { kind: 'unknown', reason: 'low_confidence', candidates: [] };
  // A when / how-long question about a how-to entry is a close call at best (`aspect.ts`).
  const offTopic = asksTiming(r.normalized) && !answersTiming(top.entry);
  if (c.value >= th.answer && c.ratio >= th.margin && !offTopic)
    return { kind: 'answer', hit: top, others: r.hits.slice(1), confidence: c };
  const close = r.hits.filter((h) => h.score >= top.score * SUGGEST_RELATIVE);
  return { kind: 'suggest', candidates: close.slice(0, SUGGEST_COUNT), confidence: c };
}
