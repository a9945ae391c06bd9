import type { FaqHit, FaqSearchResult } from './faq-index.ts';

/**
 * Confidence thresholds (`FAQ_ANSWER_THRESHOLD`, `FAQ_MARGIN`, `FAQ_SUGGEST_FLOOR` in
 * src/config.ts), calibrated on the dev eval set with `npm run eval:faq`.
 */
export interface FaqThresholds {
  /** Minimum confidence (0–1, share of the question matched) to answer outright. */
  answer: number;
  /** Minimum ratio of the best score to the second best to answer outright (≥ 1). */
  margin: number;
  /** Below this confidence (0–1) the bot says it does not know. */
  suggestFloor: number;
}

/** What the bot does with a question (tagged union). */
export type FaqDecision =
  /** Confident and clearly ahead: reply with this entry. `others` are the next candidates. */
  | { kind: 'answer'; hit: FaqHit; others: FaqHit[] }
  /** A close call: "您是不是想问…" with up to three candidates. */
  | { kind: 'suggest'; candidates: FaqHit[] }
  /** Nothing good enough, or an out-of-scope topic: offer `转人工`. */
  | { kind: 'unknown'; reason: 'empty' | 'out_of_scope' | 'low_confidence'; topic?: string; candidates: FaqHit[] };

/** How many candidates a did-you-mean list shows. */
export const SUGGEST_COUNT = 3;
/** A did-you-mean candidate must score at least this share of the best score. */
const SUGGEST_RELATIVE = 0.35;

/**
 * Decides between answering, suggesting and admitting ignorance.
 * - `unknown` when the question is empty, touches an out-of-scope topic, or the best match
 *   covers less than `suggestFloor` of it;
 * - `answer` when the best match covers at least `answer` of it and scores at least `margin`
 *   times the second best;
 * - `suggest` otherwise, with the best candidates (up to {@link SUGGEST_COUNT}).
 */
export function decideFaq(r: FaqSearchResult, th: FaqThresholds): FaqDecision {
  const [top, second] = r.hits;
  if (!r.terms.length || !top) return { kind: 'unknown', reason: 'empty', candidates: [] };
  if (r.outOfScope) return { kind: 'unknown', reason: 'out_of_scope', topic: r.outOfScope.topic, candidates: [] };
  if (top.confidence < th.suggestFloor) return { kind: 'unknown', reason: 'low_confidence', candidates: [] };
  const ahead = !second || top.score >= second.score * th.margin;
  if (top.confidence >= th.answer && ahead) return { kind: 'answer', hit: top, others: r.hits.slice(1) };
  const close = r.hits.filter((h) => h.confidence >= th.suggestFloor && h.score >= top.score * SUGGEST_RELATIVE);
  return { kind: 'suggest', candidates: close.slice(0, SUGGEST_COUNT) };
}
