import { pick, t } from '../core/i18n.ts';
import type { Button, Locale, OutgoingMessage } from '../core/types.ts';
import { M } from './messages.ts';
import { lessonIndex } from './progress.ts';
import type { Lesson, Quiz, Track } from './schema.ts';

/** Button value answering option `n` (1-based) of a lesson's quiz. */
export const quizValue = (trackId: string, lessonId: string, n: number) =>
  `lesson:quiz:${trackId}:${lessonId}:${n}`;
/** Button value marking a lesson without a quiz as read. */
export const doneValue = (trackId: string, lessonId: string) => `lesson:done:${trackId}:${lessonId}`;
/** Button value sending a lesson again (from a nudge). */
export const openValue = (trackId: string, lessonId: string) => `lesson:open:${trackId}:${lessonId}`;

/** Track display name in `locale`. */
export const trackName = (track: Track, locale: Locale) =>
  pick(locale, track.name ?? track.role, track.name_en);
/** Lesson title in `locale`. */
export const lessonTitle = (lesson: Lesson, locale: Locale) => pick(locale, lesson.title, lesson.title_en);

/** Quiz question and options in `locale` (English only when the content has both). */
export function quizText(
  quiz: Quiz,
  locale: Locale,
): { question: string; options: string[]; explain: string } {
  const en = locale === 'en' && quiz.question_en && quiz.options_en;
  return {
    question: en ? quiz.question_en! : quiz.question,
    options: en ? quiz.options_en! : quiz.options,
    explain: en && quiz.explain_en ? quiz.explain_en : quiz.explain,
  };
}

const short = (s: string, n = 18) =>
  Array.from(s).length > n
    ? `${Array.from(s)
        .slice(0, n - 1)
        .join('')}…`
    : s;

/** The quiz part alone: question, numbered options, and one button per option. */
export function renderQuiz(
  track: Track,
  lesson: Lesson,
  locale: Locale,
): { text: string; buttons: Button[] } {
  const q = quizText(lesson.quiz!, locale);
  const options = q.options.map((o, i) => `${i + 1}. ${o}`).join('\n');
  return {
    text: t(locale, M.quiz, { question: q.question, options }),
    buttons: q.options.map((o, i) => ({
      label: `${i + 1}. ${short(o)}`,
      value: quizValue(track.id, lesson.id, i + 1),
    })),
  };
}

/**
 * One lesson as one message: header with the track position (`3/5`), the body (scenario and
 * steps), then the quiz with buttons — or a `学完了` button when the lesson has no quiz.
 * @param push true for the daily push (`今日微课`), false when sent on request.
 */
export function renderLesson(track: Track, lesson: Lesson, locale: Locale, push: boolean): OutgoingMessage {
  const header = t(locale, push ? M.headerPush : M.header, {
    emoji: track.emoji ?? '📘',
    track: trackName(track, locale),
    n: lessonIndex(track, lesson.id),
    total: track.lessons.length,
    title: lessonTitle(lesson, locale),
  });
  const body = pick(locale, lesson.body, lesson.body_en).trim();
  if (lesson.quiz) {
    const quiz = renderQuiz(track, lesson, locale);
    return { title: header, text: `${header}\n${body}\n\n${quiz.text}`, buttons: quiz.buttons };
  }
  return {
    title: header,
    text: `${header}\n${body}\n\n${t(locale, M.noQuizHint)}`,
    buttons: [{ label: t(locale, M.btnDone), value: doneValue(track.id, lesson.id) }],
  };
}
