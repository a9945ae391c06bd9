import { holdForQuietHours, isValidTimeZone, localDate, type QuietHours } from '../calendar/time.ts';
import type { Logger } from '../core/adapter.ts';
import { silentLogger } from '../core/adapter.ts';
import type { WorkCalendar } from '../core/calendar.ts';
import { pick, t } from '../core/i18n.ts';
import type { Job, JobRunResult } from '../core/jobs.ts';
import type { Outbox, OutboxItemInput } from '../core/outbox.ts';
import type { Store } from '../core/store.ts';
import { directAddress } from '../core/types.ts';
import { readRoster } from '../lessons/roster-view.ts';
import { formatDate } from '../milestones/dates.ts';
import { createCronJob } from '../scheduler/cron-job.ts';
import { assignees, listAssignments, responseStates } from './assignments.ts';
import { M } from './messages.ts';

/** What reminders need to know about a survey. */
export interface SurveyInfo {
  id: string;
  title: string;
  title_en?: string;
}

/** Dependencies and settings of {@link createSurveyRemindersJob}. */
export interface SurveyRemindersJobOptions {
  store: Store;
  outbox: Pick<Outbox, 'enqueue'>;
  calendar: WorkCalendar;
  /** `BOT_TIMEZONE`: deadlines are local dates there. */
  tz: string;
  /** Loaded surveys, for titles (the id is shown when unknown). */
  surveys?: readonly SurveyInfo[];
  /** Default `0 10 * * *` (daily 10:00), working days only. */
  cron?: string;
  quiet?: QuietHours;
  log?: Logger;
}

/**
 * The `survey-reminders` job: on the working day before an assignment's deadline
 * (`calendar.addWorkingDays(deadline, -1)`), everyone it covers who has not completed the survey —
 * never started, or stopped half-way — gets one reminder. Dedupe
 * `survey-reminder:<surveyId>:<deadline>:<userKey>`, so overlapping assignments (a role and a
 * department) and reruns send it once. Reads only.
 * @returns `{sent, skipped, assignments}` (`assignments` = those reminded about today).
 */
export function createSurveyRemindersJob(opts: SurveyRemindersJobOptions): Job {
  const log = opts.log ?? silentLogger;
  return createCronJob({
    name: 'survey-reminders',
    cron: opts.cron ?? '0 10 * * *',
    tz: opts.tz,
    calendar: opts.calendar,
    async run(at: number): Promise<JobRunResult> {
      const today = localDate(at, opts.tz);
      const due = (await listAssignments(opts.store)).filter(
        (a) => opts.calendar.addWorkingDays(a.deadline, -1) === today,
      );
      if (!due.length) return { sent: 0, skipped: 0, assignments: 0 };
      const roster = await readRoster(opts.store);
      const items: OutboxItemInput[] = [];
      for (const a of due) {
        const states = await responseStates(opts.store, a.surveyId);
        const survey = opts.surveys?.find((s) => s.id === a.surveyId);
        for (const p of assignees(a, roster)) {
          const state = states.get(p.userKey);
          if (state === 'completed') continue;
          const locale = p.locale ?? 'zh-CN';
          const zone = p.timezone && isValidTimeZone(p.timezone) ? p.timezone : opts.tz;
          const hold = holdForQuietHours(at, zone, opts.quiet);
          const dedupeKey = `survey-reminder:${a.surveyId}:${a.deadline}:${p.userKey}`;
          const text = t(locale, state === 'started' ? M.unfinished : M.notStarted, {
            title: survey ? pick(locale, survey.title, survey.title_en) : a.surveyId,
            date: formatDate(a.deadline, locale, today),
            surveyId: a.surveyId,
          });
          items.push({
            to: directAddress(p.userKey),
            message: { text },
            idempotencyKey: dedupeKey,
            dedupeKey,
            ...(hold > at ? { notBefore: hold } : {}),
          });
        }
      }
      const res = items.length ? await opts.outbox.enqueue(items) : { queued: 0, skipped: 0 };
      const sent = items.length - res.skipped;
      log.info('survey-reminders job ran', { at: new Date(at).toISOString(), sent, skipped: res.skipped });
      return { sent, skipped: res.skipped, assignments: due.length };
    },
  });
}
