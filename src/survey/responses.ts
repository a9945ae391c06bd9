import type { TurnTx } from '../core/feature.ts';
import type { Platform, UserKey } from '../core/types.ts';
import type { Answers } from './condition.ts';
import type { Diagnosis } from './diagnosis.ts';

/** Store collection of survey responses. */
export const RESPONSES = 'responses';

/** Status of a response: answering, finished, or paused by 取消 / three wrong answers (resumable). */
export type ResponseStatus = 'in_progress' | 'completed' | 'cancelled';

/**
 * One person's answers to one survey (collection `responses`, key from {@link responseKey}).
 * Other features and the admin API read this layout; keep it.
 */
export interface SurveyResponse {
  /** Same as the store key. */
  id: string;
  surveyId: string;
  /** Platform-prefixed user key, e.g. `wecom:zhangsan`. */
  userId: UserKey;
  platform: Platform;
  /** ISO 8601 UTC. */
  startedAt: string;
  /** ISO 8601 UTC, set when completed. */
  completedAt?: string;
  /** ISO 8601 UTC of the last change. */
  updatedAt?: string;
  status: ResponseStatus;
  /** Question id the user was on when the response was paused (取消 or three wrong answers). */
  pausedAt?: string;
  answers: Answers;
  diagnosis?: Diagnosis;
}

/** State of the survey flow in `session.active.data` (feature `survey`). */
export interface SurveyFlowState {
  responseKey: string;
  /** The question the user was last asked. */
  questionId: string;
  /** Wrong answers in a row to that question. */
  strikes: number;
}

/** `<surveyId>/<userKey>/<startedAt ms zero-padded to 15>` — sorts by survey, user, then time. */
export const responseKey = (surveyId: string, userKey: UserKey, startedAtMs: number) =>
  `${surveyId}/${userKey}/${String(startedAtMs).padStart(15, '0')}`;

/** Key prefix of all of one user's responses to a survey. */
export const userPrefix = (surveyId: string, userKey: UserKey) => `${surveyId}/${userKey}/`;

/** The user's latest response to a survey that is not completed (in progress or paused), if any. */
export async function findUnfinished(
  tx: TurnTx,
  surveyId: string,
  userKey: UserKey,
): Promise<{ key: string; value: SurveyResponse } | undefined> {
  const all = await tx.list<SurveyResponse>(RESPONSES, { prefix: userPrefix(surveyId, userKey) });
  const last = all[all.length - 1];
  return last && last.value.status !== 'completed' ? last : undefined;
}

/** The user's latest completed response to a survey, if any. */
export async function findLatestCompleted(
  tx: TurnTx,
  surveyId: string,
  userKey: UserKey,
): Promise<{ key: string; value: SurveyResponse } | undefined> {
  const all = await tx.list<SurveyResponse>(RESPONSES, { prefix: userPrefix(surveyId, userKey) });
  return all.findLast((r) => r.value.status === 'completed');
}

/**
 * A fresh response key: `now`, or the next free millisecond when the user already has one
 * started at that instant (a retake within the same ms must not overwrite the old response).
 */
export async function freshKey(
  tx: TurnTx,
  surveyId: string,
  userKey: UserKey,
  now: number,
): Promise<{ key: string; at: number }> {
  let at = now;
  while (await tx.get(RESPONSES, responseKey(surveyId, userKey, at))) at++;
  return { key: responseKey(surveyId, userKey, at), at };
}
