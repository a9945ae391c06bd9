import type { ConfidenceWeights } from './confidence.ts';
import { decideFaq, type FaqThresholds } from './decide.ts';
import type { FaqSearchResult } from './faq-index.ts';

/**
 * Calibration of the FAQ confidence decision on a labelled question set (the dev eval set):
 * a small grid over the two confidence weights and the answer threshold, and a 2-fold
 * cross-validation *by entry* to see whether the fitted rule transfers to questions about
 * entries it was not fitted on. Offline tooling (`npm run eval:faq -- --calibrate`), pure.
 */

/** One labelled question with its search result. */
export interface LabelledResult {
  result: FaqSearchResult;
  /** The entry that answers it, `null` for a question the knowledge base does not cover. */
  expect: string | null;
  /** Its position in the question file (used to split the uncovered questions into folds). */
  n: number;
}

/** Figures of a decision rule on a set of questions. */
export interface CalibrationScore {
  /** Covered questions answered with the expected entry. */
  top1: number;
  /** Covered questions whose entry was answered or offered in the did-you-mean list. */
  top3: number;
  /** Uncovered questions answered with some entry. */
  falseAnswers: number;
  covered: number;
  uncovered: number;
}

/** Scores thresholds on labelled results (retrieval + decision; no bot). */
export function scoreRule(rows: readonly LabelledResult[], th: FaqThresholds): CalibrationScore {
  const s: CalibrationScore = { top1: 0, top3: 0, falseAnswers: 0, covered: 0, uncovered: 0 };
  for (const r of rows) {
    const d = decideFaq(r.result, th);
    const answered = d.kind === 'answer' ? d.hit.entry.id : undefined;
    if (r.expect === null) {
      s.uncovered++;
      if (answered) s.falseAnswers++;
      continue;
    }
    s.covered++;
    if (answered === r.expect) s.top1++;
    if (answered === r.expect || (d.kind === 'suggest' && d.candidates.some((h) => h.entry.id === r.expect)))
      s.top3++;
  }
  return s;
}

/** The grid searched by {@link fitRule}. */
export interface CalibrationGrid {
  unknownPenalty: readonly number[];
  unmatchedPenalty: readonly number[];
  marginWeight: readonly number[];
  /** Values of {@link ConfidenceWeights.conceptWeight} (default `[0]`). */
  conceptWeight?: readonly number[];
  answer: readonly number[];
  margin: readonly number[];
  /** Fixed during the search. */
  suggestFloor: number;
  /** Allowed false-answer share of the uncovered questions (default 0.05). */
  maxFalse?: number;
}

const range = (from: number, to: number, step: number) =>
  Array.from({ length: Math.round((to - from) / step) + 1 }, (_, i) => +(from + i * step).toFixed(4));

/** The default grid: 4 × 3 × 3 × 4 weights, margin gates 1 / 1.05 / 1.1, answer thresholds 0.20–0.90 by 0.01. */
export const DEFAULT_GRID: CalibrationGrid = {
  unknownPenalty: [0.3, 0.6, 1, 1.5],
  unmatchedPenalty: [0, 0.3, 0.6],
  marginWeight: [0, 0.3, 0.6],
  conceptWeight: [0, 0.5, 1, 1.5],
  answer: range(0.2, 0.9, 0.01),
  margin: [1, 1.05, 1.1],
  suggestFloor: 0.2,
};

/** A fitted rule with its figures on the rows it was fitted on. */
export interface FittedRule {
  thresholds: FaqThresholds & { weights: ConfidenceWeights };
  score: CalibrationScore;
}

/**
 * The thresholds with the most right answers (then the most right entries shown, then the
 * fewest false answers) among those with at most `maxFalse` of the uncovered questions answered.
 */
export function fitRule(rows: readonly LabelledResult[], grid: CalibrationGrid = DEFAULT_GRID): FittedRule {
  const uncovered = rows.filter((r) => r.expect === null).length;
  const allowed = Math.floor((grid.maxFalse ?? 0.05) * uncovered + 1e-9);
  let best: FittedRule | undefined;
  for (const unknownPenalty of grid.unknownPenalty)
    for (const unmatchedPenalty of grid.unmatchedPenalty)
      for (const marginWeight of grid.marginWeight)
        for (const conceptWeight of grid.conceptWeight ?? [0])
          for (const margin of grid.margin)
            for (const answer of grid.answer) {
              const thresholds = {
                answer,
                margin,
                suggestFloor: Math.min(grid.suggestFloor, answer),
                weights: { unknownPenalty, unmatchedPenalty, marginWeight, conceptWeight },
              };
              const score = scoreRule(rows, thresholds);
              if (score.falseAnswers > allowed) continue;
              if (!best || better(score, best.score)) best = { thresholds, score };
            }
  if (!best) throw new Error('fitRule: no threshold keeps false answers within bounds');
  return best;
}

function better(a: CalibrationScore, b: CalibrationScore): boolean {
  if (a.top1 !== b.top1) return a.top1 > b.top1;
  if (a.top3 !== b.top3) return a.top3 > b.top3;
  return a.falseAnswers < b.falseAnswers;
}

/**
 * 2-fold cross-validation by entry: covered questions go to the fold of their entry's parity
 * (position in `entryIds`), uncovered ones by their own position; each fold is scored with the
 * rule fitted on the other one. Returns the summed figures and the two fitted rules.
 */
export function crossValidate(
  rows: readonly LabelledResult[],
  entryIds: readonly string[],
  grid: CalibrationGrid = DEFAULT_GRID,
): { score: CalibrationScore; folds: FittedRule[] } {
  const pos = new Map(entryIds.map((id, i) => [id, i]));
  const fold = (r: LabelledResult) => (r.expect === null ? r.n : (pos.get(r.expect) ?? r.n)) % 2;
  const total: CalibrationScore = { top1: 0, top3: 0, falseAnswers: 0, covered: 0, uncovered: 0 };
  const folds: FittedRule[] = [];
  for (const f of [0, 1]) {
    const fitted = fitRule(
      rows.filter((r) => fold(r) !== f),
      grid,
    );
    folds.push(fitted);
    const s = scoreRule(
      rows.filter((r) => fold(r) === f),
      fitted.thresholds,
    );
    for (const k of Object.keys(total) as (keyof CalibrationScore)[]) total[k] += s[k];
  }
  return { score: total, folds };
}
