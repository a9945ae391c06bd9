import {
  holdForQuietHours,
  isValidTimeZone,
  localDate,
  type QuietHours,
  startOfLocalDay,
} from '../calendar/time.ts';
import type { Logger } from '../core/adapter.ts';
import { silentLogger } from '../core/adapter.ts';
import type { WorkCalendar } from '../core/calendar.ts';
import { t } from '../core/i18n.ts';
import type { Job, JobRunResult } from '../core/jobs.ts';
import type { Outbox, OutboxItemInput } from '../core/outbox.ts';
import type { Store, StoreOp } from '../core/store.ts';
import { directAddress, type Locale } from '../core/types.ts';
import { cronSlots, workingDaysOnly } from '../scheduler/cron.ts';
import { M } from './messages.ts';
import { isComplete, type LessonProgress, PROGRESS, progressKey, type UserProgress } from './progress.ts';
import { withProgress } from './progress-stream.ts';
import { lessonTitle, openValue, renderLesson } from './render.ts';
import { type RosterPerson, readRoster } from './roster-view.ts';
import { type Lesson, type Track, trackApplies } from './schema.ts';

/** Dependencies and settings of {@link createLessonsJob}. */
export interface LessonsJobOptions {
  store: Store;
  outbox: Pick<Outbox, 'commit'>;
  tracks: readonly Track[];
  calendar: WorkCalendar;
  /** `BOT_TIMEZONE`: the zone of users without their own. */
  tz: string;
  /** Local quiet hours (`QUIET_HOURS_START`/`_END`); a push inside them is held until the end. */
  quiet?: QuietHours;
  /** `LESSON_NUDGE_AFTER_DAYS`: working days before an unopened/unanswered lesson gets its one nudge (default 2). */
  nudgeAfterDays?: number;
  /** Users committed at once (default 32); each user's progress and messages are one atomic commit. */
  concurrency?: number;
  log?: Logger;
}

/** How long `slots` trusts the roster's time zones before re-reading them in the background, ms. */
const ZONES_MAX_AGE_MS = 60_000;

/**
 * The `lessons` job. `refreshZones` re-reads the roster's time zones used by {@link Job.slots}
 * (done at creation, after each run and once a minute in the background); await it before the
 * scheduler's first tick, and after a roster import, to be sure no zone's slot is missed.
 */
export interface LessonsJob extends Job {
  refreshZones(): Promise<void>;
}

/**
 * The `lessons` job (DOMAIN.md §2). Slots: each track's cron in each roster time zone (default
 * `BOT_TIMEZONE`), on that zone's working days. A run at `at` fires, for every roster user,
 * each track of their roles whose latest slot in the user's zone falls on the same local day
 * at or before `at` (so the scheduler's `run(slot)` and an operator's `--at` agree):
 * - the user's next lesson of that track not sent yet (dedupe `lesson:<userKey>:<trackId>:<lessonId>`),
 *   held for quiet hours;
 * - one nudge message a day at most, listing the pushed lessons (of all the user's tracks)
 *   still unopened/unanswered `nudgeAfterDays` working days after they came (dedupe
 *   `lesson-nudge:<userKey>:<ymd>`); each lesson is nudged once — afterwards the manager sees
 *   it in the weekly digest ({@link managerSummaries}), not in more messages.
 * Progress is written in the same atomic batch as the queued messages. Rerunning the same `at`
 * re-picks the same lessons (a lesson pushed by that slot counts as unsent), whose dedupe keys
 * are used, so it queues nothing.
 * @returns `{sent, skipped, lessons, nudges, users}`: `sent` = messages queued by this run,
 *   `skipped` = already sent (dedupe), `lessons`/`nudges` = planned, `users` = roster size.
 */
export function createLessonsJob(opts: LessonsJobOptions): LessonsJob {
  const nudgeAfter = opts.nudgeAfterDays ?? 2;
  const concurrency = opts.concurrency ?? 32;
  const log = opts.log ?? silentLogger;
  let zones = new Set<string>([opts.tz]);
  const zoneOf = (p: RosterPerson) => (p.timezone && isValidTimeZone(p.timezone) ? p.timezone : opts.tz);

  let zonesReadAt = Number.NEGATIVE_INFINITY;
  let reading: Promise<void> | undefined;
  const learn = (roster: RosterPerson[]) => {
    zones = new Set([opts.tz, ...roster.map(zoneOf)]);
    zonesReadAt = performance.now();
  };
  // The roster's zones, for the synchronous `slots`: read at creation, after each run, and in
  // the background when `slots` finds them older than a minute (a roster import adds a zone).
  const refreshZones = (): Promise<void> => {
    reading ??= readRoster(opts.store)
      .then(learn, (e) => log.warn('lessons job: cannot read roster zones', { error: String(e) }))
      .finally(() => {
        reading = undefined;
      });
    return reading;
  };
  void refreshZones();

  /** What every user in one zone shares at `at` (computed once per zone per run). */
  interface ZoneDay {
    ymd: string;
    working: boolean;
    notBefore?: number;
    /** Each track's firing for this day in the zone: its latest slot at or before `at`. */
    slot: Map<string, number | undefined>;
  }

  /** Per-run caches: zone days, rendered lessons, and local dates of send instants. */
  function runCache(at: number) {
    const zoneDays = new Map<string, ZoneDay>();
    const rendered = new Map<string, ReturnType<typeof renderLesson>>();
    const dates = new Map<string, string>();
    return {
      zone(tz: string): ZoneDay {
        let z = zoneDays.get(tz);
        if (z) return z;
        const ymd = localDate(at, tz);
        const working = opts.calendar.isWorkingDay(ymd);
        const dayStart = startOfLocalDay(ymd, tz);
        const hold = holdForQuietHours(at, tz, opts.quiet);
        const slot = new Map(
          opts.tracks.map((tr) => [
            tr.id,
            working ? cronSlots(tr.schedule, tz, dayStart - 1, at).at(-1) : undefined,
          ]),
        );
        z = { ymd, working, notBefore: hold > at ? hold : undefined, slot };
        zoneDays.set(tz, z);
        return z;
      },
      lesson(track: Track, lesson: Lesson, locale: Locale) {
        const k = `${track.id}/${lesson.id}/${locale}`;
        const m = rendered.get(k) ?? renderLesson(track, lesson, locale, true);
        rendered.set(k, m);
        return m;
      },
      date(ms: number, tz: string): string {
        const k = `${tz} ${ms}`;
        const d = dates.get(k) ?? localDate(ms, tz);
        dates.set(k, d);
        return d;
      },
    };
  }

  /** Messages and writes for one user at `at`. */
  function planUser(
    person: RosterPerson,
    progress: UserProgress,
    at: number,
    cache: ReturnType<typeof runCache>,
    ops: StoreOp[],
    items: OutboxItemInput[],
  ) {
    const tz = zoneOf(person);
    const day = cache.zone(tz);
    if (!day.working) return { lessons: 0, nudges: 0 };
    const { ymd, notBefore } = day;
    const locale = person.locale ?? 'zh-CN';
    const to = directAddress(person.userKey);
    const mine = opts.tracks.filter((tr) => trackApplies(tr, person.roles));
    const fired = mine.filter((tr) => day.slot.get(tr.id) !== undefined);
    if (!fired.length) return { lessons: 0, nudges: 0 };
    const put = (track: Track, l: Lesson, value: LessonProgress) =>
      ops.push({ op: 'put', collection: PROGRESS, key: progressKey(person.userKey, track.id, l.id), value });
    let lessons = 0;
    for (const track of fired) {
      const slot = day.slot.get(track.id)!;
      const next = track.lessons.find((l) => {
        const p = progress.get(`${track.id}/${l.id}`);
        return !p || (p.via === 'push' && p.slot === slot);
      });
      if (!next) continue;
      const dedupeKey = `lesson:${person.userKey}:${track.id}:${next.id}`;
      items.push({
        to,
        message: cache.lesson(track, next, locale),
        idempotencyKey: dedupeKey,
        dedupeKey,
        notBefore,
      });
      // Already recorded by an earlier run of this slot (committed with its message): no rewrite.
      if (!progress.has(`${track.id}/${next.id}`))
        put(track, next, { sentAt: at, via: 'push', slot, attempts: 0 });
      lessons++;
    }
    // One nudge a day at most, for every pushed lesson of any of the user's tracks still open
    // `nudgeAfter` working days after it came; each lesson is nudged once (a lesson nudged
    // today is picked again, so a rerun today re-plans the same message and its key skips it).
    const due = mine.flatMap((track) =>
      track.lessons
        .map((l) => ({ track, l, p: progress.get(`${track.id}/${l.id}`) }))
        .filter(({ l, p }) => {
          if (p?.via !== 'push' || isComplete(l, p)) return false;
          if (p.nudgedAt !== undefined && p.nudgeYmd !== ymd) return false;
          return opts.calendar.workingDaysBetween(cache.date(p.sentAt, tz), ymd) >= nudgeAfter;
        }),
    );
    if (!due.length) return { lessons, nudges: 0 };
    const dedupeKey = `lesson-nudge:${person.userKey}:${ymd}`;
    const titles =
      locale === 'en'
        ? due.map(({ l }) => `"${lessonTitle(l, locale)}"`).join(', ')
        : due.map(({ l }) => `「${lessonTitle(l, locale)}」`).join('');
    items.push({
      to,
      message: {
        text: t(locale, M.nudge, { titles }),
        buttons: due.slice(0, 3).map(({ track, l }) => ({
          label: t(locale, M.nudgeButton, { title: lessonTitle(l, locale) }),
          value: openValue(track.id, l.id),
        })),
      },
      idempotencyKey: dedupeKey,
      dedupeKey,
      notBefore,
    });
    for (const { track, l, p } of due) put(track, l, { ...p!, nudgedAt: p!.nudgedAt ?? at, nudgeYmd: ymd });
    return { lessons, nudges: 1 };
  }

  return {
    name: 'lessons',
    slots(fromMs, toMs) {
      if (performance.now() - zonesReadAt > ZONES_MAX_AGE_MS) void refreshZones();
      const all = new Set<number>();
      for (const zone of zones) {
        const filter = workingDaysOnly(opts.calendar, zone);
        for (const track of opts.tracks)
          for (const s of cronSlots(track.schedule, zone, fromMs, toMs, filter)) all.add(s);
      }
      return [...all].sort((a, b) => a - b);
    },
    refreshZones,
    async run(at: number): Promise<JobRunResult> {
      const roster = await readRoster(opts.store);
      learn(roster);
      const cache = runCache(at);
      let sent = 0;
      let skipped = 0;
      let lessons = 0;
      let nudges = 0;
      // One atomic commit per user (their progress with their messages), `concurrency` users
      // at a time so the store can group the dedupe claims' durable writes. Progress is read
      // as it goes (withProgress), never everyone's at once.
      const users = withProgress(opts.store, roster);
      for (let done = false; !done; ) {
        const chunk: Array<[RosterPerson, UserProgress]> = [];
        for (let n = 0; n < concurrency; n++) {
          const next = await users.next();
          if (next.done) {
            done = true;
            break;
          }
          chunk.push(next.value);
        }
        const plans = chunk.map(([person, progress]) => {
          const ops: StoreOp[] = [];
          const items: OutboxItemInput[] = [];
          const r = planUser(person, progress, at, cache, ops, items);
          lessons += r.lessons;
          nudges += r.nudges;
          return { ops, items };
        });
        const results = await Promise.all(
          plans.map(async ({ ops, items }) =>
            ops.length || items.length
              ? { n: items.length, ...(await opts.outbox.commit(ops, items)) }
              : undefined,
          ),
        );
        for (const r of results) {
          if (!r) continue;
          sent += r.n - r.skipped;
          skipped += r.skipped;
        }
      }
      log.info('lessons job ran', { at: new Date(at).toISOString(), sent, skipped, lessons, nudges });
      return { sent, skipped, lessons, nudges, users: roster.length };
    },
  };
}
