import { normalizeText } from './normalize.ts';
import type { OutOfScopeTopic } from './schema.ts';

/** Which out-of-scope topic a question touched, and the words that matched. */
export interface OutOfScopeMatch {
  topic: string;
  label?: string;
  label_en?: string;
  /** The matched text in the normalized question. */
  matched: string;
}

/**
 * Adjacent topics the bot does not answer (printer hardware, VPN, Wi-Fi, salary, weather…),
 * from `out_of_scope:` content. `terms` match as substrings of the normalized question, and
 * `patterns` as regular expressions over it (both after {@link normalizeText}, so write them
 * in simplified Chinese, lower case).
 */
export class OutOfScopeList {
  private readonly topics: { topic: OutOfScopeTopic; terms: string[]; patterns: RegExp[] }[];

  constructor(topics: readonly OutOfScopeTopic[]) {
    this.topics = topics.map((topic) => ({
      topic,
      terms: (topic.terms ?? []).map((t) => normalizeText(t)).filter(Boolean),
      patterns: (topic.patterns ?? []).map((p) => new RegExp(p, 'u')),
    }));
  }

  /**
   * @param normalized a question already passed through {@link normalizeText}.
   * @returns the first topic (in content order) the question touches, or undefined.
   */
  match(normalized: string): OutOfScopeMatch | undefined {
    for (const { topic, terms, patterns } of this.topics) {
      const term = terms.find((t) => normalized.includes(t));
      const hit = term ?? patterns.map((p) => p.exec(normalized)?.[0]).find((m) => m !== undefined);
      if (hit !== undefined)
        return { topic: topic.topic, label: topic.label, label_en: topic.label_en, matched: hit };
    }
    return undefined;
  }
}
