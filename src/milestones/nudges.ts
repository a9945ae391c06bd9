import type { Ymd } from '../calendar/time.ts';
import type { WorkCalendar } from '../core/calendar.ts';
import { effectiveDue, type Milestone, OVERDUE_NUDGE_DAYS } from './plans.ts';

/** Reminder kinds, in the order a late milestone meets them. */
export type NudgeKind = 't-3' | 't-1' | 'due' | 'overdue' | 'escalate';

/** What a milestone needs on one working day. `days`: working days to go (ahead) or late (overdue). */
export type Nudge = { kind: NudgeKind; days: number };

/**
 * The reminder a milestone gets on working day `today` (local date), if any: T-3 and T-1 working
 * days before its (effective) due day, on the due day, then daily for
 * {@link OVERDUE_NUDGE_DAYS} overdue working days, then escalation to the sponsor.
 * Escalation is returned every day after; its dedupe key (per due date) makes it go once.
 * Pure.
 */
export function nudgeFor(calendar: WorkCalendar, m: Milestone, today: Ymd): Nudge | undefined {
  if (m.doneAt !== undefined) return undefined;
  const due = effectiveDue(calendar, m);
  if (today === due) return { kind: 'due', days: 0 };
  if (today < due) {
    const ahead = calendar.workingDaysBetween(today, due);
    if (ahead === 3) return { kind: 't-3', days: 3 };
    if (ahead === 1) return { kind: 't-1', days: 1 };
    return undefined;
  }
  const late = calendar.workingDaysBetween(due, today);
  if (late < 1) return undefined;
  return late <= OVERDUE_NUDGE_DAYS ? { kind: 'overdue', days: late } : { kind: 'escalate', days: late };
}

/**
 * The nudge's dedupe key: `milestone:<planId>:<msId>:<kind>:<ymd>` with the day it is sent, or
 * for escalation the due date (one escalation per due date; a slip allows a new one).
 */
export function nudgeKey(planId: string, m: Milestone, kind: NudgeKind, today: Ymd): string {
  return `milestone:${planId}:${m.id}:${kind}:${kind === 'escalate' ? m.due : today}`;
}
