import { stringify } from 'csv-stringify/sync';
import type { UserKey } from '../core/types.ts';
import { isComplete, type UserProgress } from './progress.ts';
import type { RosterPerson } from './roster-view.ts';
import { type Track, trackApplies } from './schema.ts';

/** Counts over some lessons. Rates are ratios in [0, 1], 3 decimals; `null` when nothing to rate. */
export interface Tally {
  /** Lessons in the person's tracks (for a group: summed over its people). */
  assigned: number;
  sent: number;
  completed: number;
  completion: number | null;
  quizAnswered: number;
  quizCorrect: number;
  /** Quizzes answered right at the first try. */
  quizFirstTry: number;
  /** Final quiz results right ÷ quizzes answered. */
  quizScore: number | null;
  /** Answered right at the first try ÷ quizzes answered. */
  firstTryScore: number | null;
}

/** One person's row: roster fields plus their {@link Tally}. */
export interface PersonRow extends Tally {
  userId: UserKey;
  name: string;
  department: string;
  roles: string[];
}

/** One role's or department's row: summed {@link Tally} of its people. */
export interface GroupRow extends Tally {
  /** Role or department name (`未分配` / `(none)` for people without one). */
  group: string;
  people: number;
}

/** `GET /api/lessons/progress` body. */
export interface ProgressReport {
  /** ISO time the report was built. */
  generatedAt: string;
  people: PersonRow[];
  byRole: GroupRow[];
  byDepartment: GroupRow[];
}

const NO_DEPARTMENT = '未分配';
const ratio = (a: number, b: number) => (b ? Math.round((a / b) * 1000) / 1000 : null);

function tally(tracks: readonly Track[], progress: UserProgress | undefined): Tally {
  const t = { assigned: 0, sent: 0, completed: 0, quizAnswered: 0, quizCorrect: 0, firstTry: 0 };
  for (const track of tracks)
    for (const lesson of track.lessons) {
      t.assigned++;
      const p = progress?.get(`${track.id}/${lesson.id}`);
      if (!p) continue;
      t.sent++;
      if (isComplete(lesson, p)) t.completed++;
      if (lesson.quiz && p.answeredAt !== undefined) {
        t.quizAnswered++;
        if (p.correct) t.quizCorrect++;
        if (p.correct && p.attempts === 1) t.firstTry++;
      }
    }
  return finish(t);
}

function finish(t: {
  assigned: number;
  sent: number;
  completed: number;
  quizAnswered: number;
  quizCorrect: number;
  firstTry: number;
}): Tally {
  return {
    assigned: t.assigned,
    sent: t.sent,
    completed: t.completed,
    completion: ratio(t.completed, t.assigned),
    quizAnswered: t.quizAnswered,
    quizCorrect: t.quizCorrect,
    quizFirstTry: t.firstTry,
    quizScore: ratio(t.quizCorrect, t.quizAnswered),
    firstTryScore: ratio(t.firstTry, t.quizAnswered),
  };
}

function sum(group: string, rows: Tally[]): GroupRow {
  const acc = { assigned: 0, sent: 0, completed: 0, quizAnswered: 0, quizCorrect: 0, firstTry: 0 };
  for (const r of rows) {
    acc.assigned += r.assigned;
    acc.sent += r.sent;
    acc.completed += r.completed;
    acc.quizAnswered += r.quizAnswered;
    acc.quizCorrect += r.quizCorrect;
    acc.firstTry += r.quizFirstTry;
  }
  return { group, people: rows.length, ...finish(acc) };
}

/**
 * Completion and quiz scores per person, per role (over that role's tracks only; `全员` is its
 * own row) and per department (over all of each person's tracks). People with progress but no
 * roster entry are listed under their user key.
 * @param now ms UTC, for `generatedAt`.
 */
export function buildProgressReport(
  roster: readonly RosterPerson[],
  tracks: readonly Track[],
  progress: Map<UserKey, UserProgress>,
  now: number,
): ProgressReport {
  const people = [...roster];
  const known = new Set(roster.map((p) => p.userKey));
  for (const key of progress.keys()) if (!known.has(key)) people.push({ userKey: key, name: key, roles: [] });
  const rows: PersonRow[] = people.map((p) => ({
    userId: p.userKey,
    name: p.name,
    department: p.department ?? NO_DEPARTMENT,
    roles: p.roles,
    ...tally(
      tracks.filter((tr) => trackApplies(tr, p.roles)),
      progress.get(p.userKey),
    ),
  }));
  const roles = [...new Set(tracks.map((tr) => tr.role))];
  const byRole = roles.map((role) => {
    const roleTracks = tracks.filter((tr) => tr.role === role);
    const members = people.filter((p) => trackApplies(roleTracks[0], p.roles));
    return sum(
      role,
      members.map((p) => tally(roleTracks, progress.get(p.userKey))),
    );
  });
  const departments = [...new Set(rows.map((r) => r.department))].sort();
  const byDepartment = departments.map((d) =>
    sum(
      d,
      rows.filter((r) => r.department === d),
    ),
  );
  return { generatedAt: new Date(now).toISOString(), people: rows, byRole, byDepartment };
}

const pct = (r: number | null) => (r === null ? '' : `${(r * 100).toFixed(1)}%`);
const TALLY_HEADER = ['应学', '已发送', '已完成', '完成率', '测验已答', '测验答对', '正确率', '一次答对率'];
const tallyCells = (t: Tally) => [
  t.assigned,
  t.sent,
  t.completed,
  pct(t.completion),
  t.quizAnswered,
  t.quizCorrect,
  pct(t.quizScore),
  pct(t.firstTryScore),
];

/**
 * The report as CSV for Excel: UTF-8 with a BOM, CRLF line ends, Chinese headers.
 * @param by `person` (default), `role` or `department`.
 */
export function reportCsv(report: ProgressReport, by: 'person' | 'role' | 'department' = 'person'): string {
  const rows: unknown[][] =
    by === 'person'
      ? [
          ['用户', '姓名', '部门', '角色', ...TALLY_HEADER],
          ...report.people.map((r) => [r.userId, r.name, r.department, r.roles.join('、'), ...tallyCells(r)]),
        ]
      : [
          [by === 'role' ? '角色' : '部门', '人数', ...TALLY_HEADER],
          ...(by === 'role' ? report.byRole : report.byDepartment).map((r) => [
            r.group,
            r.people,
            ...tallyCells(r),
          ]),
        ];
  return `\ufeff${stringify(rows, { record_delimiter: '\r\n' })}`;
}
