import type { Lesson, Track } from './schema.ts';

/** A lesson with its track. */
export interface TrackLesson {
  track: Track;
  lesson: Lesson;
}

const TEACH = /^(?:请)?(教教我|教我|teach\s+me|我想学|我要学|学一下|学习|learn)\s*(.*)$/iu;

/** Case-, width- and punctuation-insensitive form used for matching titles and keywords. */
export function normalizeQuery(s: string): string {
  return s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s「」『』“”"'‘’，。、,.!！?？:：~～]/gu, '');
}

/**
 * Recognizes an on-demand request: `教我盘点`, `学习 发票录入`, `teach me stock count`.
 * `explicit` is true for `教我…`/`teach me …` (always about lessons); `学习…` may be an ordinary
 * question (`学习资料在哪`), so callers pass it on when no lesson matches.
 * @returns the topic (`''` for a bare `教我`), or undefined when the text is not a request.
 */
export function parseTeach(text: string): { topic: string; explicit: boolean } | undefined {
  const m = TEACH.exec(text.normalize('NFKC').trim());
  if (!m) return undefined;
  return { topic: m[2].trim(), explicit: /^(教|teach)/i.test(m[1]) };
}

/** Finds a lesson by id pair. */
export function byId(tracks: readonly Track[], trackId: string, lessonId: string): TrackLesson | undefined {
  const track = tracks.find((t) => t.id === trackId);
  const lesson = track?.lessons.find((l) => l.id === lessonId);
  return track && lesson ? { track, lesson } : undefined;
}

/** Lessons whose title (zh or en) is exactly `text` (normalized). */
export function byExactTitle(tracks: readonly Track[], text: string): TrackLesson | undefined {
  const q = normalizeQuery(text);
  if (!q) return undefined;
  for (const track of tracks)
    for (const lesson of track.lessons)
      if (normalizeQuery(lesson.title) === q || (lesson.title_en && normalizeQuery(lesson.title_en) === q))
        return { track, lesson };
  return undefined;
}

/**
 * Best lesson for a topic: an exact title or keyword first, then a title or keyword containing
 * the topic (or contained in it). Tracks in `preferred` (the user's own) win ties.
 */
export function findLesson(
  tracks: readonly Track[],
  topic: string,
  preferred: readonly Track[] = [],
): TrackLesson | undefined {
  const q = normalizeQuery(topic);
  if (!q) return undefined;
  const ordered = [...preferred, ...tracks.filter((t) => !preferred.includes(t))];
  const names = (l: Lesson) =>
    [l.title, l.title_en, ...(l.keywords ?? [])].filter((x): x is string => !!x).map(normalizeQuery);
  for (const track of ordered)
    for (const lesson of track.lessons) if (names(lesson).includes(q)) return { track, lesson };
  for (const track of ordered)
    for (const lesson of track.lessons)
      if (names(lesson).some((n) => n.includes(q) || (n.length >= 2 && q.includes(n))))
        return { track, lesson };
  return undefined;
}
