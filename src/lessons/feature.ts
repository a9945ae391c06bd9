import type { Feature, Input, Outcome, TurnContext } from '../core/feature.ts';
import { handled, pass } from '../core/feature.ts';
import { t } from '../core/i18n.ts';
import type { OutgoingMessage } from '../core/types.ts';
import { byExactTitle, byId, findLesson, parseTeach, type TrackLesson } from './find.ts';
import { M } from './messages.ts';
import {
  isComplete,
  type LessonProgress,
  type LessonVia,
  latestOpenQuiz,
  PROGRESS,
  progressKey,
  readUserProgress,
} from './progress.ts';
import { answerQuiz, openQuiz, parseChoice, type QuizFlow } from './quiz.ts';
import { lessonTitle, renderLesson, trackName } from './render.ts';
import { readPerson } from './roster-view.ts';
import { type Track, trackApplies } from './schema.ts';

/** Dependencies of {@link createLessonFeature}. */
export interface LessonFeatureOptions {
  /** Loaded tracks ({@link loadLessons}). */
  tracks: readonly Track[];
}

/**
 * The `lesson` feature (DOMAIN.md §2):
 * - `课程` / `lesson`: the user's progress per track, then the next lesson now;
 * - `教我盘点`, `学习 发票录入`, `teach me …`, or a lesson's exact title: that lesson on demand;
 * - quiz answers by button (`lesson:quiz:<trackId>:<lessonId>:<n>`), by number or by option
 *   text while a quiz is open (a small flow, or a pointer when a pushed lesson opened it);
 *   right/wrong with the explanation, one retry after a wrong answer;
 * - `lesson:done:<trackId>:<lessonId>` marks a lesson without a quiz read,
 *   `lesson:open:<trackId>:<lessonId>` sends one again (nudge buttons).
 * Progress goes to collection `lesson-progress` (key `<userKey>/<trackId>/<lessonId>`).
 * Tracks reach a user through their roster roles (`全员` reaches everyone).
 */
export function createLessonFeature(opts: LessonFeatureOptions): Feature {
  const { tracks } = opts;

  async function userTracks(ctx: TurnContext): Promise<Track[]> {
    const person = await readPerson(ctx.tx, ctx.userKey);
    const roles = person?.roles.length ? person.roles : ctx.message.role ? [ctx.message.role] : [];
    return tracks.filter((tr) => trackApplies(tr, roles));
  }

  /** Records the lesson as sent (asking for it counts as opening it) and renders it. */
  async function send(
    ctx: TurnContext,
    { track, lesson }: TrackLesson,
    via: LessonVia,
  ): Promise<OutgoingMessage> {
    const key = progressKey(ctx.userKey, track.id, lesson.id);
    const p = (await ctx.tx.get<LessonProgress>(PROGRESS, key)) ?? { sentAt: ctx.now, via, attempts: 0 };
    p.openedAt ??= ctx.now;
    p.shownAt = ctx.now;
    ctx.tx.put(PROGRESS, key, p);
    if (lesson.quiz && p.answeredAt === undefined) openQuiz(ctx, track.id, lesson.id);
    return renderLesson(track, lesson, ctx.locale, false);
  }

  async function progressAndNext(ctx: TurnContext): Promise<OutgoingMessage[]> {
    const mine = await userTracks(ctx);
    if (!mine.length) return [{ text: t(ctx.locale, M.noTracks) }];
    const progress = await readUserProgress(ctx.tx, ctx.userKey);
    const lines = mine.map((tr) => {
      const done = tr.lessons.filter((l) => isComplete(l, progress.get(`${tr.id}/${l.id}`))).length;
      const answered = tr.lessons.filter(
        (l) => l.quiz && progress.get(`${tr.id}/${l.id}`)?.answeredAt !== undefined,
      );
      const correct = answered.filter((l) => progress.get(`${tr.id}/${l.id}`)?.correct).length;
      const line = t(ctx.locale, M.progressLine, {
        emoji: tr.emoji ?? '📘',
        track: trackName(tr, ctx.locale),
        done,
        total: tr.lessons.length,
      });
      return answered.length
        ? line + t(ctx.locale, M.progressQuiz, { correct, answered: answered.length })
        : line;
    });
    const summary: OutgoingMessage = { text: `${t(ctx.locale, M.progressHeader)}\n${lines.join('\n')}` };
    const unsent = mine
      .flatMap((track) => track.lessons.map((lesson) => ({ track, lesson })))
      .find(({ track, lesson }) => !progress.has(`${track.id}/${lesson.id}`));
    const unfinished = mine
      .flatMap((track) => track.lessons.map((lesson) => ({ track, lesson })))
      .find(({ track, lesson }) => !isComplete(lesson, progress.get(`${track.id}/${lesson.id}`)));
    const next = unsent ?? unfinished;
    if (!next) {
      const example = lessonTitle(mine[0].lessons[0], ctx.locale);
      return [summary, { text: t(ctx.locale, M.allDone, { example }) }];
    }
    return [summary, await send(ctx, next, 'next')];
  }

  async function teach(ctx: TurnContext, topic: string, explicit: boolean): Promise<Outcome> {
    if (!topic) return handled(...(await progressAndNext(ctx)));
    const mine = await userTracks(ctx);
    const hit = findLesson(tracks, topic, mine);
    if (hit) return handled(await send(ctx, hit, 'demand'));
    if (!explicit) return pass;
    const pool = mine.length ? mine : tracks;
    const titles = pool.flatMap((tr) => tr.lessons.map((l) => lessonTitle(l, ctx.locale)));
    const sep = ctx.locale === 'en' ? ', ' : '、';
    return handled({
      text: t(ctx.locale, M.notFound, { query: topic, titles: titles.join(sep), example: titles[0] ?? '' }),
    });
  }

  async function tryAnswer(
    ctx: TurnContext,
    at: Omit<QuizFlow, 'at'> | undefined,
    text: string,
  ): Promise<Outcome> {
    const hit = at && byId(tracks, at.trackId, at.lessonId);
    if (!hit?.lesson.quiz) return pass;
    const n = parseChoice(text, hit.lesson.quiz.options);
    if (n === undefined && hit.lesson.quiz.options_en) {
      const en = parseChoice(text, hit.lesson.quiz.options_en);
      if (en !== undefined) return handled(...(await answerQuiz(ctx, hit, en)));
    }
    return n === undefined ? pass : handled(...(await answerQuiz(ctx, hit, n)));
  }

  async function onAction(ctx: TurnContext, value: string): Promise<Outcome> {
    const [, kind, trackId, lessonId, n] = value.split(':');
    if (kind === 'next') {
      // A typed number the router mapped to an old `下一课` button: if a quiz was pushed since
      // that turn, the number is its answer.
      if (ctx.message.text !== undefined && !ctx.message.action) {
        const open = latestOpenQuiz(tracks, await readUserProgress(ctx.tx, ctx.userKey), ctx.now);
        if (open && open.at > ctx.session.updatedAt) {
          const out = await tryAnswer(ctx, open, ctx.message.text);
          if (out.status === 'handled') return out;
        }
      }
      return handled(...(await progressAndNext(ctx)));
    }
    const hit = byId(tracks, trackId ?? '', lessonId ?? '');
    if (!hit) return pass;
    switch (kind) {
      case 'quiz': {
        const choice = Number(n);
        if (
          !hit.lesson.quiz ||
          !Number.isInteger(choice) ||
          choice < 1 ||
          choice > hit.lesson.quiz.options.length
        )
          return pass;
        return handled(...(await answerQuiz(ctx, hit, choice)));
      }
      case 'done': {
        const key = progressKey(ctx.userKey, trackId, lessonId);
        const p = (await ctx.tx.get<LessonProgress>(PROGRESS, key)) ?? {
          sentAt: ctx.now,
          via: 'demand' as const,
          attempts: 0,
        };
        p.openedAt ??= ctx.now;
        ctx.tx.put(PROGRESS, key, p);
        return handled({ text: t(ctx.locale, M.markedDone, { title: lessonTitle(hit.lesson, ctx.locale) }) });
      }
      case 'open':
        return handled(await send(ctx, hit, 'demand'));
      default:
        return pass;
    }
  }

  return {
    name: 'lesson',
    help: (locale) => t(locale, M.help),
    async handle(stage: 'action' | 'flow' | 'message', input: Input, ctx: TurnContext): Promise<Outcome> {
      if (stage === 'action') return input.kind === 'action' ? onAction(ctx, input.value) : pass;
      if (stage === 'flow') {
        if (input.kind === 'text') {
          const flow = ctx.session.active?.data as QuizFlow | undefined;
          const open = latestOpenQuiz(tracks, await readUserProgress(ctx.tx, ctx.userKey), ctx.now);
          const out = await tryAnswer(ctx, open && (!flow || open.at > flow.at) ? open : flow, input.text);
          if (out.status === 'handled') return out;
        }
        // Anything but an answer leaves the quiz; the pointer still takes a later bare number.
        ctx.session.active = undefined;
        return pass;
      }
      if (input.kind === 'command')
        return input.command === 'lesson' ? handled(...(await progressAndNext(ctx))) : pass;
      if (input.kind !== 'text') return pass;
      const req = parseTeach(input.text);
      if (req) {
        const out = await teach(ctx, req.topic, req.explicit);
        if (out.status === 'handled') return out;
      }
      const exact = byExactTitle(tracks, input.text);
      if (exact) return handled(await send(ctx, exact, 'demand'));
      if (input.text.trim().length > 60) return pass; // an answer is a number or an option's text
      const open = latestOpenQuiz(tracks, await readUserProgress(ctx.tx, ctx.userKey), ctx.now);
      return open ? tryAnswer(ctx, open, input.text) : pass;
    },
  };
}
