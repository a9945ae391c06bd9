/**
 * A small BM25F index with top-k search, written for short Chinese FAQ texts.
 *
 * Why our own and not a library: the search libraries that fit in-process (minisearch, lunr,
 * flexsearch) tokenize Western text and, in minisearch's case, score and return *every*
 * matching document; over 10,000 entries whose questions share words such as 单/库存 that was
 * measured ~100× slower than this top-k loop. Here the per-posting BM25 saturation is
 * precomputed at build time, a query only adds `idf × saturation` into a flat score array and
 * keeps the best k. It also reports, per document, the idf mass of the query terms it
 * contains — the "coverage" the confidence decision needs, which libraries do not expose.
 *
 * Fields are combined BM25F-style: weighted, length-normalized term frequencies summed over
 * fields before one saturation, so a term repeated in the answer cannot outweigh one hit in
 * the questions.
 */

/** One indexed field: its weight in the sum and its length normalization `b` (0–1). */
export interface FieldSpec {
  weight: number;
  b: number;
  /**
   * How much a term found (only) in this field counts towards {@link Bm25Hit.coverage}, 0–1
   * (default 1): a word of the answer text is weaker evidence than a word of a question.
   */
  strength?: number;
}

/** A query term with its weight (1 for typed terms, less for typo corrections). */
export interface QueryTerm {
  term: string;
  weight: number;
}

/** One ranked document. */
export interface Bm25Hit {
  /** Document number (insertion order). */
  doc: number;
  /** BM25F score (unbounded, ≥ 0). */
  score: number;
  /** Share (0–1) of the query's idf mass whose terms occur in this document. */
  coverage: number;
  /** The largest query-term weight among the terms this document matched (0 when none). */
  anchor: number;
}

const K1 = 1.2;

/** Build-once BM25F index over documents given as token lists per field. */
export class Bm25Index<F extends string> {
  private readonly fieldNames: F[];
  private readonly docs: Array<Record<F, string[]>> = [];
  private postings = new Map<string, { docs: Int32Array; sat: Float32Array; str: Float32Array }>();
  private idfs = new Map<string, number>();
  private built = false;
  private score = new Float64Array(0);
  private cov = new Float64Array(0);
  private anchor = new Float64Array(0);

  constructor(private readonly fields: Record<F, FieldSpec>) {
    this.fieldNames = Object.keys(fields) as F[];
  }

  /** Adds a document (token lists per field); returns its number. */
  add(doc: Record<F, string[]>): number {
    if (this.built) throw new Error('Bm25Index: add() after build()');
    this.docs.push(doc);
    return this.docs.length - 1;
  }

  get size(): number {
    return this.docs.length;
  }

  /** Precomputes idf and per-posting saturation. Call once after the last `add`. */
  build(): this {
    const n = this.docs.length;
    const avg = {} as Record<F, number>;
    for (const f of this.fieldNames) {
      let total = 0;
      for (const d of this.docs) total += d[f].length;
      avg[f] = n ? total / n || 1 : 1;
    }
    const acc = new Map<string, { docs: number[]; sat: number[]; str: number[] }>();
    this.docs.forEach((d, i) => {
      const tfw = new Map<string, number>();
      const str = new Map<string, number>();
      for (const f of this.fieldNames) {
        const { weight, b, strength = 1 } = this.fields[f];
        const norm = 1 - b + (b * d[f].length) / avg[f];
        for (const t of d[f]) {
          tfw.set(t, (tfw.get(t) ?? 0) + weight / norm);
          str.set(t, Math.max(str.get(t) ?? 0, strength));
        }
      }
      for (const [t, w] of tfw) {
        let p = acc.get(t);
        if (!p) {
          p = { docs: [], sat: [], str: [] };
          acc.set(t, p);
        }
        p.docs.push(i);
        p.sat.push((w * (K1 + 1)) / (w + K1));
        p.str.push(str.get(t) ?? 1);
      }
    });
    for (const [t, p] of acc) {
      this.postings.set(t, {
        docs: Int32Array.from(p.docs),
        sat: Float32Array.from(p.sat),
        str: Float32Array.from(p.str),
      });
      this.idfs.set(t, Math.log(1 + (n - p.docs.length + 0.5) / (p.docs.length + 0.5)));
    }
    this.built = true;
    return this;
  }

  /** Whether a term occurs anywhere in the index. */
  has(term: string): boolean {
    return this.postings.has(term);
  }

  /** Every indexed term. */
  terms(): IterableIterator<string> {
    return this.postings.keys();
  }

  /** Inverse document frequency; an unseen term counts as if it occurred in one document. */
  idf(term: string): number {
    const n = this.docs.length;
    return this.idfs.get(term) ?? Math.log(1 + (n - 1 + 0.5) / 1.5);
  }

  /**
   * The `k` best documents for a query, best first (ties by document number).
   * @param terms query terms; duplicates should be merged by the caller.
   */
  search(terms: readonly QueryTerm[], k: number): Bm25Hit[] {
    if (!this.built) throw new Error('Bm25Index: search() before build()');
    const n = this.docs.length;
    if (!n || !terms.length || k <= 0) return [];
    // Scratch arrays are kept between searches (search is synchronous) and cleared via `touched`.
    if (this.score.length !== n) {
      this.score = new Float64Array(n);
      this.cov = new Float64Array(n);
      this.anchor = new Float64Array(n);
    }
    const { score, cov, anchor } = this;
    const touched: number[] = [];
    let mass = 0;
    for (const { term, weight } of terms) {
      const idf = this.idf(term);
      mass += weight * idf;
      const p = this.postings.get(term);
      if (!p) continue;
      const w = weight * idf;
      for (let j = 0; j < p.docs.length; j++) {
        const d = p.docs[j];
        if (score[d] === 0) touched.push(d);
        score[d] += w * p.sat[j];
        cov[d] += w * p.str[j];
        if (weight > anchor[d]) anchor[d] = weight;
      }
    }
    // Keep the best k in a small sorted array (k is tiny, touched may be thousands).
    const best: number[] = [];
    for (const d of touched) {
      if (best.length === k && !better(d, best[k - 1])) continue;
      let i = best.length === k ? k - 1 : best.length;
      while (i > 0 && better(d, best[i - 1])) {
        best[i] = best[i - 1];
        i--;
      }
      best[i] = d;
    }
    const hits = best.map((d) => ({
      doc: d,
      score: score[d],
      coverage: mass ? cov[d] / mass : 0,
      anchor: anchor[d],
    }));
    for (const d of touched) score[d] = cov[d] = anchor[d] = 0;
    return hits;

    function better(a: number, b: number): boolean {
      return score[a] > score[b] || (score[a] === score[b] && a < b);
    }
  }
}
