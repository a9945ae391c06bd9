import { z } from 'zod';
import { type AnswerTest, type Condition, type Scalar, testsOf } from './condition.ts';
import { DiagnosisRulesSchema, LAYERS } from './diagnosis-schema.ts';

/** The seven question types of the contract. */
export const QUESTION_TYPES = ['single', 'multi', 'scale', 'number', 'text', 'date', 'yesno'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const opt = z.string().trim().min(1).optional();

const OptionSchema = z.object({
  /** Stored answer; numbers in YAML are kept as strings. No spaces or colons (it travels in button values). */
  value: z
    .union([z.string(), z.number()])
    .transform(String)
    .pipe(z.string().regex(/^[^\s:]+$/, 'option value must be non-empty, without spaces or colons')),
  label: z.string().trim().min(1),
  label_en: opt,
  /** Other words that mean this option (matched like the label). */
  aliases: z.array(z.string().trim().min(1)).optional(),
  /** `multi` only: this option cannot be combined with others (e.g. 都没有). */
  exclusive: z.boolean().optional(),
});

const QuestionSchema = z.object({
  id: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'question id: letters, digits, _ or -, starting with a letter'),
  type: z.enum(QUESTION_TYPES),
  text: z.string().trim().min(1),
  text_en: opt,
  options: z.array(OptionSchema).optional(),
  /** `number`: bounds (inclusive); `scale`: range, default 1–5. */
  min: z.number().optional(),
  max: z.number().optional(),
  /** `number`: only whole numbers. */
  integer: z.boolean().optional(),
  /** `number`: the unit, shown in the hint and accepted after the number (人, 天). */
  unit: opt,
  unit_en: opt,
  /** `scale`: what the ends mean (1 = 很不满意). */
  min_label: opt,
  min_label_en: opt,
  max_label: opt,
  max_label_en: opt,
  /** `text`: maximum length in characters. */
  maxLength: z.number().int().positive().optional(),
  /**
   * `date`: the answer is a date to come (a go-live date), so a date typed without a year
   * (`3月5日`, `3/5`) is its next occurrence: next year's once this year's has passed.
   */
  future: z.boolean().optional(),
  /** May be skipped with 跳过/skip. */
  optional: z.boolean().default(false),
  /** Asked only if every listed earlier answer is one of the listed values. */
  when: z.record(z.string(), z.array(scalar).min(1)).optional(),
});

/** One survey question as loaded. */
export type Question = z.infer<typeof QuestionSchema>;
/** One choice of a `single`/`multi` question. */
export type QuestionOption = z.infer<typeof OptionSchema>;

type Issue = { path: (string | number)[]; message: string };

/** Range of a scale question (default 1–5). */
export function scaleRange(q: Question): { min: number; max: number } {
  return { min: q.min ?? 1, max: q.max ?? 5 };
}

/** Why `values` cannot be answers of `q`, or undefined when they all can. */
function badValues(q: Question, values: Scalar[]): string | undefined {
  const bad = (v: Scalar): boolean => {
    switch (q.type) {
      case 'single':
      case 'multi':
        return !q.options?.some((o) => o.value === String(v));
      case 'yesno':
        return typeof v !== 'boolean';
      case 'scale': {
        const { min, max } = scaleRange(q);
        return typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max;
      }
      case 'number':
        return (
          typeof v !== 'number' || (q.min !== undefined && v < q.min) || (q.max !== undefined && v > q.max)
        );
      default:
        return true;
    }
  };
  const wrong = values.filter(bad);
  if (!wrong.length) return undefined;
  if (q.type === 'text' || q.type === 'date')
    return `question '${q.id}' is a ${q.type} question: it can only be tested with answered`;
  const allowed =
    q.type === 'yesno'
      ? 'true or false'
      : q.type === 'scale' || q.type === 'number'
        ? 'numbers in its range'
        : (q.options ?? []).map((o) => o.value).join(', ');
  return `question '${q.id}' has no answer ${wrong.map((w) => JSON.stringify(w)).join(', ')} (allowed: ${allowed})`;
}

function checkQuestion(q: Question, i: number, earlier: Map<string, Question>, issues: Issue[]): void {
  const at = (...p: (string | number)[]) => ['questions', i, ...p];
  const choice = q.type === 'single' || q.type === 'multi';
  if (choice && !q.options?.length)
    issues.push({ path: at('options'), message: `question '${q.id}': a ${q.type} question needs options` });
  if (!choice && q.options)
    issues.push({
      path: at('options'),
      message: `question '${q.id}': options only apply to single and multi questions`,
    });
  const seen = new Set<string>();
  q.options?.forEach((o, j) => {
    const own = new Set([o.value, o.label].map((s) => s.toLowerCase()));
    for (const key of own) {
      if (seen.has(key))
        issues.push({
          path: at('options', j),
          message: `question '${q.id}': duplicate option value or label '${key}'`,
        });
    }
    for (const key of own) seen.add(key);
    if (o.exclusive && q.type !== 'multi')
      issues.push({
        path: at('options', j),
        message: `question '${q.id}': exclusive only applies to multi questions`,
      });
  });
  if ((q.min !== undefined || q.max !== undefined) && q.type !== 'number' && q.type !== 'scale')
    issues.push({
      path: at('min'),
      message: `question '${q.id}': min/max only apply to number and scale questions`,
    });
  if (q.min !== undefined && q.max !== undefined && q.min > q.max)
    issues.push({
      path: at('min'),
      message: `question '${q.id}': min (${q.min}) is greater than max (${q.max})`,
    });
  if (q.type === 'scale') {
    const { min, max } = scaleRange(q);
    if (!Number.isInteger(min) || !Number.isInteger(max) || max - min < 1 || max - min > 10)
      issues.push({
        path: at('max'),
        message: `question '${q.id}': a scale needs whole-number ends, 2 to 11 points`,
      });
  }
  if (q.future !== undefined && q.type !== 'date')
    issues.push({
      path: at('future'),
      message: `question '${q.id}': future only applies to date questions`,
    });
  if (q.maxLength !== undefined && q.type !== 'text')
    issues.push({
      path: at('maxLength'),
      message: `question '${q.id}': maxLength only applies to text questions`,
    });
  for (const [ref, values] of Object.entries(q.when ?? {})) {
    const target = earlier.get(ref);
    if (!target) {
      issues.push({
        path: at('when', ref),
        message: `question '${q.id}': when refers to '${ref}', which is not an earlier question`,
      });
      continue;
    }
    const why = badValues(target, values);
    if (why) issues.push({ path: at('when', ref), message: `question '${q.id}': when: ${why}` });
  }
}

function checkTest(t: AnswerTest, byId: Map<string, Question>): string | undefined {
  const q = byId.get(t.question);
  if (!q) return `refers to question '${t.question}', which does not exist`;
  const values = [...(t.in ?? []), ...(t.not_in ?? [])];
  if (values.length) {
    const why = badValues(q, values);
    if (why) return why;
  }
  const numeric = [t.gte, t.gt, t.lte, t.lt].some((v) => v !== undefined);
  if (numeric && q.type !== 'number' && q.type !== 'scale')
    return `question '${q.id}' is a ${q.type} question: gte/gt/lte/lt only apply to number and scale questions`;
  return undefined;
}

function checkTemplate(text: string | undefined, byId: Map<string, Question>): string | undefined {
  for (const m of (text ?? '').matchAll(/\{([^}]+)\}/g)) {
    if (!byId.has(m[1])) return `text names {${m[1]}}, which is not a question id`;
  }
  return undefined;
}

function checkDiagnosis(
  d: z.infer<typeof DiagnosisRulesSchema>,
  byId: Map<string, Question>,
  issues: Issue[],
): void {
  const cond = (c: Condition | undefined, path: (string | number)[]) => {
    if (!c) return;
    for (const { test, path: sub } of testsOf(c)) {
      const why = checkTest(test, byId);
      if (why) issues.push({ path: ['diagnosis', ...path, 'when', ...sub], message: why });
    }
  };
  const texts = (r: { text: string; text_en?: string }, path: (string | number)[]) => {
    for (const [k, v] of [['text', r.text] as const, ['text_en', r.text_en] as const]) {
      const why = checkTemplate(v, byId);
      if (why) issues.push({ path: ['diagnosis', ...path, k], message: why });
    }
  };
  for (const key of ['pain_points', 'bundles', 'first_module', 'advice'] as const) {
    d[key].forEach((r, i) => {
      cond(r.when, [key, i]);
      texts(r, [key, i]);
    });
  }
  for (const layer of LAYERS) {
    d.roadmap[layer].items.forEach((it, i) => {
      cond(it.when, ['roadmap', layer, 'items', i]);
      texts(it, ['roadmap', layer, 'items', i]);
    });
  }
}

/** zod schema of one survey file (`flows/surveys/*.yaml`), with the cross-checks. */
export const SurveySchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'survey id: letters, digits, _ or -'),
    title: z.string().trim().min(1),
    title_en: opt,
    /** Estimated minutes, shown in the welcome (default: about 25 s per question). */
    minutes: z.number().positive().optional(),
    questions: z.array(QuestionSchema).min(1),
    diagnosis: DiagnosisRulesSchema.optional(),
  })
  .superRefine((s, ctx) => {
    const issues: Issue[] = [];
    const earlier = new Map<string, Question>();
    s.questions.forEach((q, i) => {
      if (earlier.has(q.id))
        issues.push({ path: ['questions', i, 'id'], message: `duplicate question id '${q.id}'` });
      checkQuestion(q, i, earlier, issues);
      earlier.set(q.id, q);
    });
    if (s.diagnosis) checkDiagnosis(s.diagnosis, earlier, issues);
    for (const is of issues) ctx.addIssue({ code: 'custom', path: is.path, message: is.message });
  });

/** One loaded survey. */
export type Survey = z.infer<typeof SurveySchema>;
