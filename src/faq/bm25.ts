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
  /**
   * Per query term (same order as the `terms` passed to {@link Bm25Index.search}): a bit mask of
   * the fields (bit i = i-th field of the spec, in declaration order) in which this document
   * contains it, 0 when it does not. Lets a caller compute its own coverage features.
   */
  matched: number[];
}

const K1 = 1.2;

/** Build-once BM25F index over documents given as token lists per field. */
export class Bm25Index<F extends string> {
  private readonly fieldNames: F[];
  /** Term → id (interned at `add`, so building works on integers and typed arrays). */
  private readonly ids = new Map<string, number>();
  /** Per document, per field (in `fieldNames` order): term ids. */
  private readonly docs: Int32Array[][] = [];
  /** Postings per term id: documents, saturation, field strength. */
  private postDocs: Int32Array[] = [];
  private postSat: Float32Array[] = [];
  private postStr: Float32Array[] = [];
  /** Per posting: bit mask of the fields the term occurs in. */
  private postFields: Uint8Array[] = [];
  private idfs = new Float64Array(0);
  private built = false;
  private score = new Float64Array(0);
  private cov = new Float64Array(0);
  private anchor = new Float64Array(0);
  private touched = new Int32Array(0);

  constructor(private readonly fields: Record<F, FieldSpec>) {
    this.fieldNames = Object.keys(fields) as F[];
    if (this.fieldNames.length > 8) throw new Error('Bm25Index: at most 8 fields (field masks are bytes)');
  }

  /** Adds a document (token lists per field); returns its number. */
  add(doc: Record<F, string[]>): number {
    if (this.built) throw new Error('Bm25Index: add() after build()');
    this.docs.push(
      this.fieldNames.map((f) => {
        const tokens = doc[f];
        const out = new Int32Array(tokens.length);
        for (let i = 0; i < tokens.length; i++) {
          let id = this.ids.get(tokens[i]);
          if (id === undefined) {
            id = this.ids.size;
            this.ids.set(tokens[i], id);
          }
          out[i] = id;
        }
        return out;
      }),
    );
    return this.docs.length - 1;
  }

  get size(): number {
    return this.docs.length;
  }

  /** Precomputes idf and per-posting saturation. Call once after the last `add`. */
  build(): this {
    const n = this.docs.length;
    const nf = this.fieldNames.length;
    const specs = this.fieldNames.map((f) => this.fields[f]);
    const avg = specs.map((_, fi) => {
      let total = 0;
      for (const d of this.docs) total += d[fi].length;
      return n ? total / n || 1 : 1;
    });
    const v = this.ids.size;
    // Pass 1: document frequencies, to allocate each posting list at its exact size.
    const df = new Int32Array(v);
    const seen = new Int32Array(v).fill(-1);
    this.docs.forEach((d, i) => {
      for (let fi = 0; fi < nf; fi++)
        for (const t of d[fi])
          if (seen[t] !== i) {
            seen[t] = i;
            df[t]++;
          }
    });
    this.postDocs = Array.from({ length: v }, (_, t) => new Int32Array(df[t]));
    this.postSat = Array.from({ length: v }, (_, t) => new Float32Array(df[t]));
    this.postStr = Array.from({ length: v }, (_, t) => new Float32Array(df[t]));
    this.postFields = Array.from({ length: v }, (_, t) => new Uint8Array(df[t]));
    const mask = new Uint8Array(v);
    // Pass 2: weighted term frequency per document (scratch arrays, no per-document maps).
    const fill = new Int32Array(v);
    const tfw = new Float64Array(v);
    const str = new Float32Array(v);
    const terms = new Int32Array(v);
    seen.fill(-1);
    this.docs.forEach((d, i) => {
      let nt = 0;
      for (let fi = 0; fi < nf; fi++) {
        const { weight, b, strength = 1 } = specs[fi];
        const w = weight / (1 - b + (b * d[fi].length) / avg[fi]);
        for (const t of d[fi]) {
          if (seen[t] !== i) {
            seen[t] = i;
            terms[nt++] = t;
            tfw[t] = 0;
            str[t] = 0;
            mask[t] = 0;
          }
          tfw[t] += w;
          mask[t] |= 1 << fi;
          if (strength > str[t]) str[t] = strength;
        }
      }
      for (let j = 0; j < nt; j++) {
        const t = terms[j];
        const at = fill[t]++;
        this.postDocs[t][at] = i;
        this.postSat[t][at] = (tfw[t] * (K1 + 1)) / (tfw[t] + K1);
        this.postStr[t][at] = str[t];
        this.postFields[t][at] = mask[t];
      }
    });
    this.idfs = Float64Array.from(df, (x) => Math.log(1 + (n - x + 0.5) / (x + 0.5)));
    this.built = true;
    return this;
  }

  /** Whether a term occurs anywhere in the index. */
  has(term: string): boolean {
    return this.ids.has(term);
  }

  /** Every indexed term. */
  terms(): IterableIterator<string> {
    return this.ids.keys();
  }

  /** How many documents contain `term` (0 when none). */
  df(term: string): number {
    const id = this.ids.get(term);
    return id === undefined ? 0 : this.postDocs[id].length;
  }

  /** Field mask of term `id` in document `d`, 0 when absent (binary search: postings are in document order). */
  private fieldsIn(id: number, d: number): number {
    const docs = this.postDocs[id];
    let lo = 0;
    let hi = docs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (docs[mid] === d) return this.postFields[id][mid];
      if (docs[mid] < d) lo = mid + 1;
      else hi = mid - 1;
    }
    return 0;
  }

  /** Inverse document frequency; an unseen term counts as if it occurred in one document. */
  idf(term: string): number {
    const id = this.ids.get(term);
    return id !== undefined ? this.idfs[id] : Math.log(1 + (this.docs.length - 1 + 0.5) / 1.5);
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
      this.touched = new Int32Array(n);
    }
    const { score, cov, anchor } = this;
    const touched = this.touched;
    let nTouched = 0;
    let mass = 0;
    for (const { term, weight } of terms) {
      const idf = this.idf(term);
      mass += weight * idf;
      const id = this.ids.get(term);
      if (id === undefined) continue;
      const w = weight * idf;
      const docs = this.postDocs[id];
      const sat = this.postSat[id];
      const str = this.postStr[id];
      for (let j = 0; j < docs.length; j++) {
        const d = docs[j];
        if (score[d] === 0) touched[nTouched++] = d;
        score[d] += w * sat[j];
        cov[d] += w * str[j];
        if (weight > anchor[d]) anchor[d] = weight;
      }
    }
    // Keep the best k in a small sorted array (k is tiny, touched may be thousands).
    const best: number[] = [];
    for (let t = 0; t < nTouched; t++) {
      const d = touched[t];
      if (best.length === k && !better(d, best[k - 1])) continue;
      let i = best.length === k ? k - 1 : best.length;
      while (i > 0 && better(d, best[i - 1])) {
        best[i] = best[i - 1];
        i--;
      }
      best[i] = d;
    }
    const ids = terms.map(({ term }) => this.ids.get(term));
    const hits = best.map((d) => ({
      doc: d,
      score: score[d],
      coverage: mass ? cov[d] / mass : 0,
      anchor: anchor[d],
      matched: ids.map((id) => (id === undefined ? 0 : this.fieldsIn(id, d))),
    }));
    for (let t = 0; t < nTouched; t++) {
      const d = touched[t];
      score[d] = 0;
      cov[d] = 0;
      anchor[d] = 0;
    }
    return hits;

    function better(a: number, b: number): boolean {
      return score[a] > score[b] || (score[a] === score[b] && a < b);
    }
  }
}
