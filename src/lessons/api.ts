import { Router } from 'express';
import type { Store } from '../core/store.ts';
import { type Clock, systemClock } from '../core/types.ts';
import { errorBody } from '../http/server.ts';
import { readAllProgress } from './progress.ts';
import { buildProgressReport, reportCsv } from './report.ts';
import { readRoster } from './roster-view.ts';
import type { Track } from './schema.ts';

/** Dependencies of {@link createLessonsApi}. */
export interface LessonsApiOptions {
  store: Store;
  tracks: readonly Track[];
  clock?: Clock;
}

const BY = ['person', 'role', 'department'] as const;

/**
 * Admin routes for lessons; the lead mounts the router under `/api` (bearer `ADMIN_TOKEN`):
 * - `GET /lessons/progress` — JSON {@link ProgressReport} (per person, role, department);
 *   `?format=csv` gives CSV (UTF-8 with BOM, opens in Excel), `&by=person|role|department`
 *   picks the table (default person). A bad `format`/`by` is 400 `bad_request`.
 */
export function createLessonsApi(opts: LessonsApiOptions): Router {
  const clock = opts.clock ?? systemClock;
  const router = Router();
  router.get('/lessons/progress', async (req, res) => {
    const format = typeof req.query.format === 'string' ? req.query.format : 'json';
    const by = typeof req.query.by === 'string' ? req.query.by : 'person';
    if (format !== 'json' && format !== 'csv') {
      res.status(400).json(errorBody('bad_request', 'format must be json or csv'));
      return;
    }
    if (!(BY as readonly string[]).includes(by)) {
      res.status(400).json(errorBody('bad_request', 'by must be person, role or department'));
      return;
    }
    const report = buildProgressReport(
      await readRoster(opts.store),
      opts.tracks,
      await readAllProgress(opts.store),
      clock.now(),
    );
    if (format === 'json') {
      res.json(report);
      return;
    }
    res
      .type('text/csv; charset=utf-8')
      .set('Content-Disposition', `attachment; filename="lesson-progress-${by}.csv"`)
      .send(reportCsv(report, by as (typeof BY)[number]));
  });
  return router;
}
