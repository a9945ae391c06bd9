import type { TurnContext } from '../core/feature.ts';
import { t } from '../core/i18n.ts';
import type { Locale, OutgoingMessage } from '../core/types.ts';
import type { TrackLesson } from './find.ts';
import { normalizeQuery } from './find.ts';
import { M } from './messages.ts';
import { type LessonProgress, PROGRESS, progressKey } from './progress.ts';
import { quizText, renderQuiz } from './render.ts';

/** The button under a settled quiz: `下一课` (`lesson:next`). */
const next = (loc: Locale) => [{ label: t(loc, M.btnNext), value: 'lesson:next' }];

/** Quiz answers allowed per lesson: the first and one retry. */
export const MAX_ATTEMPTS = 2;

const CN_DIGITS: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6 };

/**
 * Reads a typed answer: the option number (`2`, `２`, `二`, `2.`) or the option's text.
 * @returns the 1-based option, or undefined when the text is not an answer.
 */
export function parseChoice(text: string, options: readonly string[]): number | undefined {
  const s = text
    .normalize('NFKC')
    .trim()
    .replace(/[.。、)）]$/u, '');
  const n = /^\d+$/.test(s) ? Number(s) : CN_DIGITS[s];
  if (n !== undefined) return n >= 1 && n <= options.length ? n : undefined;
  const q = normalizeQuery(s);
  const i = q ? options.findIndex((o) => normalizeQuery(o) === q) : -1;
  return i >= 0 ? i + 1 : undefined;
}

/** The quiz flow's state in `session.active.data`. */
export interface QuizFlow {
  trackId: string;
  lessonId: string;
  /** When it opened (ms UTC); a quiz pushed later (the pointer) takes precedence. */
  at: number;
}

/** Opens the quiz flow for bare-number answers, unless another feature's flow is active. */
export function openQuiz(ctx: TurnContext, trackId: string, lessonId: string): void {
  if (!ctx.session.active || ctx.session.active.feature === 'lesson')
    ctx.session.active = { feature: 'lesson', data: { trackId, lessonId, at: ctx.now } satisfies QuizFlow };
}

/** Closes the quiz flow if it is this lesson's. */
function closeQuiz(ctx: TurnContext, trackId: string, lessonId: string): void {
  const flow = ctx.session.active;
  if (flow?.feature === 'lesson') {
    const d = flow.data as QuizFlow;
    if (d.trackId === trackId && d.lessonId === lessonId) ctx.session.active = undefined;
  }
}

/**
 * Records answer `n` (1-based) to a lesson's quiz and says right or wrong. A first wrong answer
 * may retry once (the quiz is shown again); the second settles it with the right answer and
 * the explanation. An already settled quiz is not scored again.
 */
export async function answerQuiz(
  ctx: TurnContext,
  { track, lesson }: TrackLesson,
  n: number,
): Promise<OutgoingMessage[]> {
  const quiz = lesson.quiz!;
  const key = progressKey(ctx.userKey, track.id, lesson.id);
  const p: LessonProgress = (await ctx.tx.get<LessonProgress>(PROGRESS, key)) ?? {
    sentAt: ctx.now,
    via: 'demand',
    attempts: 0,
  };
  const q = quizText(quiz, ctx.locale);
  const loc = ctx.locale;
  if (p.answeredAt !== undefined) {
    closeQuiz(ctx, track.id, lesson.id);
    const result = t(loc, p.correct ? M.resultRight : M.resultWrong);
    return [{ text: t(loc, M.already, { result, explain: q.explain }) }];
  }
  p.openedAt ??= ctx.now;
  p.attempts += 1;
  let reply: OutgoingMessage;
  if (n === quiz.answer) {
    p.correct = true;
    p.answeredAt = ctx.now;
    reply = { text: `${t(loc, M.right, { explain: q.explain })}\n${t(loc, M.nextHint)}`, buttons: next(loc) };
  } else if (p.attempts < MAX_ATTEMPTS) {
    p.shownAt = ctx.now;
    const again = renderQuiz(track, lesson, loc);
    reply = { text: `${t(loc, M.wrongRetry)}\n\n${again.text}`, buttons: again.buttons };
  } else {
    p.correct = false;
    p.answeredAt = ctx.now;
    const option = q.options[quiz.answer - 1];
    reply = {
      text: `${t(loc, M.wrongFinal, { n: quiz.answer, option, explain: q.explain })}\n${t(loc, M.nextHint)}`,
      buttons: next(loc),
    };
  }
  ctx.tx.put(PROGRESS, key, p);
  if (p.answeredAt !== undefined) closeQuiz(ctx, track.id, lesson.id);
  else openQuiz(ctx, track.id, lesson.id);
  return [reply];
}
