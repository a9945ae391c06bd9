import { describe, expect, it } from 'vitest';
import { decideFaq, MIN_ANCHOR } from '../src/faq/decide.ts';
import type { FaqHit, FaqSearchResult } from '../src/faq/faq-index.ts';

const th = { answer: 0.3, margin: 1.2, suggestFloor: 0.1 };
const hit = (id: string, score: number, confidence: number, anchor = 1): FaqHit => ({
  entry: { id, questions: [id], answer: id },
  score,
  confidence,
  anchor,
});
const result = (hits: FaqHit[], extra: Partial<FaqSearchResult> = {}): FaqSearchResult => ({
  query: 'q',
  normalized: 'q',
  terms: [{ term: 'q', weight: 1 }],
  hits,
  ...extra,
});

describe('decideFaq', () => {
  it('answers when confident and clearly ahead of the second', () => {
    const d = decideFaq(result([hit('a', 10, 0.8), hit('b', 5, 0.4)]), th);
    expect(d.kind).toBe('answer');
    if (d.kind === 'answer') {
      expect(d.hit.entry.id).toBe('a');
      expect(d.others.map((h) => h.entry.id)).toEqual(['b']);
    }
    expect(decideFaq(result([hit('a', 10, 0.3)]), th).kind).toBe('answer'); // alone: nothing to be ahead of
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
    const d = decideFaq(result([hit('a', 10, 0.2), hit('b', 2, 0.05)]), th);
    expect(d.kind).toBe('suggest');
    // Candidates under the floor are not offered.
    if (d.kind === 'suggest') expect(d.candidates.map((h) => h.entry.id)).toEqual(['a']);
  });

  it('does not know below the floor, or when nothing matched', () => {
    expect(decideFaq(result([hit('a', 1, 0.05)]), th)).toMatchObject({
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

  it('reports an empty question (no searchable word)', () => {
    expect(decideFaq(result([], { terms: [] }), th)).toMatchObject({ kind: 'unknown', reason: 'empty' });
  });
});
