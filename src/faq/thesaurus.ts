import { pinyin } from 'pinyin-pro';
import { normalizeText } from './normalize.ts';

/**
 * The domain thesaurus compiled for lookup: every word of a synonym group maps to the group's
 * canonical (first) word, applied to content and queries alike, so `口令` in a question meets
 * `密码` in an entry. A word listed in several groups maps to each of their canonical words.
 */
export class Thesaurus {
  private readonly canon = new Map<string, string[]>();
  /** Every word of every group, normalized (fed to the segmenter's user dictionary). */
  readonly words: string[] = [];

  /** @param groups synonym groups as in `flows/faq/synonyms.yaml`, first word canonical. */
  constructor(groups: readonly (readonly string[])[]) {
    for (const g of groups) {
      const norm = g.map((w) => normalizeText(w)).filter(Boolean);
      const head = norm[0];
      if (!head) continue;
      for (const w of norm) {
        this.words.push(w);
        const list = this.canon.get(w) ?? [];
        if (!list.includes(head)) list.push(head);
        this.canon.set(w, list);
      }
    }
  }

  /** Canonical words for a token (the token itself when it is in no group). */
  map(token: string): readonly string[] {
    return this.canon.get(token) ?? [token];
  }

  has(token: string): boolean {
    return this.canon.has(token);
  }
}

/** Toneless pinyin of each character of `text` (context-aware for polyphones), one per char. */
export function charPinyin(text: string): string[] {
  return pinyin(text, { toneType: 'none', type: 'array', v: true });
}

/** Pinyin keys of vocabulary words, kept across index builds (a content reload re-uses them). */
const KEYS = new Map<string, string>();

/**
 * Homophone lookup for cheap typo tolerance (`报消` → `报销`, `权线` → `权限`): toneless pinyin of
 * multi-character vocabulary terms. Only unambiguous keys are kept (one term per pinyin).
 */
export class PinyinLexicon {
  private readonly byKey = new Map<string, string | null>();
  private readonly maxLen: number;

  /** @param terms vocabulary terms (normalized); only 2–4 character all-Han terms are used. */
  constructor(terms: Iterable<string>) {
    let maxLen = 0;
    for (const t of terms) {
      if (t.length < 2 || t.length > 4 || !/^\p{Script=Han}+$/u.test(t)) continue;
      let key = KEYS.get(t);
      if (key === undefined) {
        key = charPinyin(t).join('');
        KEYS.set(t, key);
      }
      const prev = this.byKey.get(key);
      this.byKey.set(key, prev === undefined || prev === t ? t : null);
      maxLen = Math.max(maxLen, t.length);
    }
    this.maxLen = maxLen;
  }

  /**
   * Finds vocabulary terms that sound like a run of characters of `text` but are written
   * differently, in at least one character at the same place. Windows that are already
   * vocabulary (`isKnown`) are skipped.
   * @returns corrected terms, each once.
   */
  corrections(text: string, isKnown: (w: string) => boolean): string[] {
    const out = new Set<string>();
    if (!this.byKey.size) return [];
    for (const run of text.match(/\p{Script=Han}{2,}/gu) ?? []) {
      const py = charPinyin(run);
      for (let len = 2; len <= Math.min(this.maxLen, run.length); len++) {
        for (let i = 0; i + len <= run.length; i++) {
          const w = run.slice(i, i + len);
          if (isKnown(w)) continue;
          const term = this.byKey.get(py.slice(i, i + len).join(''));
          if (term && term !== w && !run.includes(term) && sharesAChar(w, term)) out.add(term);
        }
      }
    }
    return [...out];
  }
}

/**
 * A typo usually gets one character of a word wrong, not all of them: `报消`/`报销` share 报,
 * while `加个`/`价格` (a real phrase that merely sounds the same) share nothing.
 */
function sharesAChar(typed: string, term: string): boolean {
  for (let i = 0; i < typed.length; i++) if (typed[i] === term[i]) return true;
  return false;
}
