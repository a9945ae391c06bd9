import { pick, t } from '../core/i18n.ts';
import type { Button, Locale, OutgoingMessage } from '../core/types.ts';
import type { Answers } from './condition.ts';
import { type Diagnosis, inLocale } from './diagnosis.ts';
import { displayAnswer } from './display.ts';
import { M } from './messages.ts';
import type { Rejection } from './parse-answer.ts';
import { prevIndex, progress } from './path.ts';
import { type Question, type Survey, scaleRange } from './schema.ts';

/** Button value answering question `qid` with `value`: `survey:a:<questionId>:<optionValue>`. */
export const answerAction = (qid: string, value: string) => `survey:a:${qid}:${value}`;

/** Survey title in the locale. */
export const titleOf = (s: Survey, locale: Locale) => pick(locale, s.title, s.title_en);

/** The example date shown in hints (fixed, so texts are stable). */
const EXAMPLE_DATE = '2026-03-05';

function rangeText(q: Question, locale: Locale): string {
  const unit = q.unit ? ` ${pick(locale, q.unit, q.unit_en)}` : '';
  const p = { min: q.min ?? '', max: q.max ?? '', unit: locale === 'en' ? unit : unit.trim() };
  if (q.min !== undefined && q.max !== undefined) return t(locale, M.rangeBoth, p);
  if (q.min !== undefined) return t(locale, M.rangeMin, p);
  if (q.max !== undefined) return t(locale, M.rangeMax, p);
  return '';
}

/** How to answer `q`, one line. */
function hint(q: Question, locale: Locale): string {
  switch (q.type) {
    case 'single':
      return t(locale, M.hintSingle);
    case 'multi':
      return t(locale, M.hintMulti);
    case 'scale': {
      const { min, max } = scaleRange(q);
      const ends =
        q.min_label && q.max_label
          ? t(locale, M.scaleEnds, {
              min,
              max,
              minLabel: pick(locale, q.min_label, q.min_label_en),
              maxLabel: pick(locale, q.max_label, q.max_label_en),
            })
          : '';
      return t(locale, M.hintScale, { min, max, ends });
    }
    case 'number':
      return t(locale, M.hintNumber, { range: rangeText(q, locale) });
    case 'text':
      return t(locale, M.hintText, {
        limit: q.maxLength ? t(locale, M.textLimit, { max: q.maxLength }) : '',
      });
    case 'date':
      return t(locale, M.hintDate, { example: EXAMPLE_DATE, short: '3月5日' });
    case 'yesno':
      return t(locale, M.hintYesNo);
  }
}

function optionLines(labels: string[]): string {
  const numbered = labels.map((l, i) => `${i + 1}. ${l}`);
  const short = labels.length <= 4 && labels.join('').length <= 24;
  return numbered.join(short ? '  ' : '\n');
}

/** Buttons of a question: options (single), 是/否 (yesno), the points (scale); none for the rest. */
function buttonsOf(q: Question, locale: Locale): Button[] | undefined {
  switch (q.type) {
    case 'single':
      return q.options!.map((o) => ({
        label: pick(locale, o.label, o.label_en),
        value: answerAction(q.id, o.value),
      }));
    case 'yesno':
      return [
        { label: t(locale, M.yes), value: answerAction(q.id, 'yes') },
        { label: t(locale, M.no), value: answerAction(q.id, 'no') },
      ];
    case 'scale': {
      const { min, max } = scaleRange(q);
      return Array.from({ length: max - min + 1 }, (_, i) => ({
        label: String(min + i),
        value: answerAction(q.id, String(min + i)),
      }));
    }
    default:
      return undefined;
  }
}

export interface QuestionView {
  survey: Survey;
  index: number;
  answers: Answers;
  locale: Locale;
  /** Show the commands that work now (first question, after a wrong answer). */
  footer?: boolean;
  /** Lines before the question (welcome, re-prompt reason). */
  lead?: string;
}

/**
 * One question as a message: `(position/total) text`, numbered options, how to answer, the
 * current answer when going back, the footer when asked; buttons where the type has them.
 */
export function renderQuestion(v: QuestionView): OutgoingMessage {
  const { survey, index, answers, locale } = v;
  const q = survey.questions[index];
  const { position, total } = progress(survey, index, answers);
  const lines: string[] = [];
  if (v.lead) lines.push(v.lead);
  lines.push(`(${position}/${total}) ${pick(locale, q.text, q.text_en)}`);
  if (q.type === 'single' || q.type === 'multi')
    lines.push(optionLines(q.options!.map((o) => pick(locale, o.label, o.label_en))));
  if (q.type === 'yesno') lines.push(optionLines([t(locale, M.yes), t(locale, M.no)]));
  lines.push(hint(q, locale) + (q.optional ? t(locale, M.optional) : ''));
  if (answers[q.id] !== undefined)
    lines.push(t(locale, M.currentAnswer, { answer: displayAnswer(q, answers[q.id], locale) }));
  if (v.footer) {
    const items = [
      ...(prevIndex(survey, index, answers) >= 0 ? [t(locale, M.footerBack)] : []),
      ...(q.optional ? [t(locale, M.footerSkip)] : []),
      t(locale, M.footerCancel),
    ];
    lines.push(t(locale, M.footer, { items: items.join(locale === 'en' ? ', ' : '  ') }));
  }
  const buttons = buttonsOf(q, locale);
  return { text: lines.join('\n'), ...(buttons ? { buttons } : {}) };
}

/** An example answer in range for a number/scale question. */
function exampleNumber(q: Question): number {
  const { min, max } =
    q.type === 'scale' ? scaleRange(q) : { min: q.min ?? 0, max: q.max ?? Math.max(30, q.min ?? 0) };
  if (min <= 30 && 30 <= max) return 30;
  return Math.round((min + max) / 2);
}

/** Why an answer was refused, with what is accepted and an example (UX: never a dead end). */
export function rejectionText(q: Question, r: Rejection, locale: Locale): string {
  switch (r.code) {
    case 'empty':
      return t(locale, M.empty);
    case 'no_such_option':
      return t(locale, q.type === 'multi' ? M.noSuchOptionMulti : M.noSuchOption, { count: r.count });
    case 'ambiguous':
      return t(locale, M.ambiguous, { candidates: r.candidates.join(locale === 'en' ? ', ' : '、') });
    case 'exclusive':
      return t(locale, M.exclusive, { label: r.label });
    case 'not_a_number':
      return t(locale, M.notANumber, { example: exampleNumber(q) });
    case 'not_integer':
      return t(locale, M.notInteger, { example: exampleNumber(q) });
    case 'out_of_range': {
      const p = { min: r.min ?? '', max: r.max ?? '' };
      const range =
        r.min !== undefined && r.max !== undefined
          ? t(locale, M.rangeWordsBoth, p)
          : r.min !== undefined
            ? t(locale, M.rangeWordsMin, p)
            : t(locale, M.rangeWordsMax, p);
      return t(locale, M.outOfRange, { range, example: exampleNumber(q) });
    }
    case 'bad_date':
      return t(locale, M.badDate, { example: EXAMPLE_DATE });
    case 'not_yes_no':
      return t(locale, M.notYesNo);
    case 'too_long':
      return t(locale, M.tooLong, { max: r.max });
  }
}

const sep = (locale: Locale) => (locale === 'en' ? '; ' : '；');

/** The short diagnosis of UX.md: pain points, bundle, first module, one-line roadmap. */
export function renderDiagnosis(d: Diagnosis, locale: Locale): string {
  const pains = d.painPoints.slice(0, d.top).map((p) => inLocale(p, locale));
  const layers = d.roadmap
    .filter((l) => l.items.length)
    .map(
      (l) =>
        `${inLocale(l.title, locale)}${locale === 'en' ? ' ' : ''}${l.items
          .slice(0, d.summaryItems)
          .map((i) => inLocale(i, locale))
          .join(locale === 'en' ? ', ' : '、')}`,
    );
  return [
    t(locale, M.doneDiagnosis),
    t(locale, M.painPoints, { list: pains.length ? pains.join(sep(locale)) : t(locale, M.noPainPoints) }),
    t(locale, M.bundle, { bundle: inLocale(d.bundle, locale) }),
    t(locale, M.firstModule, { module: inLocale(d.firstModule, locale) }),
    t(locale, M.roadmap, { layers: layers.join(' → ') }),
  ].join('\n');
}

/** The full report: every pain point, bundle, first module with why, each layer, advice. */
export function renderReport(d: Diagnosis, title: string, date: string, locale: Locale): string {
  const lines = [t(locale, M.reportTitle, { title, date }), '', t(locale, M.reportPain)];
  if (!d.painPoints.length) lines.push(`• ${t(locale, M.noPainPoints)}`);
  for (const p of d.painPoints) lines.push(`• ${inLocale(p, locale)}`);
  lines.push('', t(locale, M.reportBundle), inLocale(d.bundle, locale));
  lines.push('', t(locale, M.reportFirst), inLocale(d.firstModule, locale));
  if (d.firstModule.why) lines.push(inLocale(d.firstModule.why, locale));
  lines.push('', t(locale, M.reportRoadmap));
  for (const l of d.roadmap) {
    lines.push(
      `${inLocale(l.title, locale)}${locale === 'en' ? ': ' : '：'}${l.items.map((i) => inLocale(i, locale)).join(locale === 'en' ? ', ' : '、') || '—'}`,
    );
  }
  if (d.advice.length) {
    lines.push('', t(locale, M.reportAdvice));
    for (const a of d.advice) lines.push(`• ${inLocale(a, locale)}`);
  }
  return lines.join('\n');
}
