import { normalizeCommandText } from '../core/commands.ts';
import { ConfigError } from '../core/errors.ts';
import type { Feature, Input, Outcome, TurnContext } from '../core/feature.ts';
import { handled, pass } from '../core/feature.ts';
import { t } from '../core/i18n.ts';
import type { Button, Clock } from '../core/types.ts';
import { resumeIndex, SurveyRun } from './engine.ts';
import { M } from './messages.ts';
import { parseAnswer } from './parse-answer.ts';
import { nextIndex, progress } from './path.ts';
import { titleOf } from './render.ts';
import { actionAnswer, recipientOf, reportOutcome, shareOutcome } from './report-actions.ts';
import {
  findUnfinished,
  freshKey,
  RESPONSES,
  type SurveyFlowState,
  type SurveyResponse,
} from './responses.ts';
import type { Survey } from './schema.ts';

export interface SurveyFeatureOptions {
  /** Loaded surveys ({@link loadSurveys}). */
  surveys: Survey[];
  /** Not read by turns (they use the bot's turn time, `ctx.now`); accepted for symmetry with other features. */
  clock?: Clock;
  /** IANA zone in which dates like `3月5日` are read (BOT_TIMEZONE). */
  timezone: string;
  /**
   * When set, the diagnosis offers「发给项目负责人」, which pushes the report there: a user key
   * (`wecom:zhangsan`) or a group, `<platform>:group:<chatId>` (the `PROJECT_GROUP` forms).
   */
  projectLead?: string;
}

/**
 * The survey feature (`survey`). `调研` starts the only survey or lists them; `调研 <id>` starts
 * that one; an unfinished response is resumed at its question. While a survey runs it owns the
 * flow: answers, `返回` `跳过` `取消` `进度`. Button values: `survey:a:<questionId>:<value>`
 * (answer), `survey:s:<surveyId>` (start), `survey:r:<responseKey>` (full report),
 * `survey:share:<responseKey>` (send to the project lead).
 * Storage: `responses/<surveyId>/<userKey>/<startedAt ms, 15 digits>` ({@link SurveyResponse});
 * flow state in `session.active = {feature: 'survey', data: {responseKey, questionId, strikes}}`.
 * @throws {ConfigError} code `config_invalid` when `projectLead` is neither a user key nor a group.
 */
export function createSurveyFeature(opts: SurveyFeatureOptions): Feature {
  const { surveys, timezone, projectLead } = opts;
  if (projectLead) {
    try {
      recipientOf(projectLead);
    } catch {
      throw new ConfigError([
        `PROJECT_GROUP: '${projectLead}' is not a user key (wecom:zhangsan) or group (<platform>:group:<chatId>)`,
      ]);
    }
  }
  const byId = new Map(surveys.map((s) => [s.id, s]));

  const doneButtons =
    (ctx: TurnContext) =>
    (key: string): Button[] => [
      { label: t(ctx.locale, M.reportButton), value: `survey:r:${key}` },
      ...(projectLead && projectLead !== ctx.userKey
        ? [{ label: t(ctx.locale, M.shareButton), value: `survey:share:${key}` }]
        : []),
    ];

  const runOf = (
    ctx: TurnContext,
    survey: Survey,
    key: string,
    response: SurveyResponse,
    index: number,
    strikes = 0,
  ) => new SurveyRun(ctx, survey, key, response, Math.max(index, 0), strikes, doneButtons(ctx));

  /** The survey in progress for this user (from `session.active`), or undefined. */
  async function loadRun(ctx: TurnContext): Promise<{ run: SurveyRun; done: boolean } | undefined> {
    const active = ctx.session.active;
    if (active?.feature !== 'survey') return undefined;
    const st = active.data as SurveyFlowState;
    const response = await ctx.tx.get<SurveyResponse>(RESPONSES, st.responseKey);
    const survey = response && byId.get(response.surveyId);
    if (!response || !survey || response.status === 'completed') {
      ctx.session.active = undefined;
      return undefined;
    }
    const index = resumeIndex(survey, response, st.questionId);
    const same = index >= 0 && survey.questions[index].id === st.questionId;
    return {
      run: runOf(ctx, survey, st.responseKey, response, index, same ? st.strikes : 0),
      done: index < 0,
    };
  }

  /** Starts `survey`, or resumes the user's unfinished response to it. */
  async function begin(ctx: TurnContext, survey: Survey): Promise<Outcome> {
    const open = await findUnfinished(ctx.tx, survey.id, ctx.userKey);
    if (open) {
      const st =
        ctx.session.active?.feature === 'survey' ? (ctx.session.active.data as SurveyFlowState) : undefined;
      const qid = st?.responseKey === open.key ? st.questionId : open.value.pausedAt;
      const index = resumeIndex(survey, open.value, qid);
      const run = runOf(ctx, survey, open.key, open.value, index);
      return index < 0 ? run.finish() : run.resume();
    }
    const { key, at } = await freshKey(ctx.tx, survey.id, ctx.userKey, ctx.now);
    const response: SurveyResponse = {
      id: key,
      surveyId: survey.id,
      userId: ctx.userKey,
      platform: ctx.message.platform,
      startedAt: new Date(at).toISOString(),
      status: 'in_progress',
      answers: {},
    };
    const first = nextIndex(survey, -1, {});
    const run = runOf(ctx, survey, key, response, first);
    run.save();
    const { total } = progress(survey, first, {});
    const minutes = survey.minutes ?? Math.max(1, Math.round((total * 25) / 60));
    const lead = t(ctx.locale, M.welcome, { title: titleOf(survey, ctx.locale), total, minutes });
    return run.goTo(first, { lead, footer: true });
  }

  /** Finds a survey by id, list number or title. */
  function find(arg: string): Survey | undefined {
    const a = normalizeCommandText(arg);
    const n = /^\d+$/.test(a) ? Number(a) : 0;
    return (
      surveys.find((s) => s.id.toLowerCase() === a) ??
      surveys[n - 1] ??
      surveys.find((s) => normalizeCommandText(s.title) === a || normalizeCommandText(s.title_en ?? '') === a)
    );
  }

  /** `调研` / `调研 <id>`. */
  async function start(ctx: TurnContext, arg: string | undefined): Promise<Outcome> {
    if (!surveys.length) return handled({ text: t(ctx.locale, M.noSurveys) });
    if (arg) {
      const s = find(arg);
      if (!s)
        return handled({
          text: t(ctx.locale, M.unknownSurvey, { id: arg, ids: surveys.map((x) => x.id).join(', ') }),
        });
      return begin(ctx, s);
    }
    if (surveys.length === 1) return begin(ctx, surveys[0]);
    const open = (
      await Promise.all(surveys.map(async (s) => ({ s, r: await findUnfinished(ctx.tx, s.id, ctx.userKey) })))
    )
      .filter((x) => x.r)
      .sort((a, b) => (a.r!.value.updatedAt ?? '').localeCompare(b.r!.value.updatedAt ?? ''));
    if (open.length) return begin(ctx, open[open.length - 1].s);
    const lines = surveys.map((s, i) => `${i + 1}. ${titleOf(s, ctx.locale)}`).join('\n');
    const buttons = surveys.map((s) => ({ label: titleOf(s, ctx.locale), value: `survey:s:${s.id}` }));
    return handled({ text: t(ctx.locale, M.list, { lines }), buttons });
  }

  async function onFlow(input: Input, ctx: TurnContext): Promise<Outcome> {
    const loaded = await loadRun(ctx);
    if (!loaded || input.kind === 'action') return pass;
    const { run } = loaded;
    if (loaded.done) return run.finish();
    if (input.kind === 'command') {
      switch (input.command) {
        case 'cancel':
          return run.cancel();
        case 'back':
          return run.back();
        case 'skip':
          return run.skip();
        case 'status':
          return run.status();
        case 'survey':
          // Same survey: resume here (saying so); another one: start or resume that one.
          return start(ctx, input.arg ?? run.survey.id);
        default:
          return pass; // 帮助, 转人工, 课程: other features answer; the survey stays where it is.
      }
    }
    const r = parseAnswer(run.question, input.text, { now: ctx.now, timeZone: timezone });
    return r.ok ? run.answer(r.value) : run.wrong(r.reason);
  }

  async function onAction(value: string, ctx: TurnContext): Promise<Outcome> {
    if (value.startsWith('survey:s:')) return start(ctx, value.slice('survey:s:'.length));
    if (value.startsWith('survey:r:'))
      return reportOutcome(ctx, byId, value.slice('survey:r:'.length), projectLead, timezone);
    if (value.startsWith('survey:share:'))
      return shareOutcome(ctx, byId, value.slice('survey:share:'.length), projectLead, timezone);
    if (!value.startsWith('survey:a:')) return pass;
    const rest = value.slice('survey:a:'.length);
    const colon = rest.indexOf(':');
    const qid = colon < 0 ? '' : rest.slice(0, colon); // malformed: treated as stale below
    const raw = rest.slice(colon + 1);
    const loaded = await loadRun(ctx);
    if (!loaded) return handled({ text: t(ctx.locale, M.staleNoSurvey) });
    const { run } = loaded;
    if (loaded.done) return run.finish();
    // A stale or repeated click (that question is already answered): change nothing, show where we are.
    if (run.question.id !== qid) return run.ask({ lead: t(ctx.locale, M.stale) });
    const answer = actionAnswer(run.question, raw, { now: ctx.now, timeZone: timezone });
    // A value this question does not have (a card from before a content change): ask again.
    return answer === undefined ? run.ask({ footer: true }) : run.answer(answer);
  }

  return {
    name: 'survey',
    help: (locale) => (surveys.length ? t(locale, M.help) : undefined),
    async handle(stage, input, ctx) {
      if (stage === 'action') return input.kind === 'action' ? onAction(input.value, ctx) : pass;
      if (stage === 'flow') return onFlow(input, ctx);
      if (input.kind === 'command' && input.command === 'survey') return start(ctx, input.arg);
      if (input.kind === 'command' && input.command === 'status') {
        // 进度 outside a survey: say where a paused one stands (else other features / the core answer).
        for (const s of surveys) {
          const open = await findUnfinished(ctx.tx, s.id, ctx.userKey);
          if (open)
            return handled({
              text: t(ctx.locale, M.pausedStatus, {
                title: titleOf(s, ctx.locale),
                answered: Object.keys(open.value.answers ?? {}).length,
              }),
            });
        }
      }
      return pass;
    },
  };
}
