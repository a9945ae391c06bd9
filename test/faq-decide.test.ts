import { describe, expect, it } from 'vitest';
import { confidenceOf, LONE_CHAR_IN_ANSWER } from '../src/faq/confidence.ts';
import { decideFaq, MIN_ANCHOR } from '../src/faq/decide.ts';
import { type FaqHit, type FaqSearchResult, FIELD_BIT } from '../src/faq/faq-index.ts';

/**
 * Decision tests use one query term that every hit contains, with all confidence weights 0, so
 * the best hit's confidence is σ(ln(weight × idf)): {@link termFor} picks the idf that makes it a
 * round number.
 */
const weights = { unknownPenalty: 0, unmatchedPenalty: 0, marginWeight: 0 };
const th = { answer: 0.6, margin: 1.2, suggestFloor: 0.3, weights };
const hit = (id: string, score: number, confidence: number, anchor = 1): FaqHit => ({
  entry: { id, questions: [id], answer: id },
  score,
  confidence,
  anchor,
  matched: [1],
});
/** One query term whose weight × idf makes the best hit's confidence exactly `conf`. */
const termFor = (conf: number) => ({ term: 'q', weight: 1, idf: conf / (1 - conf), df: 1, origin: 0 });
const result = (hits: FaqHit[], extra: Partial<FaqSearchResult> = {}): FaqSearchResult => ({
  query: 'q',
  normalized: 'q',
  terms: [termFor(hits[0]?.confidence ?? 0.5)],
  size: 10,
  hits,
  ...extra,
});

describe('decideFaq', () => {
  it('answers when confident and clearly ahead of the second', () => {
    const d = decideFaq(result([hit('a', 10, 0.8), hit('b', 5, 0.4)]), th);
    expect(d.kind).toBe('answer');
    if (d.kind === 'answer') expect(d.confidence.value).toBeCloseTo(0.8, 5);
    if (d.kind === 'answer') {
      expect(d.hit.entry.id).toBe('a');
      expect(d.others.map((h) => h.entry.id)).toEqual(['b']);
    }
    expect(decideFaq(result([hit('a', 10, 0.6)]), th).kind).toBe('answer'); // alone: nothing to be ahead of
  });

  it('suggests the top candidates when the second is too close', () => {
    const d = decideFaq(
      result([hit('a', 10, 0.8), hit('b', 9, 0.7), hit('c', 8, 0.6), hit('d', 7, 0.5)]),
      th,
    );
    expect(d.kind).toBe('suggest');
    if (d.kind === 'suggest') expect(d.candidates.map((h) => h.entry.id)).toEqual(['a', 'b', 'c']);
  });

  it('suggests when confidence is between the floor and the answer threshold', () => {
    const d = decideFaq(result([hit('a', 10, 0.5), hit('b', 2, 0.05)]), th);
    expect(d.kind).toBe('suggest');
    // Candidates far behind the best (< 35 % of its score) are not offered.
    if (d.kind === 'suggest') expect(d.candidates.map((h) => h.entry.id)).toEqual(['a']);
  });

  it('does not know below the floor, or when nothing matched', () => {
    expect(decideFaq(result([hit('a', 1, 0.2)]), th)).toMatchObject({
      kind: 'unknown',
      reason: 'low_confidence',
    });
    expect(decideFaq(result([]), th)).toMatchObject({ kind: 'unknown', reason: 'low_confidence' });
  });

  it('does not know when only everyday words matched (no specific anchor word)', () => {
    expect(decideFaq(result([hit('a', 10, 0.9, MIN_ANCHOR - 0.01)]), th)).toMatchObject({ kind: 'unknown' });
    expect(decideFaq(result([hit('a', 10, 0.9, MIN_ANCHOR)]), th).kind).toBe('answer');
  });

  it('routes out-of-scope topics to unknown even with a confident match', () => {
    const d = decideFaq(
      result([hit('a', 10, 0.9)], { outOfScope: { topic: 'network', matched: 'vpn' } }),
      th,
    );
    expect(d).toMatchObject({ kind: 'unknown', reason: 'out_of_scope', topic: 'network' });
  });

  it('does not answer a when / how-long question with an entry that never asks about time', () => {
    const when = { normalized: '审批多久能通过' };
    expect(decideFaq(result([hit('a', 10, 0.9)], when), th).kind).toBe('suggest');
    const timed: FaqHit = {
      ...hit('a', 10, 0.9),
      entry: { id: 'a', questions: ['审批一般要多久'], answer: 'a' },
    };
    expect(decideFaq(result([timed], when), th).kind).toBe('answer');
    // "…的时候" (while) is no question about time.
    expect(decideFaq(result([hit('a', 10, 0.9)], { normalized: '审批的时候看不到附件' }), th).kind).toBe(
      'answer',
    );
  });

  it('reports an empty question (no searchable word)', () => {
    expect(decideFaq(result([], { terms: [] }), th)).toMatchObject({ kind: 'unknown', reason: 'empty' });
  });
});

describe('confidenceOf', () => {
  const base: FaqSearchResult = {
    query: 'q',
    normalized: 'q',
    size: 10,
    terms: [
      { term: 'known', weight: 1, idf: 2, df: 1, origin: 0 },
      { term: 'other', weight: 1, idf: 1, df: 3, origin: 1 },
      { term: 'unknown', weight: 0.5, idf: 4, df: 0, origin: 2 },
    ],
    hits: [
      { ...hit('a', 4, 0), matched: [1, 0, 0] },
      { ...hit('b', 2, 0), matched: [0, 1, 0] },
    ],
  };

  it('splits the question into matched, unknown-to-the-KB and unmatched evidence', () => {
    const c = confidenceOf(base, { unknownPenalty: 1, unmatchedPenalty: 0.5, marginWeight: 0.3 });
    expect(c).toMatchObject({ matched: 2, unknown: 2, unmatched: 1, ratio: 2 });
    const evidence = Math.log(2) - Math.log(3) - 0.5 * Math.log(2) + 0.3 * Math.log(2);
    expect(c.evidence).toBeCloseTo(evidence, 10);
    expect(c.value).toBeCloseTo(1 / (1 + Math.exp(-evidence)), 10);
  });

  it('words unknown to the whole knowledge base lower the confidence', () => {
    const w = { unknownPenalty: 1, unmatchedPenalty: 0, marginWeight: 0 };
    const without = {
      ...base,
      terms: base.terms.slice(0, 2),
      hits: base.hits.map((h) => ({ ...h, matched: h.matched.slice(0, 2) })),
    };
    expect(confidenceOf(base, w).value).toBeLessThan(confidenceOf(without, w).value);
  });

  it('a clear lead over the next entry raises it when the margin weight is set', () => {
    const w = { unknownPenalty: 0, unmatchedPenalty: 0, marginWeight: 1 };
    const close = { ...base, hits: [base.hits[0], { ...base.hits[1], score: 3.9 }] };
    expect(confidenceOf(base, w).value).toBeGreaterThan(confidenceOf(close, w).value);
  });

  it('each further concept the entry matches raises it when the concept weight is set', () => {
    const w = { unknownPenalty: 0, unmatchedPenalty: 0, marginWeight: 0, conceptWeight: 1 };
    const two = { ...base, hits: [{ ...base.hits[0], matched: [1, 1, 0] }, base.hits[1]] };
    expect(confidenceOf(base, w).concepts).toBe(1);
    expect(confidenceOf(two, w).concepts).toBe(2);
    // ln M + 1 · ln C: M = 3, C = 2.
    expect(confidenceOf(two, w).evidence).toBeCloseTo(Math.log(3) + Math.log(2), 10);
    // Weight 0 (the default when not given): the count does not change the score.
    expect(confidenceOf(two, { ...w, conceptWeight: 0 }).evidence).toBeCloseTo(Math.log(3), 10);
  });

  it('a one-character word found only in the answer text is weak evidence', () => {
    const w = { unknownPenalty: 0, unmatchedPenalty: 0, marginWeight: 0 };
    const char: FaqSearchResult = {
      ...base,
      terms: [{ term: '调', weight: 1, idf: 2, df: 1, origin: 0 }],
      hits: [{ ...hit('a', 1, 0), matched: [FIELD_BIT.answer] }],
    };
    expect(confidenceOf(char, w).matched).toBeCloseTo(2 * LONE_CHAR_IN_ANSWER, 10);
    expect(confidenceOf(char, w).concepts).toBe(0);
    const inQuestion = { ...char, hits: [{ ...char.hits[0], matched: [FIELD_BIT.question] }] };
    expect(confidenceOf(inQuestion, w).matched).toBe(2);
  });

  it('is 0 without a hit or without any matched word', () => {
    expect(confidenceOf({ ...base, hits: [] }).value).toBe(0);
    expect(confidenceOf({ ...base, hits: [{ ...base.hits[0], matched: [0, 0, 0] }] }).value).toBe(0);
  });
});
