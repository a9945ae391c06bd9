import type { Ymd } from '../calendar/time.ts';
import type { WorkCalendar } from '../core/calendar.ts';
import { pick, t } from '../core/i18n.ts';
import type { Button, Locale, OutgoingMessage, UserKey } from '../core/types.ts';
import { formatDate } from './dates.ts';
import { M } from './messages.ts';
import type { Nudge } from './nudges.ts';
import {
  effectiveDue,
  type Milestone,
  milestoneStatus,
  OVERDUE_NUDGE_DAYS,
  overdueDays,
  type Plan,
} from './plans.ts';

/** Button value: 已完成 for one milestone (handled by the `milestone` feature). */
export const doneValue = (planId: string, msId: string) => `milestone:done:${planId}:${msId}`;
/** Button value: 申请延期 for one milestone. */
export const delayValue = (planId: string, msId: string) => `milestone:delay:${planId}:${msId}`;
/** Button value: 查看计划. */
export const planValue = (planId: string) => `milestone:plan:${planId}`;

/** Display name of a user key (roster name when known). */
export type NameOf = (key: UserKey) => string;

/** The owner's display name, or 未指定 / unassigned for a milestone without an owner. */
export const ownerName = (m: Pick<Milestone, 'owner'>, locale: Locale, nameOf: NameOf): string =>
  m.owner ? nameOf(m.owner) : t(locale, M.noOwner);

/** Milestone title in `locale`. */
export const msTitle = (m: Milestone, locale: Locale) => pick(locale, m.title, m.title_en);

/** 已完成 / 申请延期 / 查看计划 */
export function ownerButtons(plan: Plan, m: Milestone, locale: Locale): Button[] {
  return [
    { label: t(locale, M.btnDone), value: doneValue(plan.id, m.id) },
    { label: t(locale, M.btnDelay), value: delayValue(plan.id, m.id) },
    { label: t(locale, M.btnPlan), value: planValue(plan.id) },
  ];
}

/**
 * The owner's reminder (T-3, T-1, due, overdue) or the sponsor's escalation. A milestone without
 * an owner reads 负责人：未指定 (its reminders go to `PROJECT_GROUP`).
 */
export function renderNudge(
  plan: Plan,
  m: Milestone,
  nudge: Nudge,
  locale: Locale,
  nameOf: NameOf,
  calendar: WorkCalendar,
  today: Ymd,
): OutgoingMessage {
  const p = {
    title: msTitle(m, locale),
    plan: plan.title,
    owner: ownerName(m, locale, nameOf),
    date: formatDate(m.due, locale, today),
    days: nudge.days,
  };
  switch (nudge.kind) {
    case 't-3':
    case 't-1':
      return { text: t(locale, M.ahead, p), buttons: ownerButtons(plan, m, locale) };
    case 'due':
      return {
        text: t(locale, effectiveDue(calendar, m) === m.due ? M.dueToday : M.dueLastWorkday, p),
        buttons: ownerButtons(plan, m, locale),
      };
    case 'overdue':
      return { text: t(locale, M.overdue, p), buttons: ownerButtons(plan, m, locale) };
    case 'escalate':
      return {
        text: t(locale, m.owner ? M.escalation : M.escalationNoOwner, { ...p, nudges: OVERDUE_NUDGE_DAYS }),
        buttons: [{ label: t(locale, M.btnPlan), value: planValue(plan.id) }],
      };
  }
}

const ICON = { done: '✅', open: '⏳', overdue: '⚠️', escalated: '🔺' } as const;

/** The plan at a glance: one line per milestone with its status icon, due date and owner. */
export function renderPlan(
  plan: Plan,
  locale: Locale,
  nameOf: NameOf,
  calendar: WorkCalendar,
  today: Ymd,
): OutgoingMessage {
  const head = t(locale, M.planHeader, {
    plan: plan.title,
    start: formatDate(plan.start, locale, today, { weekday: false }),
  });
  const lines = plan.milestones.map((m) => {
    const status = milestoneStatus(calendar, m, today);
    const late = status === 'overdue' || status === 'escalated' ? overdueDays(calendar, m, today) : 0;
    const line = t(locale, M.planLine, {
      icon: ICON[status],
      title: msTitle(m, locale),
      date: formatDate(m.due, locale, today),
      owner: ownerName(m, locale, nameOf),
    });
    return late ? `${line}（+${late}）` : line;
  });
  return { text: [head, ...lines].join('\n') };
}
