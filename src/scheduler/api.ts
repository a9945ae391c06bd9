import express, { type NextFunction, type Request, type Response, Router } from 'express';
import { addDays, atLocal, daysBetween, isYmd, localDate } from '../calendar/time.ts';
import { type ChineseWorkCalendar, type DayInfo, estimatedYearsWarning } from '../calendar/work-calendar.ts';
import { asBotError, BadRequestError, ErrorCode } from '../core/errors.ts';
import type { Clock } from '../core/types.ts';
import { systemClock } from '../core/types.ts';
import type { JobRunReport, Scheduler } from './scheduler.ts';

const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})$/i;
const LOCAL = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(:\d{2})?)$/;

/**
 * Parses the `at` of `run-job --at` / `POST /api/jobs/:name/run`: an ISO time with `Z` or an
 * offset is that instant; one without an offset is wall time in `tz` (`2025-10-09T09:30` →
 * 09:30 in `BOT_TIMEZONE`).
 * @returns ms since epoch (UTC).
 * @throws {BadRequestError} code `bad_request` when it is neither.
 */
export function parseAtTime(at: string, tz: string): number {
  const s = at.trim();
  if (WITH_OFFSET.test(s)) {
    const ms = Date.parse(s);
    if (Number.isFinite(ms)) return ms;
  }
  const m = LOCAL.exec(s);
  if (m && isYmd(m[1])) {
    try {
      return atLocal(m[1], m[2], tz);
    } catch {
      // fall through to the error below
    }
  }
  throw new BadRequestError(`"at" must be an ISO time such as 2025-10-09T09:30:00+08:00 (got "${at}")`);
}

/**
 * Runs a job for the CLI (`rollout run-job <name> --at <ISO>`): `at` defaults to now.
 * @throws {NotFoundError} code `not_found` for an unknown job; {BadRequestError} for a bad `at`.
 */
export function runJobAt(
  scheduler: Scheduler,
  name: string,
  at: string | undefined,
  opts: { tz: string; clock?: Clock },
): Promise<JobRunReport> {
  const atMs = at === undefined ? (opts.clock ?? systemClock).now() : parseAtTime(at, opts.tz);
  return scheduler.runNow(name, atMs);
}

const STATUS: Partial<Record<string, number>> = {
  [ErrorCode.BadRequest]: 400,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.Unauthorized]: 401,
  [ErrorCode.ContentInvalid]: 400,
};

/** Sends `{"error": {"code", "message"}}` with the status of the error's code. */
export function sendError(res: Response, e: unknown): void {
  const err = asBotError(e);
  res.status(STATUS[err.code] ?? 500).json({ error: { code: err.code, message: err.message } });
}

/** Body-parser failures (bad JSON, too large) in the same error shape. */
function jsonErrors(err: unknown, _req: Request, res: Response, _next: NextFunction): void {
  const e = err as { status?: number; type?: string; message?: string };
  if (e?.status && e.status < 500) {
    const code = e.status === 413 ? 'too_large' : ErrorCode.BadRequest;
    res.status(e.status).json({ error: { code, message: e.message ?? 'bad request' } });
  } else sendError(res, err);
}

export interface JobsApiOptions {
  scheduler: Scheduler;
  calendar: ChineseWorkCalendar;
  /** `BOT_TIMEZONE`: for `at` without an offset and for "today". */
  tz: string;
  clock?: Clock;
}

/**
 * Admin routes (the lead mounts them under `/api`, behind `ADMIN_TOKEN`):
 * - `POST /jobs/:name/run` body `{"at"?: ISO}` → 200 `{job, at, sent, …}`; unknown job 404,
 *   bad `at` 400 (`{"error": {"code", "message"}}`);
 * - `GET /calendar[?from=YYYY-MM-DD&to=YYYY-MM-DD]` → `{timezone, today, estimatedYears,
 *   warning?, days}`: `days` lists holidays and make-up workdays (the next 90 days by default,
 *   or every day of from..to, at most 400).
 */
export function createJobsApi(o: JobsApiOptions): Router {
  const clock = o.clock ?? systemClock;
  const r = Router();
  r.post('/jobs/:name/run', express.json({ limit: '16kb' }), async (req, res) => {
    try {
      const at = (req.body as { at?: unknown } | undefined)?.at;
      if (at !== undefined && typeof at !== 'string')
        throw new BadRequestError('"at" must be a string (ISO time)');
      res.json(await runJobAt(o.scheduler, String(req.params.name), at, { tz: o.tz, clock }));
    } catch (e) {
      sendError(res, e);
    }
  });

  r.get('/calendar', (req, res) => {
    try {
      const today = localDate(clock.now(), o.tz);
      const q = req.query as Record<string, unknown>;
      const ranged = q.from !== undefined || q.to !== undefined;
      const from = typeof q.from === 'string' ? q.from : today;
      const to = typeof q.to === 'string' ? q.to : addDays(from, ranged ? 30 : 90);
      if (!isYmd(from) || !isYmd(to)) throw new BadRequestError('from/to must be dates YYYY-MM-DD');
      const span = daysBetween(from, to);
      if (span < 0 || span > 400)
        throw new BadRequestError('to must be on or after from, at most 400 days later');
      const days: DayInfo[] = [];
      for (let d = from; d <= to; d = addDays(d, 1)) {
        const info = o.calendar.dayInfo(d);
        if (ranged || info.source === 'override' || info.source === 'official' || info.source === 'estimated')
          days.push(info);
      }
      const estimatedYears = o.calendar.estimatedYears(today);
      res.json({
        timezone: o.tz,
        today,
        estimatedYears,
        warning: estimatedYearsWarning(estimatedYears),
        days,
      });
    } catch (e) {
      sendError(res, e);
    }
  });

  r.use(jsonErrors);
  return r;
}
