import type { TurnTx } from '../core/feature.ts';
import type { UserKey } from '../core/types.ts';
import { normalizeText } from './normalize.ts';

/** Collection of questions the FAQ did not answer or that users disliked. */
export const GAPS = 'faq-gaps';

/** Why a question is a gap. */
export type GapReason = 'unknown' | 'out_of_scope' | 'disliked';

/** One logged question (collection {@link GAPS}, key `<at padded>:<message id>` so keys sort by time). */
export interface FaqGap {
  question: string;
  reason: GapReason;
  userKey: UserKey;
  /** ms since epoch, UTC. */
  at: number;
  /** The disliked entry (reason `disliked`). */
  entryId?: string;
  /** The out-of-scope topic (reason `out_of_scope`). */
  topic?: string;
}

/** Stages a gap write in the turn (committed with the session). */
export function logGap(tx: TurnTx, messageId: string, gap: FaqGap): void {
  tx.put(GAPS, `${String(gap.at).padStart(13, '0')}:${messageId}`, gap);
}

/** Similar gap questions together, for `GET /api/faq/gaps`. */
export interface GapGroup {
  /** The most frequent wording in the group (first seen on ties). */
  question: string;
  count: number;
  reasons: Partial<Record<GapReason, number>>;
  /** Up to five distinct wordings, most frequent first. */
  examples: string[];
  /** Disliked entries and how often. */
  entries?: Record<string, number>;
  topics?: string[];
  firstAt: string;
  lastAt: string;
}

/** Jaccard similarity at or above which two questions are grouped. */
export const GROUP_SIMILARITY = 0.5;

/**
 * Groups gap questions by similarity: greedy single pass in time order; a question joins the
 * first group whose seed shares at least {@link GROUP_SIMILARITY} (Jaccard) of its index terms
 * (thesaurus applied, so `密码忘了` meets `忘记密码`); questions without terms compare by
 * character bigrams.
 * @param analyze the FAQ index's term extractor.
 * @returns groups, largest first (then most recent first).
 */
export function groupGaps(gaps: readonly FaqGap[], analyze: (text: string) => string[]): GapGroup[] {
  const groups: { seed: Set<string>; items: FaqGap[] }[] = [];
  for (const g of [...gaps].sort((a, b) => a.at - b.at)) {
    const terms = termsOf(g.question, analyze);
    const home = groups.find((x) => jaccard(x.seed, terms) >= GROUP_SIMILARITY);
    if (home) home.items.push(g);
    else groups.push({ seed: terms, items: [g] });
  }
  return groups
    .map(({ items }) => summarize(items))
    .sort((a, b) => b.count - a.count || b.lastAt.localeCompare(a.lastAt));
}

function termsOf(question: string, analyze: (text: string) => string[]): Set<string> {
  const terms = new Set(analyze(question));
  if (terms.size) return terms;
  const s = normalizeText(question).replace(/\s/g, '');
  for (let i = 0; i + 1 < s.length; i++) terms.add(s.slice(i, i + 2));
  if (!terms.size && s) terms.add(s);
  return terms;
}

function jaccard(a: Set<string>, b: Set<string>): number {
  if (!a.size && !b.size) return 1;
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}

function summarize(items: FaqGap[]): GapGroup {
  const wordings = new Map<string, number>();
  const reasons: Partial<Record<GapReason, number>> = {};
  const entries: Record<string, number> = {};
  const topics = new Set<string>();
  for (const g of items) {
    const w = g.question.trim();
    wordings.set(w, (wordings.get(w) ?? 0) + 1);
    reasons[g.reason] = (reasons[g.reason] ?? 0) + 1;
    if (g.entryId) entries[g.entryId] = (entries[g.entryId] ?? 0) + 1;
    if (g.topic) topics.add(g.topic);
  }
  // Map iteration keeps first-seen order, so a stable sort breaks ties by first appearance.
  const ranked = [...wordings].sort((a, b) => b[1] - a[1]).map(([w]) => w);
  return {
    question: ranked[0],
    count: items.length,
    reasons,
    examples: ranked.slice(0, 5),
    ...(Object.keys(entries).length ? { entries } : {}),
    ...(topics.size ? { topics: [...topics] } : {}),
    firstAt: new Date(items[0].at).toISOString(),
    lastAt: new Date(items[items.length - 1].at).toISOString(),
  };
}
