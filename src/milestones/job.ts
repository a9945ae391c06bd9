import { holdForQuietHours, isValidTimeZone, localDate, type QuietHours } from '../calendar/time.ts';
import type { Logger } from '../core/adapter.ts';
import { silentLogger } from '../core/adapter.ts';
import type { WorkCalendar } from '../core/calendar.ts';
import type { Job, JobRunResult } from '../core/jobs.ts';
import type { Outbox, OutboxItemInput } from '../core/outbox.ts';
import type { Store } from '../core/store.ts';
import type { UserKey } from '../core/types.ts';
import { type RosterPerson, readRoster } from '../lessons/roster-view.ts';
import { createCronJob } from '../scheduler/cron-job.ts';
import { addressOf } from './address.ts';
import { type NudgeKind, nudgeFor, nudgeKey } from './nudges.ts';
import { listPlans } from './plans.ts';
import { renderNudge } from './render.ts';

/** Dependencies and settings of {@link createMilestonesJob}. */
export interface MilestonesJobOptions {
  store: Store;
  outbox: Pick<Outbox, 'enqueue'>;
  calendar: WorkCalendar;
  /** `BOT_TIMEZONE`: plan dates and the schedule are read in it. */
  tz: string;
  /** Default `0 9 * * *` (daily 09:00), working days only. */
  cron?: string;
  quiet?: QuietHours;
  /**
   * `PROJECT_GROUP` (user key or `<platform>:group:<chatId>`): gets the escalations of milestones
   * without a sponsor, and the reminders of milestones without an owner.
   */
  projectGroup?: string;
  log?: Logger;
}

/** Display names and message settings of roster people (name, locale, zone). */
export function rosterIndex(roster: readonly RosterPerson[]): Map<UserKey, RosterPerson> {
  return new Map(roster.map((p) => [p.userKey, p]));
}

/**
 * The `milestones` job (DOMAIN.md §4): on each working day, owners get reminders at T-3 and T-1
 * working days, on the due day, and daily for up to 3 overdue working days; then the sponsor
 * (or `PROJECT_GROUP` when there is none) gets one escalation. A milestone without an owner has
 * its reminders sent to `PROJECT_GROUP`; without one they are skipped and counted in
 * `unassigned`. Reads plans only (statuses are derived); every message has a dedupe key
 * (`milestone:<planId>:<msId>:<kind>:<ymd>`), so a rerun of the same `at` queues nothing. A run
 * on a non-working day does nothing.
 * @returns `{sent, skipped, byKind, unassigned?}` (`unassigned`: reminders skipped for want of
 *   an owner and a `PROJECT_GROUP`).
 */
export function createMilestonesJob(opts: MilestonesJobOptions): Job {
  const log = opts.log ?? silentLogger;
  return createCronJob({
    name: 'milestones',
    cron: opts.cron ?? '0 9 * * *',
    tz: opts.tz,
    calendar: opts.calendar,
    async run(at: number): Promise<JobRunResult> {
      const today = localDate(at, opts.tz);
      const people = rosterIndex(await readRoster(opts.store));
      const nameOf = (k: UserKey) => people.get(k)?.name ?? k;
      const items: OutboxItemInput[] = [];
      const byKind: Partial<Record<NudgeKind, number>> = {};
      let unassigned = 0;
      for (const plan of await listPlans(opts.store)) {
        for (const m of plan.milestones) {
          const nudge = nudgeFor(opts.calendar, m, today);
          if (!nudge) continue;
          const target =
            nudge.kind === 'escalate' ? (m.sponsor ?? opts.projectGroup) : (m.owner ?? opts.projectGroup);
          if (!target) {
            if (!m.owner && nudge.kind !== 'escalate') unassigned++;
            log.warn(
              nudge.kind === 'escalate'
                ? 'milestone overdue but no sponsor or PROJECT_GROUP to escalate to'
                : 'milestone has no owner and PROJECT_GROUP is not set: reminder skipped',
              { plan: plan.id, milestone: m.id, kind: nudge.kind },
            );
            continue;
          }
          const person = people.get(target);
          const locale = person?.locale ?? 'zh-CN';
          const zone = person?.timezone && isValidTimeZone(person.timezone) ? person.timezone : opts.tz;
          const hold = holdForQuietHours(at, zone, opts.quiet);
          const dedupeKey = nudgeKey(plan.id, m, nudge.kind, today);
          items.push({
            to: addressOf(target),
            message: renderNudge(plan, m, nudge, locale, nameOf, opts.calendar, today),
            idempotencyKey: dedupeKey,
            dedupeKey,
            ...(hold > at ? { notBefore: hold } : {}),
          });
          byKind[nudge.kind] = (byKind[nudge.kind] ?? 0) + 1;
        }
      }
      const res = items.length ? await opts.outbox.enqueue(items) : { queued: 0, skipped: 0 };
      const sent = items.length - res.skipped;
      log.info('milestones job ran', { at: new Date(at).toISOString(), sent, skipped: res.skipped });
      return { sent, skipped: res.skipped, byKind, ...(unassigned ? { unassigned } : {}) };
    },
  });
}
