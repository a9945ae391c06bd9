import { z } from 'zod';

/** A stored answer: `single`/`scale`/`number` one value, `yesno` boolean, `multi` option values, `date` `YYYY-MM-DD`, `text` string. */
export type AnswerValue = string | number | boolean | string[];

/** Answers of one response, by question id. */
export type Answers = Record<string, AnswerValue>;

/** A literal a condition compares an answer with. */
export type Scalar = string | number | boolean;

/**
 * A test on one answer. Every operator given must hold; an unanswered (or not asked) question
 * fails every operator except `answered: false`.
 * - `in`: the answer is one of the values (`multi`: at least one chosen option is);
 * - `not_in`: answered and none of the values (`multi`: no chosen option is);
 * - `gte`/`gt`/`lte`/`lt`: numeric comparison (`number`, `scale`);
 * - `answered`: whether there is an answer at all.
 */
export interface AnswerTest {
  question: string;
  in?: Scalar[];
  not_in?: Scalar[];
  gte?: number;
  gt?: number;
  lte?: number;
  lt?: number;
  answered?: boolean;
}

/** Conditions are data (never evaluated as code): a test, or `all` / `any` / `not` of conditions. */
export type Condition = AnswerTest | { all: Condition[] } | { any: Condition[] } | { not: Condition };

const scalar = z.union([z.string(), z.number(), z.boolean()]);

const AnswerTestSchema = z
  .strictObject({
    question: z.string().min(1),
    in: z.array(scalar).min(1).optional(),
    not_in: z.array(scalar).min(1).optional(),
    gte: z.number().optional(),
    gt: z.number().optional(),
    lte: z.number().optional(),
    lt: z.number().optional(),
    answered: z.boolean().optional(),
  })
  .refine((t) => Object.keys(t).length > 1, {
    message: 'a condition on a question needs at least one of in, not_in, gte, gt, lte, lt, answered',
  });

/** zod schema of {@link Condition} (recursive). */
export const ConditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    AnswerTestSchema,
    z.strictObject({ all: z.array(ConditionSchema).min(1) }),
    z.strictObject({ any: z.array(ConditionSchema).min(1) }),
    z.strictObject({ not: ConditionSchema }),
  ]),
);

const same = (a: unknown, b: unknown) => a === b || String(a) === String(b);

/** Evaluates a condition against answers. Pure. */
export function evalCondition(c: Condition, answers: Answers): boolean {
  if ('all' in c) return c.all.every((x) => evalCondition(x, answers));
  if ('any' in c) return c.any.some((x) => evalCondition(x, answers));
  if ('not' in c) return !evalCondition(c.not, answers);
  return evalTest(c, answers[c.question]);
}

function evalTest(t: AnswerTest, v: AnswerValue | undefined): boolean {
  if (t.answered !== undefined && (v !== undefined) !== t.answered) return false;
  if (v === undefined) return t.answered === false && Object.keys(t).length === 2;
  const values = Array.isArray(v) ? v : [v];
  if (t.in && !values.some((x) => t.in!.some((y) => same(x, y)))) return false;
  if (t.not_in && values.some((x) => t.not_in!.some((y) => same(x, y)))) return false;
  const n = typeof v === 'number' ? v : Number.NaN;
  if (t.gte !== undefined && !(n >= t.gte)) return false;
  if (t.gt !== undefined && !(n > t.gt)) return false;
  if (t.lte !== undefined && !(n <= t.lte)) return false;
  if (t.lt !== undefined && !(n < t.lt)) return false;
  return true;
}

/** A question's `when`: `{questionId: [values]}`, asked only if every listed answer is one of its values. */
export type When = Record<string, Scalar[]>;

/** Whether a `when` holds for the answers (no `when` always holds). */
export function whenHolds(when: When | undefined, answers: Answers): boolean {
  if (!when) return true;
  return Object.entries(when).every(([question, values]) =>
    evalTest({ question, in: values }, answers[question]),
  );
}

/** Every answer test inside a condition, with its path below the condition (for content checks). */
export function testsOf(
  c: Condition,
  path: (string | number)[] = [],
): Array<{ test: AnswerTest; path: (string | number)[] }> {
  if ('all' in c) return c.all.flatMap((x, i) => testsOf(x, [...path, 'all', i]));
  if ('any' in c) return c.any.flatMap((x, i) => testsOf(x, [...path, 'any', i]));
  if ('not' in c) return testsOf(c.not, [...path, 'not']);
  return [{ test: c, path }];
}
