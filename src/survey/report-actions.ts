import type { Outcome, TurnContext } from '../core/feature.ts';
import { handled } from '../core/feature.ts';
import { t } from '../core/i18n.ts';
import { type Address, parseUserKey, type UserKey } from '../core/types.ts';
import type { AnswerValue } from './condition.ts';
import { M } from './messages.ts';
import { type ParseContext, parseAnswer } from './parse-answer.ts';
import { renderDiagnosis, renderReport, titleOf } from './render.ts';
import { RESPONSES, type SurveyResponse } from './responses.ts';
import { type Question, type Survey, scaleRange } from './schema.ts';

/**
 * The answer a button value stands for: an option value (`single`), `yes`/`no` (`yesno`), a
 * point (`scale`); other types parse the value as typed text.
 * @returns undefined when the value is not a valid answer of `q` (a forged or outdated button)
 */
export function actionAnswer(q: Question, raw: string, ctx: ParseContext): AnswerValue | undefined {
  switch (q.type) {
    case 'single':
      return q.options?.some((o) => o.value === raw) ? raw : undefined;
    case 'yesno':
      return raw === 'yes' || raw === 'no' ? raw === 'yes' : undefined;
    case 'scale': {
      const { min, max } = scaleRange(q);
      const n = Number(raw);
      return Number.isInteger(n) && n >= min && n <= max ? n : undefined;
    }
    default: {
      const r = parseAnswer(q, raw, ctx);
      return r.ok ? r.value : undefined;
    }
  }
}

/**
 * Where the project lead is reached: a user key (`wecom:zhangsan`) is their 1:1 chat;
 * `<platform>:group:<chatId>` (the `PROJECT_GROUP` form for a group) is that group chat.
 * @throws {Error} when the platform prefix is unknown (checked at start-up by the feature).
 */
export function recipientOf(target: string): UserKey | Address {
  const { platform, userId } = parseUserKey(target);
  return userId.startsWith('group:')
    ? { platform, chatId: userId.slice('group:'.length), chatType: 'group' }
    : target;
}

/** Calendar date (YYYY-MM-DD) of an ISO instant in `timeZone`. */
const localDate = (iso: string | undefined, timeZone: string) =>
  iso
    ? new Intl.DateTimeFormat('en-CA', {
        timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
      }).format(new Date(iso))
    : '';

/** Loads a completed response the speaker may read: their own, or any when they are the project lead. */
async function readable(ctx: TurnContext, byId: Map<string, Survey>, key: string, lead?: UserKey) {
  if (!key.includes(`/${ctx.userKey}/`) && ctx.userKey !== lead) return undefined;
  const r = await ctx.tx.get<SurveyResponse>(RESPONSES, key);
  const survey = r && byId.get(r.surveyId);
  return r?.diagnosis && survey ? { r, survey, d: r.diagnosis } : undefined;
}

/** `survey:r:<key>`: the full diagnosis report. */
export async function reportOutcome(
  ctx: TurnContext,
  byId: Map<string, Survey>,
  key: string,
  lead: UserKey | undefined,
  timeZone: string,
): Promise<Outcome> {
  const found = await readable(ctx, byId, key, lead);
  if (!found) return handled({ text: t(ctx.locale, M.reportMissing) });
  const { r, survey, d } = found;
  return handled({
    text: renderReport(d, titleOf(survey, ctx.locale), localDate(r.completedAt, timeZone), ctx.locale),
  });
}

/** `survey:share:<key>`: pushes the diagnosis to the project lead, once per response. */
export async function shareOutcome(
  ctx: TurnContext,
  byId: Map<string, Survey>,
  key: string,
  lead: UserKey | undefined,
  timeZone: string,
): Promise<Outcome> {
  const found = lead ? await readable(ctx, byId, key, lead) : undefined;
  if (!found || !lead) return handled({ text: t(ctx.locale, M.reportMissing) });
  const { r, survey, d } = found;
  // The lead reads in the bot's default language (zh-CN); their own locale is not known here.
  const who = ctx.message.userName ? `${ctx.message.userName}（${r.userId}）` : r.userId;
  const text = [
    t('zh-CN', M.sharedPush, { user: who, title: titleOf(survey, 'zh-CN') }),
    renderDiagnosis(d, 'zh-CN').split('\n').slice(1).join('\n'),
    '',
    renderReport(d, titleOf(survey, 'zh-CN'), localDate(r.completedAt, timeZone), 'zh-CN'),
  ].join('\n');
  ctx.push({ to: recipientOf(lead), message: { text }, dedupeKey: `survey-share:${key}` });
  return handled({ text: t(ctx.locale, M.shared) });
}
