import { z } from 'zod';
import { isValidCron } from '../scheduler/cron.ts';

/**
 * Zod schemas of lesson content (`flows/lessons/*.yaml`, one track per file; format in
 * `../shared/CONTRACT.md` "Roster, lessons, milestones and jobs"). Core fields are the
 * contract's; `name`, `emoji`, `keywords` and the `*_en` fields are optional extras.
 *
 * Shape rules from the domain brief (a lesson is read on a phone between tasks): the body has
 * 3–6 numbered steps and one `场景：` (or `Scenario:`) line from real work, and the whole lesson
 * reads in under two minutes ({@link MAX_LESSON_CHARS} characters, ~350 Chinese characters a
 * minute at a relaxed pace).
 */

/** Upper bound on body + quiz characters: under two minutes of reading. */
export const MAX_LESSON_CHARS = 700;

const text = z.string().trim().min(1, 'must not be empty');
const id = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'id must be letters, digits, "_" or "-" (e.g. stock-count)');

/** The optional check question; `answer` is 1-based. */
export const QuizSchema = z
  .object({
    question: text,
    options: z.array(text).min(2, 'a quiz needs at least 2 options').max(6, 'at most 6 options'),
    answer: z.number().int('answer must be a whole number (1-based)').min(1, 'answer is 1-based'),
    explain: text,
    question_en: text.optional(),
    options_en: z.array(text).optional(),
    explain_en: text.optional(),
  })
  .superRefine((q, ctx) => {
    if (q.answer > q.options.length)
      ctx.addIssue({
        code: 'custom',
        path: ['answer'],
        message: `answer ${q.answer} but only ${q.options.length} options`,
      });
    if (q.options_en && q.options_en.length !== q.options.length)
      ctx.addIssue({
        code: 'custom',
        path: ['options_en'],
        message: 'options_en must list as many options as options',
      });
  });
/** A parsed quiz. */
export type Quiz = z.infer<typeof QuizSchema>;

const STEP = /^\s*\d+[.、)）]\s*\S/;
const SCENARIO = /^\s*(场景|scenario)\s*[:：]/im;

function checkBody(body: string, path: (string | number)[], ctx: z.RefinementCtx): void {
  const steps = body.split('\n').filter((l) => STEP.test(l)).length;
  if (steps < 3 || steps > 6)
    ctx.addIssue({ code: 'custom', path, message: `needs 3–6 numbered steps ("1. …"), found ${steps}` });
  if (!SCENARIO.test(body))
    ctx.addIssue({ code: 'custom', path, message: 'needs one real-work scenario line ("场景：…")' });
}

/** One micro-lesson. */
export const LessonSchema = z
  .object({
    id,
    title: text,
    title_en: text.optional(),
    /** Markdown: a `场景：` line and 3–6 numbered steps. */
    body: text,
    body_en: text.optional(),
    /** More words that find this lesson on demand (`教我<keyword>`). */
    keywords: z.array(text).optional(),
    quiz: QuizSchema.optional(),
  })
  .superRefine((l, ctx) => {
    checkBody(l.body, ['body'], ctx);
    if (l.body_en) checkBody(l.body_en, ['body_en'], ctx);
    const size =
      l.body.length +
      (l.quiz ? l.quiz.question.length + l.quiz.options.join('').length + l.quiz.explain.length : 0);
    if (size > MAX_LESSON_CHARS)
      ctx.addIssue({
        code: 'custom',
        path: ['body'],
        message: `lesson is ${size} characters; keep it under ${MAX_LESSON_CHARS} (two minutes of reading)`,
      });
  });
/** A parsed lesson. */
export type Lesson = z.infer<typeof LessonSchema>;

/** One track: the lessons a roster role receives, in order, on `schedule`. */
export const TrackSchema = z
  .object({
    id,
    /** Roster role that receives this track; `全员` (or `*`) means everyone in the roster. */
    role: text,
    name: text.optional(),
    name_en: text.optional(),
    emoji: text.optional(),
    /** Cron (5 fields, or 6 with seconds) in each user's time zone; fires on working days only. */
    schedule: z
      .string()
      .trim()
      .refine((s) => isValidCron(s), { message: 'not a cron expression (e.g. "30 9 * * *")' }),
    lessons: z.array(LessonSchema).min(1, 'a track needs at least one lesson'),
  })
  .superRefine((t, ctx) => {
    const seen = new Set<string>();
    t.lessons.forEach((l, i) => {
      if (seen.has(l.id))
        ctx.addIssue({ code: 'custom', path: ['lessons', i, 'id'], message: `duplicate lesson id ${l.id}` });
      seen.add(l.id);
    });
  });
/** A parsed track (one file of `flows/lessons`). */
export type Track = z.infer<typeof TrackSchema>;

/** Roles that mean "everyone in the roster". */
export const EVERYONE_ROLES: readonly string[] = ['全员', '*', 'all', 'everyone'];

/** True when `track` goes to a user with `roles`. */
export function trackApplies(track: Track, roles: readonly string[]): boolean {
  return EVERYONE_ROLES.includes(track.role) || roles.includes(track.role);
}
