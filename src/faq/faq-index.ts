import { Bm25Index, type FieldSpec, type QueryTerm } from './bm25.ts';
import { conceptSplit } from './concepts.ts';
import { isCircumstance, isStopwordCompound } from './filler.ts';
import { generalIdf } from './general-idf.ts';
import { normalizeText } from './normalize.ts';
import { OutOfScopeList, type OutOfScopeMatch } from './out-of-scope.ts';
import type { FaqContent, FaqEntry, OutOfScopeTopic } from './schema.ts';
import {
  addWords,
  complementStem,
  jiebaSegmenter,
  jiebaSegmentMany,
  type Segmenter,
  subwords,
} from './segment.ts';
import { PinyinLexicon, Thesaurus } from './thesaurus.ts';

/** One ranked entry. */
export interface FaqHit {
  entry: FaqEntry;
  /** BM25F score (unbounded). */
  score: number;
  /** Share (0–1) of the question's idf mass found in this entry (questions, symptoms, answer; tags count 0.8). */
  confidence: number;
  /** Weight (0.2–1, {@link wordWeight}) of the most specific question word the entry contains. */
  anchor: number;
  /**
   * Per query term (order of {@link FaqSearchResult.terms}): where the entry contains it, as a
   * bit mask of {@link FIELD_BIT} (question, symptom, answer, tag); 0 when it does not.
   */
  matched: number[];
}

/** A query term with its knowledge-base statistics. */
export interface FaqQueryTerm extends QueryTerm {
  /** BM25 idf over the knowledge base (an unknown term counts as if in one entry). */
  idf: number;
  /** Entries containing the term; 0 = the knowledge base never uses it. */
  df: number;
  /**
   * Which typed word the term came from (its position in the segmented question; corrections
   * get positions after the last word). A compound and its sub-words (`采购入库` → `采购`, `入库`)
   * or a word and its thesaurus heads share one: they are one piece of evidence.
   */
  origin: number;
}

/** What a search found; the decision (answer / suggest / unknown) is {@link decideFaq}'s. */
export interface FaqSearchResult {
  query: string;
  normalized: string;
  /** Query terms after segmentation, stopwords, thesaurus and typo correction. */
  terms: FaqQueryTerm[];
  /** Entries in the index (for idf-based features). */
  size: number;
  /** Best first, at most `k`. */
  hits: FaqHit[];
  /** Set when the question touches an out-of-scope topic the knowledge base does not cover. */
  outOfScope?: OutOfScopeMatch;
}

/** A searchable knowledge base. Immutable: content changes build a new one (see `reload.ts`). */
export interface FaqIndex {
  readonly size: number;
  entries(): readonly FaqEntry[];
  get(id: string): FaqEntry | undefined;
  /**
   * Ranks entries for a question. Pure and synchronous (~0.3 ms CPU for 10,000 entries, see `bench/faq.ts`).
   * @param k how many hits to return (default 5).
   */
  search(query: string, k?: number): FaqSearchResult;
  /** The index terms of a text (normalized, segmented, stopwords out, thesaurus applied). */
  analyze(text: string): string[];
}

/** Options of {@link createFaqIndex}. */
export interface FaqIndexOptions {
  outOfScope?: readonly OutOfScopeTopic[];
  /** Default: jieba precise mode with the rollout user dictionary (`jiebaSegmenter`). */
  segmenter?: Segmenter;
  /** Override field weights (for measurement). */
  fields?: Partial<Record<FaqField, FieldSpec>>;
  /** Weight of a homophone-corrected query term (default 0.6; 0 turns correction off). */
  typoWeight?: number;
}

type FaqField = 'q' | 's' | 'a' | 't';

/** Bits of {@link FaqHit.matched}: the field order of {@link DEFAULT_FIELDS}. */
export const FIELD_BIT = { question: 1, symptom: 2, answer: 4, tag: 8 } as const;

/**
 * Field weights: questions count most, staff symptom phrasings next, answer text least (it
 * has many incidental words). For the confidence, a word found only in the answer counts in
 * full (strength 1): staff describe symptoms the answer explains, and on the dev eval set
 * strength 1 vs 0.5 raised top-1 at ≤ 5 % false answers from 65.0 % to 70.0 %, top-3 shown
 * unchanged at 92.9 % (thresholds re-calibrated; 0.3 lowered top-1 to 60.7 %).
 */
export const DEFAULT_FIELDS: Record<FaqField, FieldSpec> = {
  q: { weight: 3, b: 0.5, strength: 1 },
  s: { weight: 2, b: 0.5, strength: 1 },
  a: { weight: 1, b: 0.75, strength: 1 },
  t: { weight: 1, b: 0, strength: 0.8 },
};

/**
 * How much a typed word counts (0.2–1), from its general-language idf: everyday words
 * (`时候` 4.3 → 0.2, `原来` 5.0 → 0.34) count less than topical ones (`下雨` 8.5, `报销` 8.5 → 0.92).
 * Scales both the word's score contribution and its share of the confidence, so a question
 * full of chat filler is judged by its few topical words. Offset 3 and span 6 were the best of
 * a small grid (offsets 2–5, spans 4–8) on the dev eval set.
 */
export function wordWeight(word: string): number {
  return Math.min(1, Math.max(MIN_WORD_WEIGHT, (generalIdf(word) - 3) / 6));
}

/** The weight of the least informative words (everyday words, and numbers, quantities and times — see `filler.ts`). */
export const MIN_WORD_WEIGHT = 0.2;

/**
 * Weight share of a sub-word of a typed compound the knowledge base also knows whole
 * (`采购入库` → `采购`, `入库`): the compound is the evidence, its parts must not count it three
 * times over. Where the compound is unknown its parts are the only evidence and count in full.
 * On the dev eval set 0.5 vs 1: fit-on-all top-1 75.0 → 76.4 %, 2-fold CV 55.7 → 56.4 %.
 */
const SUBWORD_SHARE = 0.5;

/**
 * A measure word inside a separable verb (`开个户` → `开户`, `改个价` → `改价`): 个 between two Han
 * characters, not after a numeral. The joined word is looked up too (also for typo correction).
 */
const SEPARABLE = /(?<![一二两三四五六七八九十几每某整])(\p{Script=Han})个(?=\p{Script=Han})/gu;

/** How many BM25 hits are re-ranked by concept coverage. */
const RERANK_DEPTH = 10;
/**
 * Re-ranking by concepts (`concepts.ts`): `score × (1 + CONCEPT_BONUS · ln C)`, C = distinct typed
 * words the entry matches. Sibling entries (printing a document vs. editing its template) share
 * the main words; the one that also matches the question's other concept should win, not the one
 * that repeats the shared words most. On the dev eval set 0.7 vs 0: ranking top-1 89.3 → 90.7 %,
 * fit-on-all 84.3 → 85.7 %, 2-fold CV 81.4 → 84.3 % (false answers 1 → 2 of 30).
 */
const CONCEPT_BONUS = 0.7;

/** Test markers such as `〔ID:password-reset〕` (eval content) are not searchable text. */
const MARKER = /〔[^〕]*〕/g;

/**
 * Builds the in-memory index (call at start-up and after each content change): tens of ms for
 * the shipped content, ~2 s CPU for 10,000 entries (`bench/faq.ts`); the first build in a
 * process also loads jieba's dictionary and idf table (~0.5 s).
 * Side effect: thesaurus words are added to the shared jieba user dictionary.
 * Either `createFaqIndex(content)` with everything `loadFaq` returned (entries, thesaurus,
 * out-of-scope topics), or `createFaqIndex(entries, synonyms, opts)`.
 * @param entries knowledge-base entries (ids assumed unique — the loader checks).
 * @param synonyms thesaurus groups, first word canonical.
 * @param opts out-of-scope topics, segmenter and weights.
 */
export function createFaqIndex(content: FaqContent, opts?: Omit<FaqIndexOptions, 'outOfScope'>): FaqIndex;
export function createFaqIndex(
  entries: readonly FaqEntry[],
  synonyms?: readonly (readonly string[])[],
  opts?: FaqIndexOptions,
): FaqIndex;
export function createFaqIndex(
  first: readonly FaqEntry[] | FaqContent,
  second?: readonly (readonly string[])[] | Omit<FaqIndexOptions, 'outOfScope'>,
  third?: FaqIndexOptions,
): FaqIndex {
  if (!Array.isArray(first)) {
    const c = first as FaqContent;
    return buildIndex(c.entries, c.synonyms, { ...(second as FaqIndexOptions), outOfScope: c.outOfScope });
  }
  return buildIndex(
    first as readonly FaqEntry[],
    (second as readonly (readonly string[])[]) ?? [],
    third ?? {},
  );
}

function buildIndex(
  entries: readonly FaqEntry[],
  synonyms: readonly (readonly string[])[],
  opts: FaqIndexOptions,
): FaqIndex {
  const segment = opts.segmenter ?? jiebaSegmenter;
  const thesaurus = new Thesaurus(synonyms);
  if (segment === jiebaSegmenter) addWords(thesaurus.words);
  const oos = new OutOfScopeList(opts.outOfScope ?? []);
  const typoWeight = opts.typoWeight ?? 0.6;

  /** Words of the content (first pass), for sub-word expansion of long tokens. */
  const vocabulary = new Set<string>(thesaurus.words);
  const isKnown = (w: string) => vocabulary.has(w);
  const keep = (tok: string) => thesaurus.has(tok) || !(isStopwordCompound(tok) || /^[a-z]$/.test(tok));
  /** Query-side weight of a typed word: its specificity, or the floor for circumstance words (`下周一`, `三份`). */
  const weightOf = (w: string) => (!thesaurus.has(w) && isCircumstance(w) ? MIN_WORD_WEIGHT : wordWeight(w));
  /** Index terms of segmented text, each with the word as written (for its general-language weight). */
  const termsOf = (
    tokens: readonly string[],
  ): { term: string; word: string; part: boolean; at: number }[] => {
    const out: { term: string; word: string; part: boolean; at: number }[] = [];
    for (const [at, tok] of tokens.entries()) {
      const whole = keep(tok) && thesaurus.map(tok).some((c) => bm.has(c));
      const stem = complementStem(tok, isKnown);
      for (const w of stem ? [stem] : [tok, ...subwords(tok, isKnown)]) {
        if (!keep(w)) continue;
        for (const c of thesaurus.map(w)) out.push({ term: c, word: w, part: whole && w !== tok, at });
      }
    }
    return out;
  };
  /** {@link termsOf} without the words (content side: fewer objects while building). */
  const contentTerms = (tokens: readonly string[]): string[] => {
    const out: string[] = [];
    for (const tok of tokens) {
      const stem = complementStem(tok, isKnown);
      if (stem) {
        if (keep(stem)) for (const c of thesaurus.map(stem)) out.push(c);
        continue;
      }
      if (keep(tok)) for (const c of thesaurus.map(tok)) out.push(c);
      if (tok.length > 2)
        for (const w of subwords(tok, isKnown)) if (keep(w)) for (const c of thesaurus.map(w)) out.push(c);
    }
    return out;
  };
  const analyze = (text: string): string[] => contentTerms(segment(normalizeText(text)));

  // Normalize and segment every text once; the vocabulary must be complete before terms are made.
  const list = [...entries];
  const segmentMany =
    segment === jiebaSegmenter ? jiebaSegmentMany : (xs: readonly string[]) => xs.map(segment);
  const prepared = list.map((e) => {
    const raw = [
      e.title ?? '',
      ...e.questions,
      ...(e.symptoms ?? []),
      e.answer.replace(MARKER, ' '),
      ...(e.tags ?? []),
    ];
    const normalized = raw.map(normalizeText);
    const tokens = segmentMany(normalized);
    for (const ts of tokens) for (const w of ts) vocabulary.add(w);
    const nq = 1 + e.questions.length;
    const ns = nq + (e.symptoms?.length ?? 0);
    return {
      asked: { normalized: normalized.slice(0, nq), tokens: tokens.slice(0, nq) },
      symptoms: { normalized: normalized.slice(nq, ns), tokens: tokens.slice(nq, ns) },
      answer: tokens[ns],
      tags: tokens.slice(ns + 1),
    };
  });
  const bm = new Bm25Index<FaqField>({ ...DEFAULT_FIELDS, ...opts.fields });
  const byId = new Map(list.map((e) => [e.id, e]));
  /** Normalized questions + symptoms, to let content override the out-of-scope list. */
  const askedText: string[] = [];
  // Entries share most of their words: the terms of each distinct token are worked out once per
  // build (the vocabulary is complete by now, so a token's terms no longer change).
  const termCache = new Map<string, readonly string[]>();
  const cachedTerms = (tokens: readonly string[]): string[] => {
    const out: string[] = [];
    for (const tok of tokens) {
      let terms = termCache.get(tok);
      if (!terms) {
        terms = contentTerms([tok]);
        termCache.set(tok, terms);
      }
      for (const t of terms) out.push(t);
    }
    return out;
  };
  const field = (xs: readonly string[][]) => xs.flatMap(cachedTerms);
  for (const p of prepared) {
    bm.add({
      q: field(p.asked.tokens),
      s: field(p.symptoms.tokens),
      a: cachedTerms(p.answer),
      t: field(p.tags),
    });
    askedText.push([...p.asked.normalized, ...p.symptoms.normalized].join(' '));
  }
  bm.build();
  const lexicon = typoWeight > 0 ? new PinyinLexicon([...bm.terms(), ...thesaurus.words]) : undefined;

  return {
    size: list.length,
    entries: () => list,
    get: (id) => byId.get(id),
    analyze,
    search(query, k = 5) {
      const normalized = normalizeText(query);
      const weights = new Map<string, number>();
      /** Term → the typed word it came from (its position), so a word and its sub-words count as one concept. */
      const origin = new Map<string, number>();
      const tokens = segment(normalized);
      for (const { term, word, part, at } of termsOf(tokens)) {
        const w = weightOf(word) * (part ? SUBWORD_SHARE : 1);
        if (w > (weights.get(term) ?? 0)) {
          weights.set(term, w);
          origin.set(term, at);
        }
      }
      let extra = tokens.length;
      // Separable verbs with a measure word inside (`开个户`, `改个价`): the word without it is
      // looked up too, and only counts when the knowledge base uses it.
      const joined = normalized.replace(SEPARABLE, '$1');
      if (joined !== normalized)
        for (const { term, word } of termsOf(segment(joined)))
          if (!weights.has(term) && bm.has(term)) {
            weights.set(term, weightOf(word));
            origin.set(term, extra++);
          }
      if (lexicon) {
        const known = (w: string) => bm.has(w) || thesaurus.has(w) || weights.has(w);
        for (const text of joined === normalized ? [normalized] : [normalized, joined])
          for (const fix of lexicon.corrections(text, known))
            for (const c of thesaurus.map(fix))
              if (!weights.has(c)) {
                weights.set(c, typoWeight);
                origin.set(c, extra++);
              }
      }
      const terms = [...weights].map(([term, weight]) => ({
        term,
        weight,
        origin: origin.get(term) ?? 0,
        idf: bm.idf(term),
        df: bm.df(term),
      }));
      const ranked = bm.search(terms, Math.max(k, RERANK_DEPTH));
      const scored = ranked.map((h) => {
        const concepts = conceptSplit(terms, h.matched).matched;
        return { h, rank: h.score * (1 + CONCEPT_BONUS * Math.log(Math.max(1, concepts))) };
      });
      scored.sort((a, b) => b.rank - a.rank || a.h.doc - b.h.doc);
      const hits = scored.slice(0, k).map(({ h, rank }) => ({
        entry: list[h.doc],
        score: rank,
        confidence: h.coverage,
        anchor: h.anchor,
        matched: h.matched,
      }));
      const best = scored[0]?.h.doc;
      let outOfScope = oos.match(normalized);
      // Content wins: a topic the knowledge base itself asks about is in scope.
      if (outOfScope && best !== undefined && askedText[best].includes(outOfScope.matched))
        outOfScope = undefined;
      return { query, normalized, terms, size: list.length, hits, ...(outOfScope ? { outOfScope } : {}) };
    },
  };
}
