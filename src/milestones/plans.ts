import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { isYmd, type Ymd } from '../calendar/time.ts';
import type { WorkCalendar } from '../core/calendar.ts';
import type { Store } from '../core/store.ts';
import { parseUserKey, type UserKey } from '../core/types.ts';
import { addMonths, workingDayOnOrAfter, workingDayOnOrBefore } from './dates.ts';
import { MilestoneId, type PlanTemplate } from './schema.ts';

/** Collection of plans; key = plan id. */
export const PLANS = 'milestone-plans';

/** A due date moved by 申请延期. */
export interface Slip {
  from: Ymd;
  to: Ymd;
  /** ms UTC */
  at: number;
  by: UserKey;
}

/** One milestone of a plan (stored in the plan document). */
export interface Milestone {
  id: string;
  title: string;
  title_en?: string;
  /**
   * Who is reminded. Absent when the plan request named nobody: the reminders then go to
   * `PROJECT_GROUP` (or are skipped and counted as `unassigned`), and anyone may mark it.
   */
  owner?: UserKey;
  /** Local date in `BOT_TIMEZONE`. */
  due: Ymd;
  sponsor?: UserKey;
  /** ms UTC, and who marked it. */
  doneAt?: number;
  doneBy?: UserKey;
  slips: Slip[];
}

/** A milestone plan (collection `milestone-plans`, key = `id`). */
export interface Plan {
  id: string;
  title: string;
  start: Ymd;
  template?: string;
  /** ms UTC */
  createdAt: number;
  /** Sorted by due date. */
  milestones: Milestone[];
}

/** Contract statuses (`GET /api/milestones`). */
export type MilestoneStatus = 'open' | 'done' | 'overdue' | 'escalated';

/** Overdue nudges to the owner before escalation to the sponsor, in working days. */
export const OVERDUE_NUDGE_DAYS = 3;

/**
 * The working day a milestone is really due: its date, or the last working day before it when
 * it falls on a weekend or holiday.
 */
export const effectiveDue = (calendar: WorkCalendar, m: Pick<Milestone, 'due'>) =>
  workingDayOnOrBefore(calendar, m.due);

/** Working days a milestone is past due on `today` (0 when not overdue). */
export function overdueDays(calendar: WorkCalendar, m: Pick<Milestone, 'due'>, today: Ymd): number {
  return today > m.due ? Math.max(0, calendar.workingDaysBetween(effectiveDue(calendar, m), today)) : 0;
}

/**
 * Status on local date `today`: `done`; `escalated` after {@link OVERDUE_NUDGE_DAYS} overdue
 * working days (the sponsor has been told); `overdue` once the date has passed; else `open`.
 * Derived, never stored, so a slip (new due date) clears it.
 */
export function milestoneStatus(calendar: WorkCalendar, m: Milestone, today: Ymd): MilestoneStatus {
  if (m.doneAt !== undefined) return 'done';
  if (today <= m.due) return 'open';
  return overdueDays(calendar, m, today) > OVERDUE_NUDGE_DAYS ? 'escalated' : 'overdue';
}

const userKey = z
  .string()
  .trim()
  .refine(
    (s) => {
      try {
        parseUserKey(s);
        return true;
      } catch {
        return false;
      }
    },
    { message: 'must be a roster user key with its platform, e.g. wecom:zhangsan or dev:u1' },
  );
const ymd = z
  .string()
  .trim()
  .refine((s) => isYmd(s), { message: 'must be a date YYYY-MM-DD' });

/**
 * `POST /api/milestones/plans` body: the contract's `{title, start, template?, milestones?}` plus
 * optional extensions `id` and plan-wide `owner`/`sponsor` (defaults for milestones that name none).
 * No owner anywhere is valid: those milestones are created without one.
 */
export const PlanInputSchema = z.object({
  id: MilestoneId.optional(),
  title: z.string().trim().min(1, 'title is required'),
  start: ymd,
  template: z.string().trim().min(1).optional(),
  /** Owner of template milestones not listed in `milestones`. */
  owner: userKey.optional(),
  sponsor: userKey.optional(),
  milestones: z
    .array(
      z.object({
        id: MilestoneId,
        title: z.string().trim().min(1).optional(),
        owner: userKey.optional(),
        due: ymd.optional(),
        sponsor: userKey.optional(),
      }),
    )
    .optional(),
});
/** A validated plan request. */
export type PlanInput = z.infer<typeof PlanInputSchema>;

/** Outcome of building a plan (tagged union): the plan, or every reason it cannot be made. */
export type BuildPlanResult = { status: 'ok'; plan: Plan } | { status: 'invalid'; reasons: string[] };

/**
 * Builds a plan from a request: the template's milestones at their working-day offsets from
 * `start`, then its recurring series (dates moved to the next working day), overridden or
 * extended by the listed milestones. Past dates are accepted. Every problem is reported.
 * @param now ms UTC (creation time).
 */
export function buildPlan(
  raw: unknown,
  deps: { templates: readonly PlanTemplate[]; calendar: WorkCalendar; now: number; newId?: () => string },
): BuildPlanResult {
  const parsed = PlanInputSchema.safeParse(raw);
  if (!parsed.success)
    return {
      status: 'invalid',
      reasons: parsed.error.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`),
    };
  const input = parsed.data;
  const reasons: string[] = [];
  const listed = input.milestones ?? [];
  if (!input.template && !listed.length) reasons.push('give a template, a milestones list, or both');
  const tpl = input.template ? deps.templates.find((x) => x.id === input.template) : undefined;
  if (input.template && !tpl)
    reasons.push(
      `template: no template "${input.template}" (have: ${deps.templates.map((x) => x.id).join(', ') || 'none'})`,
    );

  const draft = new Map<string, Partial<Milestone> & { id: string }>();
  if (tpl) {
    for (const m of tpl.milestones)
      draft.set(m.id, {
        id: m.id,
        title: m.title,
        title_en: m.title_en,
        due: deps.calendar.addWorkingDays(input.start, m.offset),
      });
    for (const r of tpl.recurring ?? []) {
      const base = draft.get(r.after)!.due!;
      for (let i = 1; i <= r.count; i++) {
        const id = `${r.id}-${i}`;
        const due = workingDayOnOrAfter(deps.calendar, addMonths(base, r.everyMonths * i));
        draft.set(id, { id, title: `${r.title} ${i}`, title_en: r.title_en && `${r.title_en} ${i}`, due });
      }
    }
  }
  const seen = new Set<string>();
  for (const m of listed) {
    if (seen.has(m.id)) reasons.push(`milestones: ${m.id} is listed twice`);
    seen.add(m.id);
    const base = draft.get(m.id) ?? { id: m.id };
    draft.set(m.id, {
      ...base,
      ...(m.title ? { title: m.title, title_en: undefined } : {}),
      ...(m.owner ? { owner: m.owner } : {}),
      ...(m.due ? { due: m.due } : {}),
      ...(m.sponsor ? { sponsor: m.sponsor } : {}),
    });
  }
  const milestones: Milestone[] = [];
  for (const d of draft.values()) {
    const owner = d.owner ?? input.owner;
    const missing = [!d.title && 'title', !d.due && 'due'].filter(Boolean);
    if (missing.length) reasons.push(`milestones: ${d.id} has no ${missing.join(', ')}`);
    if (missing.length) continue;
    if (d.due! < input.start)
      reasons.push(`milestones: ${d.id} is due ${d.due}, before the plan starts (${input.start})`);
    const sponsor = d.sponsor ?? input.sponsor;
    milestones.push({
      id: d.id,
      title: d.title!,
      ...(d.title_en ? { title_en: d.title_en } : {}),
      ...(owner ? { owner } : {}),
      due: d.due!,
      ...(sponsor ? { sponsor } : {}),
      slips: [],
    });
  }
  if (reasons.length) return { status: 'invalid', reasons };
  milestones.sort((a, b) => (a.due < b.due ? -1 : a.due > b.due ? 1 : 0));
  return {
    status: 'ok',
    plan: {
      id: input.id ?? deps.newId?.() ?? `plan-${randomUUID().slice(0, 8)}`,
      title: input.title,
      start: input.start,
      ...(input.template ? { template: input.template } : {}),
      createdAt: deps.now,
      milestones,
    },
  };
}

/** All plans, in id order. */
export async function listPlans(store: Pick<Store, 'list'>): Promise<Plan[]> {
  return (await store.list<Plan>(PLANS)).map((e) => e.value);
}
