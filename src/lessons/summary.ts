import { t } from '../core/i18n.ts';
import type { Locale, OutgoingMessage, UserKey } from '../core/types.ts';
import { M } from './messages.ts';
import { isComplete, type UserProgress } from './progress.ts';
import { lessonTitle } from './render.ts';
import type { RosterPerson } from './roster-view.ts';
import { type Track, trackApplies } from './schema.ts';

/** One manager's part of the weekly digest: reports still behind after their one nudge. */
export interface ManagerSummary {
  manager: UserKey;
  reports: Array<{
    userKey: UserKey;
    name: string;
    lessons: Array<{ trackId: string; lessonId: string; title: string }>;
  }>;
}

/**
 * Who goes in each manager's weekly lesson summary: people whose lesson was nudged before
 * `beforeMs` (ms UTC) and is still not done. Managers with nobody behind are left out (no
 * empty messages). Sorted by manager key, reports by name.
 */
export function managerSummaries(
  roster: readonly RosterPerson[],
  tracks: readonly Track[],
  progress: Map<UserKey, UserProgress>,
  beforeMs: number,
): ManagerSummary[] {
  const byManager = new Map<UserKey, ManagerSummary['reports']>();
  for (const person of roster) {
    if (!person.manager) continue;
    const mine = progress.get(person.userKey);
    if (!mine) continue;
    const lessons = tracks
      .filter((tr) => trackApplies(tr, person.roles))
      .flatMap((tr) => tr.lessons.map((l) => ({ tr, l, p: mine.get(`${tr.id}/${l.id}`) })))
      .filter(({ l, p }) => p?.nudgedAt !== undefined && p.nudgedAt < beforeMs && !isComplete(l, p))
      .map(({ tr, l }) => ({ trackId: tr.id, lessonId: l.id, title: l.title }));
    if (!lessons.length) continue;
    const list = byManager.get(person.manager) ?? [];
    list.push({ userKey: person.userKey, name: person.name, lessons });
    byManager.set(person.manager, list);
  }
  return [...byManager.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([manager, reports]) => ({
      manager,
      reports: reports.sort((a, b) => a.name.localeCompare(b.name, 'zh-CN')),
    }));
}

/** The manager's message: one line per person, lesson titles in `locale` where known. */
export function renderManagerSummary(
  s: ManagerSummary,
  tracks: readonly Track[],
  locale: Locale,
): OutgoingMessage {
  const title = (trackId: string, lessonId: string, fallback: string) => {
    const l = tracks.find((tr) => tr.id === trackId)?.lessons.find((x) => x.id === lessonId);
    return l ? lessonTitle(l, locale) : fallback;
  };
  const lines = s.reports.map((r) =>
    t(locale, M.managerSummaryLine, {
      name: r.name,
      count: r.lessons.length,
      titles: r.lessons.map((l) => title(l.trackId, l.lessonId, l.title)).join(locale === 'en' ? ', ' : '、'),
    }),
  );
  return { text: `${t(locale, M.managerSummaryHeader, { count: s.reports.length })}\n${lines.join('\n')}` };
}
