import { Router } from 'express';
import { localDate, type Ymd } from '../calendar/time.ts';
import type { WorkCalendar } from '../core/calendar.ts';
import type { Store } from '../core/store.ts';
import { type Clock, systemClock } from '../core/types.ts';
import { errorBody } from '../http/server.ts';
import { readRoster } from '../lessons/roster-view.ts';
import {
  buildPlan,
  listPlans,
  type Milestone,
  type MilestoneStatus,
  milestoneStatus,
  PLANS,
  type Plan,
} from './plans.ts';
import type { PlanTemplate } from './schema.ts';

/** Dependencies of {@link createMilestonesApi}. */
export interface MilestonesApiOptions {
  store: Store;
  templates: readonly PlanTemplate[];
  calendar: WorkCalendar;
  /** `BOT_TIMEZONE`: "today" for statuses. */
  tz: string;
  clock?: Clock;
}

/** A plan as the API shows it: each milestone with its current status. */
export type PlanView = Omit<Plan, 'milestones'> & {
  milestones: Array<Milestone & { status: MilestoneStatus }>;
};

/** Adds each milestone's status on local date `today`. */
export function planView(plan: Plan, calendar: WorkCalendar, today: Ymd): PlanView {
  return {
    ...plan,
    milestones: plan.milestones.map((m) => ({ ...m, status: milestoneStatus(calendar, m, today) })),
  };
}

/**
 * Admin routes for milestone plans; the lead mounts the router under `/api`:
 * - `GET /milestones` — JSON array of plans, each milestone with `id` and `status`
 *   (`open` | `done` | `overdue` | `escalated`);
 * - `POST /milestones/plans` — body `{title, start, template?, milestones?, owner?, sponsor?, id?}`
 *   (CONTRACT.md; `owner`/`sponsor`/`id` are optional extensions, `owner` the default owner of
 *   template milestones). A milestone nobody owns is created without `owner`; its reminders go
 *   to `PROJECT_GROUP`. Template ids are the `id` in each `flows/milestones/*.yaml` (shipped:
 *   `default`, `pilot`). 201 with the plan (and `warnings` for people not in the roster); 400
 *   `{"error": {"code": "bad_request", "message", "reasons": string[]}}` naming every problem; 409
 *   when `id` is taken;
 * - `GET /milestones/plans/:id` — one plan (404 when unknown);
 * - `GET /milestones/templates` — the loaded templates.
 */
export function createMilestonesApi(opts: MilestonesApiOptions): Router {
  const clock = opts.clock ?? systemClock;
  const today = () => localDate(clock.now(), opts.tz);
  const router = Router();

  router.get('/milestones', async (_req, res) => {
    const day = today();
    res.json((await listPlans(opts.store)).map((p) => planView(p, opts.calendar, day)));
  });

  router.get('/milestones/templates', (_req, res) => {
    res.json(opts.templates);
  });

  router.get('/milestones/plans/:id', async (req, res) => {
    const plan = await opts.store.get<Plan>(PLANS, req.params.id);
    if (!plan) {
      res.status(404).json(errorBody('not_found', `no plan ${req.params.id}`));
      return;
    }
    res.json(planView(plan, opts.calendar, today()));
  });

  router.post('/milestones/plans', async (req, res) => {
    const built = buildPlan(req.body ?? {}, {
      templates: opts.templates,
      calendar: opts.calendar,
      now: clock.now(),
    });
    if (built.status === 'invalid') {
      res
        .status(400)
        .json({ error: { code: 'bad_request', message: built.reasons.join('; '), reasons: built.reasons } });
      return;
    }
    const { plan } = built;
    if (!(await opts.store.claim(PLANS, plan.id, plan))) {
      res.status(409).json(errorBody('conflict', `plan ${plan.id} already exists`));
      return;
    }
    const known = new Set((await readRoster(opts.store)).map((p) => p.userKey));
    const people = new Set(
      plan.milestones.flatMap((m) => [m.owner, m.sponsor].filter((k): k is string => k !== undefined)),
    );
    const warnings = [...people]
      .filter((k) => !known.has(k))
      .map((k) => `${k} is not in the roster yet (reminders still go to that address)`);
    res
      .status(201)
      .json({ ...planView(plan, opts.calendar, today()), ...(warnings.length ? { warnings } : {}) });
  });

  return router;
}
