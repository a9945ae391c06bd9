import type { TurnTx } from '../core/feature.ts';
import type { Store } from '../core/store.ts';
import type { UserKey } from '../core/types.ts';
import type { Lesson, Track } from './schema.ts';

/** Collection of per-user lesson progress; key {@link progressKey}. */
export const PROGRESS = 'lesson-progress';

/** How a lesson reached the user: pushed by the job, `课程` (next), or asked for (`教我…`). */
export type LessonVia = 'push' | 'next' | 'demand';

/** One user's progress on one lesson. Instants are ms since epoch (UTC). */
export interface LessonProgress {
  sentAt: number;
  via: LessonVia;
  /** The job firing (slot instant) that pushed it; a rerun of that slot re-picks the same lesson. */
  slot?: number;
  /** Last time the user was shown it (sent, sent again on request, or its quiz re-asked). */
  shownAt?: number;
  /** First interaction: a quiz answer, `学完了`, or asking for it again. */
  openedAt?: number;
  /** When the quiz was settled (right, or wrong after the retry). */
  answeredAt?: number;
  /** Final quiz result. */
  correct?: boolean;
  /** Quiz answers given (at most 2: one retry). */
  attempts: number;
  /** The one reminder for this lesson (see the lessons job), ms UTC, and its local date. */
  nudgedAt?: number;
  nudgeYmd?: string;
}

/** The quiz a bare number answers. */
export interface OpenQuiz {
  trackId: string;
  lessonId: string;
  /** When it was last shown, ms UTC. */
  at: number;
}

/** How long after it was last shown a quiz still takes a bare-number answer: 7 days. */
export const OPEN_QUIZ_MS = 7 * 86_400_000;

/**
 * The quiz a bare number answers: the unanswered quiz shown to the user most recently, within
 * {@link OPEN_QUIZ_MS}. Lessons pushed by one run share a time; the later track in `tracks`
 * order was queued later, so it is the one at the bottom of the chat and wins the tie.
 * Derived from progress, so the job writes nothing extra per push.
 */
export function latestOpenQuiz(
  tracks: readonly Track[],
  progress: UserProgress,
  now: number,
): OpenQuiz | undefined {
  let best: (OpenQuiz & { rank: number }) | undefined;
  for (const [k, p] of progress) {
    const at = p.shownAt ?? p.sentAt;
    if (p.answeredAt !== undefined || now - at > OPEN_QUIZ_MS) continue;
    const [trackId, lessonId] = k.split('/');
    const rank = tracks.findIndex((t) => t.id === trackId);
    if (!tracks[rank]?.lessons.find((l) => l.id === lessonId)?.quiz) continue;
    if (!best || at > best.at || (at === best.at && rank > best.rank)) best = { trackId, lessonId, at, rank };
  }
  return best && { trackId: best.trackId, lessonId: best.lessonId, at: best.at };
}

/** `<userKey>/<trackId>/<lessonId>` */
export function progressKey(userKey: UserKey, trackId: string, lessonId: string): string {
  return `${userKey}/${trackId}/${lessonId}`;
}

/** Done: the quiz is settled, or (no quiz) the user opened it. */
export function isComplete(lesson: Lesson, p: LessonProgress | undefined): boolean {
  if (!p) return false;
  return lesson.quiz ? p.answeredAt !== undefined : p.openedAt !== undefined;
}

/** A user's progress by `<trackId>/<lessonId>`. */
export type UserProgress = Map<string, LessonProgress>;

/** Reads all of one user's progress (through the turn's overlay when given a tx). */
export async function readUserProgress(
  src: Pick<Store, 'list'> | TurnTx,
  userKey: UserKey,
): Promise<UserProgress> {
  const prefix = `${userKey}/`;
  const rows = await src.list<LessonProgress>(PROGRESS, { prefix });
  return new Map(rows.map((r) => [r.key.slice(prefix.length), r.value]));
}

/** Reads everyone's progress, grouped by user key. */
export async function readAllProgress(store: Pick<Store, 'list'>): Promise<Map<UserKey, UserProgress>> {
  const out = new Map<UserKey, UserProgress>();
  for (const { key, value } of await store.list<LessonProgress>(PROGRESS)) {
    const parts = key.split('/');
    if (parts.length < 3) continue;
    const lessonId = parts.pop()!;
    const trackId = parts.pop()!;
    const user = parts.join('/');
    const m = out.get(user) ?? new Map<string, LessonProgress>();
    out.set(user, m);
    m.set(`${trackId}/${lessonId}`, value);
  }
  return out;
}

/** Position of a lesson in its track, 1-based. */
export function lessonIndex(track: Track, lessonId: string): number {
  return track.lessons.findIndex((l) => l.id === lessonId) + 1;
}
