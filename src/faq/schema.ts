import { z } from 'zod';

/**
 * Zod schemas of FAQ content (`flows/faq/*.yaml`, format in `../shared/CONTRACT.md` "Content").
 * One folder holds three kinds of file, told apart by their top-level key; a file may hold
 * several kinds:
 * - `entries:` — knowledge-base entries (the contract's core fields `id, questions, answer, tags`
 *   plus optional `title`, `symptoms`, `answer_en`, `title_en`);
 * - `synonyms:` — the domain thesaurus, one group per line, first word canonical;
 * - `out_of_scope:` — adjacent topics the bot does not answer (routed to `转人工`).
 */

const text = z.string().trim().min(1, 'must not be empty');

/** One knowledge-base entry. */
export const FaqEntrySchema = z.object({
  id: z
    .string()
    .trim()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
      'id must be letters, digits, ".", "_" or "-" (e.g. password-reset)',
    ),
  /** Canonical phrasings written by the KB author; at least one. */
  questions: z.array(text).min(1, 'at least one question is required'),
  /** How staff describe the problem in their own words (indexed like questions, lower weight). */
  symptoms: z.array(text).optional(),
  /** Markdown answer; the reply's text contains it verbatim. */
  answer: text,
  /** English answer for users whose locale is en (falls back to `answer`). */
  answer_en: text.optional(),
  /** Short title shown in did-you-mean lists (defaults to the first question). */
  title: text.optional(),
  title_en: text.optional(),
  tags: z.array(text).optional(),
});
/** A knowledge-base entry as loaded. */
export type FaqEntry = z.infer<typeof FaqEntrySchema>;

/** A thesaurus group: words that mean the same here. The first one is canonical. */
export const SynonymGroupSchema = z.array(text).min(2, 'a synonym group needs at least two words');

/** A topic the bot does not answer: any `terms` substring or `patterns` regex in a question matches. */
export const OutOfScopeTopicSchema = z
  .object({
    topic: text,
    /** Shown to the user ("「打印机硬件与耗材」类的问题我回答不了"). */
    label: text.optional(),
    label_en: text.optional(),
    terms: z.array(text).optional(),
    patterns: z
      .array(
        text.refine(
          (p) => {
            try {
              new RegExp(p, 'u');
              return true;
            } catch {
              return false;
            }
          },
          { message: 'not a valid regular expression' },
        ),
      )
      .optional(),
  })
  .refine((t) => (t.terms?.length ?? 0) + (t.patterns?.length ?? 0) > 0, {
    message: 'an out-of-scope topic needs terms or patterns',
  });
/** An out-of-scope topic as loaded. */
export type OutOfScopeTopic = z.infer<typeof OutOfScopeTopicSchema>;

/** One file of `flows/faq/`. */
export const FaqFileSchema = z
  .object({
    entries: z.array(FaqEntrySchema).optional(),
    synonyms: z.array(SynonymGroupSchema).optional(),
    out_of_scope: z.array(OutOfScopeTopicSchema).optional(),
  })
  .strict()
  .refine((f) => f.entries || f.synonyms || f.out_of_scope, {
    message: 'expected at least one of: entries, synonyms, out_of_scope',
  });
/** One parsed `flows/faq` file. */
export type FaqFile = z.infer<typeof FaqFileSchema>;

/** Everything loaded from the FAQ folder. */
export interface FaqContent {
  entries: FaqEntry[];
  /** Thesaurus groups, first word canonical. */
  synonyms: string[][];
  outOfScope: OutOfScopeTopic[];
  /** Which file each entry came from (for error messages and the API). */
  fileOf: Map<string, string>;
}
