import { type Answers, whenHolds } from './condition.ts';
import { type Question, type Survey, scaleRange } from './schema.ts';

/**
 * The path through a survey given the answers so far. `when` only names earlier questions,
 * so one forward pass decides which questions are asked. Pure functions.
 */

/** Whether `q` is asked given `answers`. */
export const isAsked = (q: Question, answers: Answers): boolean => whenHolds(q.when, answers);

/** Index of the first asked question after `from` (-1 to start), or -1 when none is left. */
export function nextIndex(s: Survey, from: number, answers: Answers): number {
  for (let i = from + 1; i < s.questions.length; i++) if (isAsked(s.questions[i], answers)) return i;
  return -1;
}

/** Index of the last asked question before `from`, or -1 when `from` is the first. */
export function prevIndex(s: Survey, from: number, answers: Answers): number {
  for (let i = from - 1; i >= 0; i--) if (isAsked(s.questions[i], answers)) return i;
  return -1;
}

/** Index of a question id, or -1. */
export const indexOf = (s: Survey, id: string): number => s.questions.findIndex((q) => q.id === id);

/**
 * Drops answers of questions no longer asked (after `返回` changed an earlier answer, the
 * other branch's answers go) and of ids the survey no longer has. Returns a new object.
 */
export function prune(s: Survey, answers: Answers): Answers {
  const kept: Answers = {};
  for (const q of s.questions) {
    if (answers[q.id] !== undefined && isAsked(q, kept)) kept[q.id] = answers[q.id];
  }
  return kept;
}

/** Chance that an unanswered question takes one of `values` (uniform over its answers). */
function share(q: Question, values: unknown[]): number {
  switch (q.type) {
    case 'single':
    case 'multi': {
      const n = q.options?.length ?? 1;
      const hit = q.options?.filter((o) => values.some((v) => String(v) === o.value)).length ?? 0;
      return Math.min(1, hit / n);
    }
    case 'yesno':
      return Math.min(1, new Set(values.map(String)).size / 2);
    case 'scale': {
      const { min, max } = scaleRange(q);
      return Math.min(1, values.length / (max - min + 1));
    }
    default:
      return 0.5;
  }
}

/**
 * Where the user is: `position` (1-based among asked questions) and `total`, the expected
 * number of questions on their path — exact once every branching answer is known; before
 * that, each undecided question counts with the chance its `when` holds (options equally
 * likely), rounded up. `(3/12)` on screen.
 */
export function progress(s: Survey, current: number, answers: Answers): { position: number; total: number } {
  let position = 1;
  for (let i = 0; i < current; i++) if (isAsked(s.questions[i], answers)) position++;
  const p = new Map<string, number>();
  let expected = position;
  for (let i = current + 1; i < s.questions.length; i++) {
    const q = s.questions[i];
    let chance = 1;
    for (const [ref, values] of Object.entries(q.when ?? {})) {
      const ri = indexOf(s, ref);
      const known = ri < current || answers[ref] !== undefined;
      if (known) chance *= whenHolds({ [ref]: values }, answers) ? 1 : 0;
      else chance *= (p.get(ref) ?? 1) * share(s.questions[ri], values);
    }
    p.set(q.id, chance);
    expected += chance;
  }
  // Rounded up: a total that later shrinks reads better than one that grows ((1/13) then (2/14)).
  return { position, total: Math.max(position, Math.ceil(expected - 1e-9)) };
}
