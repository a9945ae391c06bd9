import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import type { Store } from '../core/store.ts';
import { type Clock, systemClock } from '../core/types.ts';
import { errorBody } from '../http/server.ts';
import { readRoster } from '../lessons/roster-view.ts';
import {
  ASSIGNMENTS,
  AssignmentInputSchema,
  assignees,
  listAssignments,
  type SurveyAssignment,
} from './assignments.ts';
import type { SurveyInfo } from './job.ts';

/** Dependencies of {@link createSurveyRemindersApi}. */
export interface SurveyRemindersApiOptions {
  store: Store;
  /** Loaded surveys; when given, an unknown `surveyId` is a 400. */
  surveys?: readonly SurveyInfo[];
  clock?: Clock;
}

/**
 * Admin routes for survey assignments (separate from the survey admin router, so mount both
 * under `/api`):
 * - `POST /surveys/assignments` `{surveyId, role?, department?, deadline: 'YYYY-MM-DD'}` → 201
 *   the assignment plus `assignees` (how many roster people it covers now); 400 with
 *   `reasons` on bad input (no role or department, bad date, unknown survey);
 * - `GET /surveys/assignments` — all assignments;
 * - `DELETE /surveys/assignments/:id` — 204, or 404 when unknown.
 */
export function createSurveyRemindersApi(opts: SurveyRemindersApiOptions): Router {
  const clock = opts.clock ?? systemClock;
  const router = Router();

  router.get('/surveys/assignments', async (_req, res) => {
    res.json(await listAssignments(opts.store));
  });

  router.post('/surveys/assignments', async (req, res) => {
    const parsed = AssignmentInputSchema.safeParse(req.body ?? {});
    const reasons = parsed.success
      ? []
      : parsed.error.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`);
    if (parsed.success && opts.surveys && !opts.surveys.some((s) => s.id === parsed.data.surveyId))
      reasons.push(
        `surveyId: no survey "${parsed.data.surveyId}" (have: ${opts.surveys.map((s) => s.id).join(', ') || 'none'})`,
      );
    if (!parsed.success || reasons.length) {
      res.status(400).json({ error: { code: 'bad_request', message: reasons.join('; '), reasons } });
      return;
    }
    const a: SurveyAssignment = {
      id: `sa-${randomUUID().slice(0, 8)}`,
      ...parsed.data,
      createdAt: clock.now(),
    };
    await opts.store.put(ASSIGNMENTS, a.id, a);
    res.status(201).json({ ...a, assignees: assignees(a, await readRoster(opts.store)).length });
  });

  router.delete('/surveys/assignments/:id', async (req, res) => {
    if (await opts.store.delete(ASSIGNMENTS, req.params.id)) res.status(204).end();
    else res.status(404).json(errorBody('not_found', `no assignment ${req.params.id}`));
  });

  return router;
}
