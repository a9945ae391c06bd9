import { z } from 'zod';
import { isYmd, type Ymd } from '../calendar/time.ts';
import type { Store } from '../core/store.ts';
import type { UserKey } from '../core/types.ts';
import type { RosterPerson } from '../lessons/roster-view.ts';
import { EVERYONE_ROLES } from '../lessons/schema.ts';

/** Collection of survey assignments; key = assignment id. */
export const ASSIGNMENTS = 'survey-assignments';

/** A survey assigned to a role and/or department, due by `deadline` (local date, `BOT_TIMEZONE`). */
export interface SurveyAssignment {
  id: string;
  surveyId: string;
  role?: string;
  department?: string;
  deadline: Ymd;
  /** ms UTC */
  createdAt: number;
}

/** `POST /api/surveys/assignments` body. */
export const AssignmentInputSchema = z
  .object({
    surveyId: z.string().trim().min(1, 'surveyId is required'),
    role: z.string().trim().min(1).optional(),
    department: z.string().trim().min(1).optional(),
    deadline: z
      .string()
      .trim()
      .refine((s) => isYmd(s), { message: 'deadline must be a date YYYY-MM-DD' }),
  })
  .refine((a) => a.role || a.department, { message: 'give a role, a department, or both', path: ['role'] });
/** A validated assignment request. */
export type AssignmentInput = z.infer<typeof AssignmentInputSchema>;

/** Who an assignment covers: roster people with the role (`全员` = everyone) and in the department. */
export function assignees(
  a: Pick<SurveyAssignment, 'role' | 'department'>,
  roster: readonly RosterPerson[],
): RosterPerson[] {
  return roster.filter(
    (p) =>
      (!a.role || EVERYONE_ROLES.includes(a.role) || p.roles.includes(a.role)) &&
      (!a.department || p.department === a.department),
  );
}

/** All assignments, in id order. */
export async function listAssignments(store: Pick<Store, 'list'>): Promise<SurveyAssignment[]> {
  return (await store.list<SurveyAssignment>(ASSIGNMENTS)).map((e) => e.value);
}

/** How far each user got with a survey: `completed` wins over `started` (in progress or paused). */
export type ResponseState = 'completed' | 'started';

/**
 * Each user's furthest state on `surveyId` from collection `responses`
 * (key `<surveyId>/<userKey>/<startedAt>`, value `{status: 'in_progress' | 'completed' | 'cancelled'}`).
 */
export async function responseStates(
  store: Pick<Store, 'list'>,
  surveyId: string,
): Promise<Map<UserKey, ResponseState>> {
  const out = new Map<UserKey, ResponseState>();
  const rows = await store.list<{ userId?: string; status?: string }>('responses', {
    prefix: `${surveyId}/`,
  });
  for (const { key, value } of rows) {
    const user = value.userId ?? key.slice(surveyId.length + 1, key.lastIndexOf('/'));
    if (value.status === 'completed') out.set(user, 'completed');
    else if (out.get(user) !== 'completed') out.set(user, 'started');
  }
  return out;
}
