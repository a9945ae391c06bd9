import { localDate } from '../calendar/time.ts';
import type { WorkCalendar } from '../core/calendar.ts';
import type { Job, JobRunResult } from '../core/jobs.ts';
import { compileCron, cronSlots, type SlotFilter, workingDaysOnly } from './cron.ts';

export interface CronJobOptions {
  /** Contract job name (`milestones`, `digest`, …). */
  name: string;
  /** One or several cron expressions, local to `tz` (e.g. `0 9 * * *`). */
  cron: string | string[];
  /** IANA zone the expressions are read in (default `BOT_TIMEZONE`, passed by the caller). */
  tz: string;
  /**
   * When given, only slots on this calendar's working days fire, and a run (also one by hand,
   * `POST /api/jobs/:name/run`) on a non-working day does nothing: `{sent: 0, reason}`.
   */
  calendar?: WorkCalendar;
  /** Does one firing; must be idempotent (dedupe keys on every message). */
  run(atMs: number): Promise<JobRunResult>;
}

/**
 * A {@link Job} firing at cron slots in one zone, optionally on working days only — the shape
 * of `milestones` (daily 09:00), `survey-reminders` (10:00) and `digest` (Mondays 09:00).
 * @throws {BadRequestError} code `bad_request` at creation for a bad cron expression.
 */
export function createCronJob(opts: CronJobOptions): Job {
  const exprs = Array.isArray(opts.cron) ? opts.cron : [opts.cron];
  for (const e of exprs) compileCron(e);
  const filter: SlotFilter | undefined = opts.calendar ? workingDaysOnly(opts.calendar, opts.tz) : undefined;
  return {
    name: opts.name,
    slots(fromMs, toMs) {
      const all = exprs.flatMap((e) => cronSlots(e, opts.tz, fromMs, toMs, filter));
      return [...new Set(all)].sort((a, b) => a - b);
    },
    run: async (atMs) => {
      const today = localDate(atMs, opts.tz);
      if (opts.calendar && !opts.calendar.isWorkingDay(today))
        return { sent: 0, skipped: 0, reason: `${today} is not a working day` };
      return opts.run(atMs);
    },
  };
}
