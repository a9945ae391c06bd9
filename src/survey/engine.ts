import type { Outcome, TurnContext } from '../core/feature.ts';
import { handled } from '../core/feature.ts';
import { t } from '../core/i18n.ts';
import type { Button } from '../core/types.ts';
import type { AnswerValue } from './condition.ts';
import { diagnose } from './diagnosis.ts';
import { M } from './messages.ts';
import type { Rejection } from './parse-answer.ts';
import { indexOf, isAsked, nextIndex, prevIndex, progress, prune } from './path.ts';
import { rejectionText, renderDiagnosis, renderQuestion, titleOf } from './render.ts';
import { RESPONSES, type SurveyFlowState, type SurveyResponse } from './responses.ts';
import type { Survey } from './schema.ts';

/** Wrong answers in a row after which the survey pauses and help is offered. */
export const MAX_STRIKES = 3;

/**
 * One turn of a survey in progress: the response, where the user is, and the moves
 * (answer, wrong answer, back, skip, cancel, status, finish). Every move that changes the
 * response stages it with `ctx.tx.put` and updates `session.active`; the bot commits both at
 * the end of the turn, so a restart resumes at the same question.
 */
export class SurveyRun {
  constructor(
    readonly ctx: TurnContext,
    readonly survey: Survey,
    readonly key: string,
    readonly response: SurveyResponse,
    /** Index of the question the user is on. */
    public index: number,
    public strikes = 0,
    /** Buttons under the finished diagnosis (full report, share). */
    private readonly doneButtons: (key: string) => Button[] = () => [],
  ) {}

  get question() {
    return this.survey.questions[this.index];
  }

  private get locale() {
    return this.ctx.locale;
  }

  /** Stages the response (answers of questions no longer asked are dropped). */
  save(): void {
    this.response.answers = prune(this.survey, this.response.answers);
    this.response.updatedAt = new Date(this.ctx.now).toISOString();
    this.ctx.tx.put(RESPONSES, this.key, this.response);
  }

  /** Records that the flow waits on the current question. */
  private hold(): void {
    const data: SurveyFlowState = {
      responseKey: this.key,
      questionId: this.question.id,
      strikes: this.strikes,
    };
    this.ctx.session.active = { feature: 'survey', data };
  }

  /** Asks the current question (footer on request: first question, after a wrong answer). */
  ask(opts: { lead?: string; footer?: boolean } = {}): Outcome {
    this.hold();
    return handled(
      renderQuestion({
        survey: this.survey,
        index: this.index,
        answers: this.response.answers,
        locale: this.locale,
        ...opts,
      }),
    );
  }

  /** Moves to question `index` and asks it. */
  goTo(index: number, opts: { lead?: string; footer?: boolean } = {}): Outcome {
    this.index = index;
    this.strikes = 0;
    return this.ask(opts);
  }

  /** A valid answer: store it, then the next asked question or the end. */
  answer(value: AnswerValue): Outcome {
    this.response.answers[this.question.id] = value;
    return this.advance();
  }

  private advance(): Outcome {
    this.save();
    const next = nextIndex(this.survey, this.index, this.response.answers);
    return next < 0 ? this.finish() : this.goTo(next);
  }

  /** A wrong answer: say what is accepted and ask again; the third in a row pauses the survey. */
  wrong(reason: Rejection): Outcome {
    this.strikes++;
    if (this.strikes >= MAX_STRIKES) {
      this.pause();
      return handled({ text: t(this.locale, M.strikes) });
    }
    return this.ask({ lead: rejectionText(this.question, reason, this.locale), footer: true });
  }

  /** 返回: the previous asked question (its current answer shown). */
  back(): Outcome {
    const prev = prevIndex(this.survey, this.index, this.response.answers);
    if (prev < 0) return this.ask({ lead: t(this.locale, M.firstQuestion), footer: true });
    return this.goTo(prev);
  }

  /** 跳过: only optional questions; a required one is asked again, saying so. */
  skip(): Outcome {
    if (!this.question.optional) return this.ask({ lead: t(this.locale, M.skipRequired), footer: true });
    delete this.response.answers[this.question.id];
    return this.advance();
  }

  /** 取消: pause, keeping the answers; `调研` resumes here. */
  cancel(): Outcome {
    this.pause();
    const { position } = progress(this.survey, this.index, this.response.answers);
    return handled({
      text: t(this.locale, M.cancelled, { answered: Object.keys(this.response.answers).length, position }),
    });
  }

  /** Marks the response paused at the current question and ends the flow. */
  private pause(): void {
    this.response.status = 'cancelled';
    this.response.pausedAt = this.question.id;
    this.save();
    this.ctx.session.active = undefined;
  }

  /** 进度: `(3/12)` and the question again. */
  status(): Outcome {
    const { position, total } = progress(this.survey, this.index, this.response.answers);
    const lead = t(this.locale, M.status, {
      title: titleOf(this.survey, this.locale),
      position,
      total,
      answered: Object.keys(this.response.answers).length,
    });
    return this.ask({ lead });
  }

  /** Resumes a paused or interrupted response at its question, saying so. */
  resume(): Outcome {
    if (this.response.status !== 'in_progress') {
      this.response.status = 'in_progress';
      delete this.response.pausedAt;
      this.save();
    }
    const { position } = progress(this.survey, this.index, this.response.answers);
    return this.goTo(this.index, {
      lead: t(this.locale, M.resume, { title: titleOf(this.survey, this.locale), position }),
      footer: true,
    });
  }

  /** The end: diagnosis from the YAML rules, stored on the response, shown with report buttons. */
  finish(): Outcome {
    this.response.status = 'completed';
    this.response.completedAt = new Date(this.ctx.now).toISOString();
    const d = diagnose(this.survey, this.response.answers);
    if (d) this.response.diagnosis = d;
    this.save();
    this.ctx.session.active = undefined;
    if (!d) return handled({ text: t(this.locale, M.doneNoDiagnosis) });
    const buttons = this.doneButtons(this.key);
    return handled({ text: renderDiagnosis(d, this.locale), ...(buttons.length ? { buttons } : {}) });
  }
}

/**
 * Where to continue a response: the question the state names if it is still asked, else the
 * first asked question without an answer (content changed meanwhile); -1 when none is left.
 */
export function resumeIndex(survey: Survey, response: SurveyResponse, questionId?: string): number {
  const answers = response.answers;
  const named = questionId ? indexOf(survey, questionId) : -1;
  if (named >= 0 && isAsked(survey.questions[named], answers)) return named;
  for (let i = 0; i < survey.questions.length; i++) {
    const q = survey.questions[i];
    if (isAsked(q, answers) && answers[q.id] === undefined) return i;
  }
  return -1;
}
