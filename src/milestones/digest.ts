import {
  addDays,
  holdForQuietHours,
  isValidTimeZone,
  localDate,
  type QuietHours,
  weekdayOf,
  type Ymd,
} from '../calendar/time.ts';
import type { Logger } from '../core/adapter.ts';
import { silentLogger } from '../core/adapter.ts';
import type { WorkCalendar } from '../core/calendar.ts';
import { t } from '../core/i18n.ts';
import type { Job, JobRunResult } from '../core/jobs.ts';
import type { Outbox, OutboxItemInput } from '../core/outbox.ts';
import type { Store } from '../core/store.ts';
import type { Locale, OutgoingMessage, UserKey } from '../core/types.ts';
import { readAllProgress } from '../lessons/progress.ts';
import { readRoster } from '../lessons/roster-view.ts';
import type { Track } from '../lessons/schema.ts';
import { managerSummaries, renderManagerSummary } from '../lessons/summary.ts';
import { createCronJob } from '../scheduler/cron-job.ts';
import { addressOf } from './address.ts';
import { formatDate } from './dates.ts';
import { rosterIndex } from './job.ts';
import { M } from './messages.ts';
import { listPlans, milestoneStatus, overdueDays, type Plan } from './plans.ts';
import { msTitle, ownerName } from './render.ts';

/** Dependencies and settings of {@link createDigestJob}. */
export interface DigestJobOptions {
  store: Store;
  outbox: Pick<Outbox, 'enqueue'>;
  calendar: WorkCalendar;
  /** `BOT_TIMEZONE` */
  tz: string;
  /** Lesson tracks, for the managers' lesson summary. */
  tracks: readonly Track[];
  /** `PROJECT_GROUP`: a user key or `<platform>:group:<chatId>`; without it only managers get a digest. */
  projectGroup?: string;
  /** Default `0 9 * * 1` (Mondays 09:00), working days only. */
  cron?: string;
  quiet?: QuietHours;
  log?: Logger;
}

const WEEK_MS = 7 * 86_400_000;

/**
 * The weekly plan digest for the project group: per plan, what was done in the last 7 days,
 * what is due this week (Monday–Sunday of `today`), and what is overdue, with owners.
 * @returns the message, or undefined when there are no plans.
 */
export function renderPlanDigest(
  plans: readonly Plan[],
  deps: { calendar: WorkCalendar; nameOf: (k: UserKey) => string; locale: Locale; today: Ymd; at: number },
): OutgoingMessage | undefined {
  if (!plans.length) return undefined;
  const { calendar, nameOf, locale: loc, today, at } = deps;
  const monday = addDays(today, -((weekdayOf(today) + 6) % 7));
  const sunday = addDays(monday, 6);
  const sep = loc === 'en' ? '; ' : '；';
  const date = (d: Ymd) => formatDate(d, loc, today, { weekday: false });
  const sections: string[] = [];
  for (const plan of plans) {
    const item = (m: Plan['milestones'][number]) =>
      t(loc, M.digestItem, { title: msTitle(m, loc), owner: ownerName(m, loc, nameOf), date: date(m.due) });
    const done = plan.milestones.filter(
      (m) => m.doneAt !== undefined && m.doneAt > at - WEEK_MS && m.doneAt <= at,
    );
    const due = plan.milestones.filter(
      (m) => m.doneAt === undefined && m.due >= today && m.due >= monday && m.due <= sunday,
    );
    const late = plan.milestones.filter((m) =>
      ['overdue', 'escalated'].includes(milestoneStatus(calendar, m, today)),
    );
    if (!done.length && !due.length && !late.length) continue;
    const lines = [t(loc, M.digestPlan, { plan: plan.title })];
    if (done.length) lines.push(t(loc, M.digestDone, { items: done.map(item).join(sep) }));
    if (due.length) lines.push(t(loc, M.digestDue, { items: due.map(item).join(sep) }));
    if (late.length)
      lines.push(
        t(loc, M.digestOverdue, {
          items: late
            .map((m) =>
              t(loc, M.digestOverdueItem, {
                title: msTitle(m, loc),
                owner: ownerName(m, loc, nameOf),
                date: date(m.due),
                days: overdueDays(calendar, m, today),
              }),
            )
            .join(sep),
        }),
      );
    sections.push(lines.join('\n'));
  }
  const head = t(loc, M.digestHeader, { from: date(monday), to: date(sunday) });
  return { text: [head, ...(sections.length ? sections : [t(loc, M.digestQuiet)])].join('\n\n') };
}

/**
 * The `digest` job (Mondays 09:00 in `BOT_TIMEZONE`, working days only): the plan digest to
 * `PROJECT_GROUP` (dedupe `digest:plans:<ymd>`), and to each manager the people reporting to
 * them who were nudged about a lesson and still have not done it (dedupe
 * `digest:lessons:<managerKey>:<ymd>`) — the lessons job nudges a person once; after that it
 * is this weekly line, not more messages. A run on a non-working day does nothing.
 * @returns `{sent, skipped, plans, managers}`.
 */
export function createDigestJob(opts: DigestJobOptions): Job {
  const log = opts.log ?? silentLogger;
  return createCronJob({
    name: 'digest',
    cron: opts.cron ?? '0 9 * * 1',
    tz: opts.tz,
    calendar: opts.calendar,
    async run(at: number): Promise<JobRunResult> {
      const today = localDate(at, opts.tz);
      const roster = await readRoster(opts.store);
      const people = rosterIndex(roster);
      const nameOf = (k: UserKey) => people.get(k)?.name ?? k;
      const items: OutboxItemInput[] = [];
      const hold = (tz: string) => {
        const h = holdForQuietHours(at, tz, opts.quiet);
        return h > at ? { notBefore: h } : {};
      };
      const plans = await listPlans(opts.store);
      if (opts.projectGroup) {
        const message = renderPlanDigest(plans, {
          calendar: opts.calendar,
          nameOf,
          locale: 'zh-CN',
          today,
          at,
        });
        if (message) {
          const dedupeKey = `digest:plans:${today}`;
          items.push({
            to: addressOf(opts.projectGroup),
            message,
            idempotencyKey: dedupeKey,
            dedupeKey,
            ...hold(opts.tz),
          });
        }
      } else if (plans.length) log.warn('PROJECT_GROUP is not set: no weekly plan digest sent');
      const summaries = managerSummaries(roster, opts.tracks, await readAllProgress(opts.store), at);
      for (const s of summaries) {
        const manager = people.get(s.manager);
        const dedupeKey = `digest:lessons:${s.manager}:${today}`;
        items.push({
          to: addressOf(s.manager),
          message: renderManagerSummary(s, opts.tracks, manager?.locale ?? 'zh-CN'),
          idempotencyKey: dedupeKey,
          dedupeKey,
          ...hold(manager?.timezone && isValidTimeZone(manager.timezone) ? manager.timezone : opts.tz),
        });
      }
      const res = items.length ? await opts.outbox.enqueue(items) : { queued: 0, skipped: 0 };
      const sent = items.length - res.skipped;
      log.info('digest job ran', { at: new Date(at).toISOString(), sent, skipped: res.skipped });
      return { sent, skipped: res.skipped, plans: plans.length, managers: summaries.length };
    },
  });
}
